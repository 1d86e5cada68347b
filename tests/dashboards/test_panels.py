"""Every panel of every page, on the known data set and on an empty store: the numbers
it shows are the registry's, the ones /api/aggregates publishes."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import partial
from typing import Any
from urllib.parse import parse_qs, quote

import plotly.graph_objects as go
import pytest
from sqlalchemy.orm import Session

from dashboards import panels
from lrs.insight import registry
from lrs.insight.filters import Filters
from lrs.insight.scope import EVERYTHING, Scope
from lrs.store.engine import Database
from statements.vocabulary import Verbs
from tests.lrs.insight.data import SAFETY, actor_key, seed

ANN = Filters(person=actor_key("ann"))


def _run_every_panel(session: Session, filters: Filters) -> dict[str, list[Any]]:
    return {
        f"{page}/{name}": panel(session, filters)
        for page, page_panels in panels.PANELS.items()
        for name, panel in page_panels.items()
    }


def test_every_panel_draws_the_known_data(database: Database, seeded: dict[str, Any]) -> None:
    with database.reading() as session:
        for filters in (Filters(), ANN, Filters(kind="informal", team="Beta")):
            outputs = _run_every_panel(session, filters)
            assert len(outputs) == sum(len(p) for p in panels.PANELS.values())
        summary = registry.SUMMARY.run(session, Filters()).iloc[0]
        kpis = panels.overview_summary(session, Filters())
        assert kpis[:5] == [f"{int(summary[key]):,}" for key, _ in panels.OVERVIEW_KPIS]
        assert kpis[6:] == [""] * 5  # all time: no previous period to compare with
        # 8 statements on 7-9 March against 5 on 4-6 March, the three days before.
        march = Filters(start=dt.date(2026, 3, 7), end=dt.date(2026, 3, 9))
        changes = panels.overview_summary(session, march)[6:]
        assert changes[0] == "+3 (+60%) vs 2026-03-04 to 2026-03-06"
        expected = registry.SUMMARY_CHANGE.run(session, march).set_index("measure")
        for text, (key, _) in zip(changes, panels.OVERVIEW_KPIS, strict=True):
            assert text.startswith(f"{int(expected.loc[key, 'change']):+,} ("), (key, text)
        [funnel, rates] = panels.courses_funnel(session, Filters())
        assert isinstance(funnel, go.Figure) and isinstance(rates, go.Figure)
        # The worst pass rate is one choice away: lowest first, said in both titles.
        worst = registry.COURSE_FUNNEL.run(session, Filters(), sort="pass_rate")
        assert list(worst["pass_rate"]) == sorted(worst["pass_rate"])
        [funnel, rates] = panels.courses_funnel(session, Filters(), sort="pass_rate")
        assert "lowest pass rate first" in funnel.layout.title.subtitle.text
        assert "lowest pass rate first" in rates.layout.title.subtitle.text
        assert list(rates.data[1].x) == [rate * 100 for rate in worst["pass_rate"]]
        [funnel, _] = panels.courses_funnel(session, Filters(), sort="no such order")
        assert "most people first" in funnel.layout.title.subtitle.text
        # Days beyond the registry's bound are clamped to it (3650), not refused.
        table, note = panels.courses_stalled(session, Filters(), days=100_000)
        assert table is None and note.startswith("No one is stalled")
        stalled = registry.STALLED.run(session, Filters(), days=1)
        _, note = panels.courses_stalled(session, Filters(), days=1)
        assert note.startswith(f"{len(stalled)} of {stalled.attrs['total']} stalled")
        table, count, *_ = panels.explorer(session, Filters(kind="formal"), page=0)
        assert count == "10 statements" and table is not None
        # Each row names its statement; the statement opens exactly as stored.
        first = registry.FACTS.run(session, Filters(kind="formal"), page=0, size=1).iloc[0]
        title, text = panels.statement_json(session, int(first["seq"]), EVERYTHING)
        stored = json.loads(text)
        assert title == f"Statement {stored['id']}" and stored["id"] in seeded["ids"]
        assert panels.statement_json(session, 10**9, EVERYTHING) == ["Statement not found", ""]


def test_every_panel_draws_an_empty_store(database: Database) -> None:
    with database.reading() as session:
        outputs = _run_every_panel(session, Filters())
    assert outputs["overview/summary"][:5] == ["0"] * 5
    assert outputs["explorer/statements"][0] is None


def _note(figure: go.Figure) -> str:
    return str(figure.layout.annotations[0].text)


def test_an_empty_chart_says_why(database: Database) -> None:
    """REQ-DASH-EMPTY: nothing sent yet, or filters that exclude everything."""
    with database.querying() as session:
        [figure] = panels.explain_empty(
            session, Filters(), panels.overview_over_time(session, Filters())
        )
        assert _note(figure).startswith(f"<b>{panels.NOTHING_SENT}</b>")
    seed(database)
    narrow = Filters.from_query("from=2001-01-01&to=2001-01-31&team=Alpha")
    with database.querying() as session:
        [figure] = panels.explain_empty(session, narrow, panels.overview_over_time(session, narrow))
        assert "The filters leave nothing (2001-01-01 to 2001-01-31 · team: Alpha)" in _note(figure)
        # Values are named, never shown as IRIs or keys; a person outside the reader's
        # scope is "someone".
        named = Filters.from_query(
            f"from=2001-01-01&to=2001-01-31&verb={quote(Verbs.PASSED)}"
            f"&activity={quote(SAFETY)}&person={quote(actor_key('ann'))}"
        )
        [figure] = panels.explain_empty(session, named, panels.overview_over_time(session, named))
        assert (
            "The filters leave nothing (2001-01-01 to 2001-01-31 · verb: passed (passed) · "
            "activity: Safety basics · person: Ann)"
        ) in _note(figure)
        hidden = named.within(Scope.of_teams(["Beta"]))
        [figure] = panels.explain_empty(session, hidden, panels.overview_over_time(session, hidden))
        assert "person: someone)" in _note(figure)
        assert "mailto" not in _note(figure) and "http" not in _note(figure)
        # With statements stored and no filter, a chart with nothing to show says what
        # to send instead; a chart with data is left alone.
        [drawn] = panels.explain_empty(
            session, Filters(), panels.overview_over_time(session, Filters())
        )
        assert drawn.data


def test_time_charts_compare_with_the_previous_period(database: Database, seeded: Any) -> None:
    """REQ-DASH-COMPARE: the previous period of the same length, lined up with this one."""
    # Known data: 2026-03-02 .. 2026-03-09. The week of 03-06 .. 03-12 compared with the
    # week before it (02-27 .. 03-05), which holds the 10 formal statements of 03-02 .. 03-05.
    week = Filters.from_query("from=2026-03-06&to=2026-03-12")
    with database.querying() as session:
        [alone] = panels.overview_over_time(session, week, compare=False)
        [figure] = panels.overview_over_time(session, week, compare=True)
        [everything] = panels.overview_over_time(session, Filters(), compare=True)
    assert len(figure.data) == len(alone.data) + 1
    previous = figure.data[-1]
    assert previous.name == "previous period" and sum(previous.y) == 10
    moved = [str(x)[:10] for x in previous.x]
    assert min(moved) >= "2026-03-06" and max(moved) <= "2026-03-12"
    assert previous.customdata[0].startswith("from=2026-03-0")
    # A person's timeline too.
    ann = week.replace(person=actor_key("ann"))
    with database.querying() as session:
        [body] = panels.person(session, ann, "", compare=True)
    [timeline] = [g.figure for g in _graphs_in(body) if g.id == "people-timeline"]
    ann_before = [t for t in timeline.data if t.name == "previous period"]
    assert ann_before and sum(ann_before[0].y) == 5  # ann's five formal statements
    # Without a time range there is no previous period to draw, nor before the calendar.
    assert all(t.name != "previous period" for t in everything.data)
    earliest = Filters.from_query("from=0001-01-02&to=2026-03-12")
    with database.querying() as session:
        [edge] = panels.overview_over_time(session, earliest, compare=True)
    assert all(t.name != "previous period" for t in edge.data)


def _graphs_in(component: Any) -> list[Any]:
    from dash import dcc

    found = [component] if isinstance(component, dcc.Graph) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found += _graphs_in(child)
    return found


@pytest.mark.parametrize(
    ("panel", "entry", "arguments", "column", "name", "table_id", "back", "value"),
    [
        (partial(panels.knowledge_ranking, metric="read-pages"), registry.TOP_CONTENT,
         {"metric": "read", "content": "pages"}, "content_id", "activity",
         "knowledge-top-read-pages-bars", "/dashboards/knowledge", "count"),
        (panels.overview_top_activities, registry.TOP_ACTIVITIES, {}, "activity_id",
         "activity", "overview-top-activities-bars", "/dashboards/", "statements"),
        (panels.overview_top_verbs, registry.TOP_VERBS, {}, "verb_id", "verb",
         "overview-top-verbs-bars", "/dashboards/", "statements"),
    ],
)  # fmt: skip
def test_a_ranking_links_each_row_to_its_statements_under_the_page_filters(
    database: Database, seeded: Any, panel: Any, entry: Any, arguments: dict[str, str],
    column: str, name: str, table_id: str, back: str, value: str,
) -> None:  # fmt: skip
    """REQ-DASH-DRILL: the bar tables of the overview and knowledge pages show the
    registry's numbers and open the Explorer on each row's statements with the page's
    filters kept, leading back to the page as it was."""
    filters = Filters.from_query("from=2026-01-01&to=2026-12-31&kind=informal")
    with database.reading() as session:
        [ranking] = panel(session, filters)
        expected = entry.run(session, filters, **arguments)
    markdown = ranking.children[1]
    assert markdown.id == table_id
    rows = markdown.children.splitlines()[2:]
    shown = [int(row.split(" | ")[1].replace(",", "")) for row in rows]
    assert shown == [int(v) for v in expected[value]] and shown
    links = [re.findall(r"\]\(([^)]+)\)", row)[0] for row in rows]
    for link, narrowed in zip(links, expected[column], strict=True):
        path, _, query = link.partition("?")
        assert path == panels.EXPLORER_PATH
        assert parse_qs(query) == {
            "from": ["2026-01-01"], "to": ["2026-12-31"], "kind": ["informal"], name: [narrowed],
            "back": [f"{back}?from=2026-01-01&to=2026-12-31&kind=informal"],
        }  # fmt: skip
