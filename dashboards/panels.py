"""The work of every dashboard callback: ``(Session, Filters) -> its outputs``.

A page's callbacks are thin wrappers that open a read session, parse the filters and call
one panel; the benchmark calls the same panels, so what it times is what a browser waits
for. A panel reads its numbers through the read side's registry (``lrs.insight.registry``),
the entries /api/aggregates publishes, and turns them into figures and tables. One panel
per chart where charts share no query, so that the browser's parallel requests spread a
page over the server's threads instead of queueing behind one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from sqlalchemy.orm import Session

from dashboards import figures
from dashboards.components import (
    EMPTY_NOTE,
    bar_table,
    drill_store,
    empty_note,
    escaped,
    graph,
    kpi,
    markdown_link,
    markdown_table,
    numbers_link,
    table,
)
from lrs.errors import LRSError
from lrs.insight import activity, pull, registry
from lrs.insight.filters import Filters, query_values, to_queries, to_query
from lrs.insight.people import person_names
from lrs.insight.scope import Scope
from lrs.store import statements

Panel = Callable[[Session, Filters], list[Any]]

OVERVIEW_KPIS = (("statements", "statements"), ("formal", "formal"), ("informal", "informal"),
                 ("people", "active people"), ("activities", "activities"))  # fmt: skip
CONTENT_RANKINGS = (("read-posts", "read", "posts", "most read posts", "views"),
                    ("read-pages", "read", "pages", "most read wiki pages", "views"),
                    ("edited", "edited", "any", "most edited pages", "edits"),
                    ("reused", "reused", "any", "most reused (readers other than authors)",
                     "readers"),
                    ("discussed", "discussed", "any", "most discussed",
                     "comments and replies"))  # fmt: skip
"""The knowledge page's content rankings: chart key, ``top_content``'s metric and
content (posts and wiki pages read are ranked apart), the chart's noun and measure."""
STALLED_COLUMNS = ("name", "course_name", "last_day", "days_idle")
PERSON_CARDS = (
    ("formal", "formal statements"),
    ("informal", "informal statements"),
    ("courses_completed", "courses completed"),
    ("courses_passed", "courses passed"),
    ("contributions", "contributions"),
    ("hours_learning", "hours in courses"),
)
RECENT_COLUMNS = ("timestamp", "concept", "activity_name", "source_kind", "score_scaled")
EXPLORER_PAGE_SIZE = 25
EXPLORER_COLUMNS = ("statement_id", "timestamp", "actor_name", "concept", "activity_name",
                    "source_kind",
                    "platform", "team", "score_scaled", "success", "completion",
                    "duration_seconds", "verb_id", "activity_id")  # fmt: skip
CONTENT_HINT = "Send viewed, edited and commented statements on pages and posts."


NOTHING_SENT = "Nothing has been sent yet: the store holds no statements."
FILTERED_OUT = "The filters leave nothing ({}): widen the time range or clear a filter."


def described(db_session: Session, filters: Filters) -> str:
    """The filters in words, each value by its name (a course's or verb's display name,
    a person's name), never by its IRI or key."""
    choices = activity.filter_options(db_session, scope=filters.scope)
    names = {key: dict(choices[key]) for key in ("team", "platform", "verb", "activity")}
    if filters.activity and filters.activity not in names["activity"]:
        label = activity.choice_label(db_session, "activity", filters.activity)
        names["activity"][filters.activity] = label or ""
    people = person_names(db_session, [filters.person], filters.scope) if filters.person else {}
    parts = [f"{filters.start or '…'} to {filters.end or '…'}"
             if filters.start or filters.end else "all time"]  # fmt: skip
    for label, key, value in (
        ("team", "team", filters.team), ("kind", "kind", filters.kind),
        ("system", "platform", filters.platform), ("verb", "verb", filters.verb),
        ("activity", "activity", filters.activity),
    ):  # fmt: skip
        if value:
            parts.append(f"{label}: {names.get(key, {}).get(value) or _tail(value)}")
    if filters.person:
        parts.append(f"person: {people.get(filters.person, ('someone', None))[0]}")
    return " · ".join(parts)


def _tail(value: str) -> str:
    """The last part of an IRI, when no name is known for it."""
    return value.rstrip("/").rsplit("/", 1)[-1] or value


def explain_empty(session: Session, filters: Filters, outputs: list[Any]) -> list[Any]:
    """``outputs`` with every empty chart saying why it is empty: nothing stored at all,
    or filters that exclude everything (then also what would fill it)."""
    empty = [o for o in outputs if isinstance(o, go.Figure) and not o.data]
    quiet = [o for o in outputs if getattr(o, "className", None) == EMPTY_NOTE]
    if not empty and not quiet:
        return outputs
    if not activity.count_facts(session, filters.unfiltered()):
        reason = NOTHING_SENT
    elif not filters.is_unfiltered:
        reason = FILTERED_OUT.format(described(session, filters))
    else:
        return outputs  # statements are stored and none filtered out: the hint says what
    for figure in empty:
        notes = figure.layout.annotations
        hint = notes[0].text if notes else ""
        figure.update_layout(
            annotations=[{**(notes[0].to_plotly_json() if notes else {}),
                          "text": f"<b>{reason}</b><br>{hint}", "x": 0.5, "y": 0.5,
                          "xref": "paper", "yref": "paper", "showarrow": False}]
        )  # fmt: skip
    for note in quiet:
        note.children = [html.P(html.B(reason), className="mb-0"), note.children]
    return outputs


# -- overview ------------------------------------------------------------------------


def overview_summary(session: Session, filters: Filters) -> list[Any]:
    """The counters, the formal/informal mix, and each counter's change against the
    previous period of the same length (``summary_change``'s rows, the current period's
    summary read once)."""
    summary = registry.SUMMARY.run(session, filters)
    row = summary.iloc[0]
    keys = [key for key, _ in OVERVIEW_KPIS]
    before = filters.previous()
    previous = registry.SUMMARY.run(session, before)[keys] if before is not None else None
    changed = activity.changes(summary[keys], previous, filters)
    return [
        *[figures.n(row[key]) for key in keys],
        figures.kind_mix(summary),
        *[figures.change_text(change) for change in changed.to_dict("records")],
    ]


def _compared(
    session: Session, filters: Filters, entry: registry.Aggregate, figure: go.Figure,
    value: str, compare: bool | None, weekly: bool = True,
    draw: Callable[[go.Figure, pd.DataFrame, int], go.Figure] | None = None,
) -> list[Any]:  # fmt: skip
    """``figure``, with the previous period of the same length drawn over it when
    ``compare`` is on and that period exists (a start, an end, days before the start):
    by ``draw(figure, previous frame, days to move it)`` when given, else as the dotted
    line of its totals of ``value``."""
    before = filters.previous() if compare else None
    if before is None or filters.start is None or filters.end is None:
        return [figure]
    length = (filters.end - filters.start).days + 1
    previous = entry.run(session, before)
    if draw is not None:
        return [draw(figure, previous, length)]
    return [figures.previous_period(figure, previous, value, length, weekly)]


def overview_over_time(
    session: Session, filters: Filters, compare: bool | None = False
) -> list[Any]:
    entry = registry.STATEMENTS_OVER_TIME
    figure = figures.statements_over_time(entry.run(session, filters))
    return _compared(session, filters, entry, figure, "statements", compare)


def overview_people_over_time(
    session: Session, filters: Filters, compare: bool | None = False
) -> list[Any]:
    entry = registry.ACTIVE_PEOPLE_OVER_TIME
    figure = figures.active_people(entry.run(session, filters))
    return _compared(session, filters, entry, figure, "people", compare, weekly=False)


def overview_rhythm(session: Session, filters: Filters) -> list[Any]:
    return [figures.rhythm(registry.RHYTHM.run(session, filters))]


def overview_top_people(session: Session, filters: Filters) -> list[Any]:
    return [figures.stacked_people(registry.TOP_PEOPLE.run(session, filters))]


def overview_top_activities(session: Session, filters: Filters) -> list[Any]:
    """The most used activities as a bar table, each named with its kind (formal or
    informal) and opening the Explorer on its statements under the page's filters."""
    frame = registry.TOP_ACTIVITIES.run(session, filters)
    frame["activity"] = [
        f"{name} ({kind})" if isinstance(kind, str) else str(name)
        for name, kind in zip(frame["name"], frame["source_kind"], strict=True)
    ]
    frame["explorer_query"] = _explorer_queries(filters, OVERVIEW_PATH, "activity",
                                                frame["activity_id"])  # fmt: skip
    hint = "Send statements about activities."
    return [_bar_ranking(frame, "statements", "activities", hint, "overview-top-activities-bars",
                         label="activity")]  # fmt: skip


def overview_top_verbs(session: Session, filters: Filters) -> list[Any]:
    """The most used verbs (by their concept's name) as a bar table, each opening the
    Explorer on its statements under the page's filters."""
    frame = registry.TOP_VERBS.run(session, filters)
    frame["verb"] = [
        concept if isinstance(concept, str) and concept else _tail(str(verb))
        for verb, concept in zip(frame["verb_id"], frame["concept"], strict=True)
    ]
    frame["explorer_query"] = _explorer_queries(filters, OVERVIEW_PATH, "verb", frame["verb_id"])
    hint = "Send statements with any verb."
    return [_bar_ranking(frame, "statements", "verbs", hint, "overview-top-verbs-bars",
                         label="verb")]  # fmt: skip


# -- courses -------------------------------------------------------------------------


FUNNEL_ORDERS = {
    "people": "most people first",
    "pass_rate": "lowest pass rate first",
    "completion_rate": "lowest completion rate first",
    "mean_score": "lowest mean score first",
    "median_minutes": "least time spent first",
    "name": "by name",
}
"""The orders the courses page offers (``lrs.insight.courses.FUNNEL_SORTS``), as it
names them: the worst course first is one choice away."""


def courses_funnel(session: Session, filters: Filters, sort: str | None = "people") -> list[Any]:
    """The funnel and the completion and pass rates (one query), in the order ``sort``
    (``FUNNEL_ORDERS``; most people first when absent or unknown)."""
    order = sort if sort in FUNNEL_ORDERS else "people"
    funnel = registry.COURSE_FUNNEL.run(session, filters, sort=order)
    ordered = FUNNEL_ORDERS[order]
    return [figures.course_funnel(funnel, ordered), figures.course_rates(funnel, ordered)]


def courses_scores(session: Session, filters: Filters) -> list[Any]:
    return [figures.score_histogram(registry.SCORE_DISTRIBUTION.run(session, filters))]


def courses_time(session: Session, filters: Filters) -> list[Any]:
    return [figures.time_spent(registry.TIME_SPENT.run(session, filters))]


def courses_stalled(session: Session, filters: Filters, days: int | None = 14) -> list[Any]:
    """The stalled learners' table and the note above it (idle for ``days``, default 14)."""
    frame = registry.STALLED.run(session, filters, days=min(max(int(days or 14), 1), 3650))
    total = int(frame.attrs["total"])
    note = (
        f"{len(frame)} of {figures.n(total)} stalled (person, course) pairs, longest idle first"
        if total
        else "No one is stalled: every started course has a completion or recent activity."
    )
    frame = frame.assign(last_day=frame["last_day"].astype(str))
    return [table(frame.to_dict("records"), STALLED_COLUMNS) if total else None, note]


# -- knowledge -----------------------------------------------------------------------


def knowledge_contributions(
    session: Session, filters: Filters, compare: bool | None = False
) -> list[Any]:
    entry = registry.CONTRIBUTIONS_OVER_TIME
    figure = figures.contributions_over_time(entry.run(session, filters))
    return _compared(session, filters, entry, figure, "statements", compare)


def knowledge_participation(session: Session, filters: Filters) -> list[Any]:
    pyramid = registry.PARTICIPATION.run(session, filters)
    return [figures.participation(pyramid, registry.CONTRIBUTION_SHARES.run(session, filters))]


def knowledge_ranking(session: Session, filters: Filters, metric: str) -> list[Any]:
    """One content ranking of ``CONTENT_RANKINGS``, by its key, as a bar table: each name
    opens the Explorer on that content's statements under the page's filters."""
    chosen, content, noun, measure = next(
        (m, c, n, u) for key, m, c, n, u in CONTENT_RANKINGS if key == metric
    )
    frame = registry.TOP_CONTENT.run(session, filters, metric=chosen, content=content).rename(
        columns={"count": measure}
    )
    frame["explorer_query"] = _explorer_queries(filters, KNOWLEDGE_PATH, "activity",
                                                frame["content_id"])  # fmt: skip
    return [_bar_ranking(frame, measure, noun, CONTENT_HINT, f"knowledge-top-{metric}-bars")]


def knowledge_contributors(session: Session, filters: Filters) -> list[Any]:
    """The top contributors with the split of their contributions by kind."""
    return [figures.top_contributors(registry.TOP_CONTRIBUTORS.run(session, filters))]


def knowledge_response(session: Session, filters: Filters) -> list[Any]:
    return [figures.response_histogram(registry.RESPONSE_TIMES.run(session, filters))]


def knowledge_topics(session: Session, filters: Filters) -> list[Any]:
    return [figures.topics(registry.EMERGING_TOPICS.run(session, filters))]


# -- convergence ---------------------------------------------------------------------


def convergence_mix(session: Session, filters: Filters) -> list[Any]:
    return [figures.team_mix(registry.TEAM_MIX.run(session, filters))]


def convergence_scatter(session: Session, filters: Filters) -> list[Any]:
    return [figures.contribution_scatter(registry.CONTRIBUTION_VS_RESULTS.run(session, filters))]


def convergence_course_to_contribution(session: Session, filters: Filters) -> list[Any]:
    frame = registry.COMPLETION_TO_CONTRIBUTION.run(session, filters)
    return [figures.completion_to_contribution(frame)]


CONTRIBUTOR_COURSE_COLUMNS = ("name", "team", "contributions", "courses_completed",
                              "courses_passed", "completed_courses")  # fmt: skip


def convergence_contributors_courses(session: Session, filters: Filters) -> list[Any]:
    """The top contributors and the courses each completed (``contributors_and_courses``):
    whether those who share knowledge are those who learn formally."""
    frame = registry.CONTRIBUTORS_AND_COURSES.run(session, filters)
    total = int(frame.attrs["total"])
    if not total:
        return [None, "No informal contributions in this range: no one to rank."]
    learners = int((frame["courses_completed"] > 0).sum())
    note = (f"The top {len(frame)} of {figures.n(total)} contributors: {learners} of them "
            "completed a course in the range")  # fmt: skip
    return [table(frame.to_dict("records"), CONTRIBUTOR_COURSE_COLUMNS), note]


def convergence_network(
    session: Session, filters: Filters, relation: str | None = "contribute"
) -> list[Any]:
    chosen = relation if relation in ("contribute", "learn") else "contribute"
    return [figures.network(registry.KNOWLEDGE_FLOW.run(session, filters, relation=chosen), chosen)]


# -- people --------------------------------------------------------------------------


def person(
    session: Session, filters: Filters, query: str = "", compare: bool | None = False
) -> list[Any]:
    """The chosen person's cards, timeline (with the previous period when ``compare``)
    and latest statements; without a person, the directory of the most active people,
    linked with the page's ``query`` kept."""
    chosen = filters.person
    if not chosen:
        return [_directory(registry.TOP_PEOPLE.run(session, filters, limit=20), query)]
    summary = registry.PERSON_SUMMARY.run(session, filters)
    timeline = registry.STATEMENTS_OVER_TIME.run(session, filters)
    recent = registry.FACTS.run(session, filters, page=0, size=20)
    row = summary.iloc[0]
    cards = [
        kpi(f"{row[key]:.1f}" if key == "hours_learning" else figures.n(row[key]),
            label, f"people-kpi-{key}")
        for key, label in PERSON_CARDS
    ]  # fmt: skip
    score = "—" if row["mean_score"] is None else f"{row['mean_score']:.0%}"
    drawn = figures.person_timeline(timeline, str(row["name"]))
    [drawn] = _compared(session, filters, registry.STATEMENTS_OVER_TIME, drawn, "statements",
                        compare)  # fmt: skip
    timeline_graph = graph("people-timeline", drawn)
    recent = recent.assign(timestamp=recent["timestamp"].astype(str))
    return [
        html.Div(
            [
                html.H3(f"{row['name']}", className="h5"),
                html.P(f"{figures.n(row['statements'])} statements · mean score {score}",
                       className="text-muted"),
                dbc.Row(cards),
                dbc.Card(
                    dbc.CardBody(
                        [
                            timeline_graph,
                            drill_store("people-timeline"),
                            numbers_link("people-timeline", query),
                        ],
                        className="p-1",
                    ),
                    className="mb-3 shadow-sm",
                ),
                html.H4(f"Latest {len(recent)} of {figures.n(row['statements'])} statements",
                        className="h6"),
                table(recent.to_dict("records"), RECENT_COLUMNS, id="people-recent"),
            ]
        )
    ]  # fmt: skip


def _directory(top: Any, query: str, path: str = "/people") -> Any:
    if top.empty:
        return dbc.Alert("No people yet: send statements with an actor.", color="secondary")
    base = dash.get_relative_path(path)
    values = query_values(query)
    items = [
        html.Li(
            dcc.Link(
                f"{name} — {figures.n(count)} statements",
                href=base + to_query({**values, "person": key}),
            )
        )
        for key, name, count in top[["actor_key", "name", "statements"]].itertuples(index=False)
    ]
    return html.Div(
        [
            html.P(
                f"Most active {len(top)} of {figures.n(top.attrs['total'])} people; "
                "pick one or search above.",
                className="text-muted",
            ),
            html.Ul(items, id=f"{path.strip('/')}-directory"),
        ]
    )


# -- explorer ------------------------------------------------------------------------


def explorer(session: Session, filters: Filters, page: int | None = 0) -> list[Any]:
    """The table of one page of statements, the count, the page note and whether the
    newer and older buttons are disabled."""
    total = activity.count_facts(session, filters)
    pages = max(1, -(-total // EXPLORER_PAGE_SIZE))
    number = min(max(int(page or 0), 0), pages - 1)
    rows = registry.FACTS.run(session, filters, page=number, size=EXPLORER_PAGE_SIZE)
    if not total:
        note = "No statements match: widen the filters or send statements to /xapi/statements."
        return [None, note, "", True, True]
    ids = statements.ids_of(session, [int(seq) for seq in rows["seq"]])
    rows = rows.assign(
        timestamp=rows["timestamp"].astype(str),
        statement_id=[_opener(int(seq), ids.get(int(seq), "")) for seq in rows["seq"]],
    )
    first = number * EXPLORER_PAGE_SIZE + 1
    return [
        table(rows.to_dict("records"), EXPLORER_COLUMNS),
        f"{figures.n(total)} statements",
        f"{figures.n(first)}-{figures.n(first + len(rows) - 1)} of {figures.n(total)}",
        number == 0,
        number >= pages - 1,
    ]


EXPLORER_OPEN = "explorer-open"
"""The type of the Explorer's buttons that open one statement (their ``seq`` says which)."""


def _opener(seq: int, statement_id: str) -> html.Button:
    return html.Button(
        statement_id, id={"type": EXPLORER_OPEN, "seq": seq}, title="Show the statement",
        className="btn btn-link btn-sm p-0 font-monospace text-start",
    )  # fmt: skip


def statement_json(session: Session, seq: int, scope: Scope) -> list[Any]:
    """The title and the pretty JSON of the statement ``seq``, exactly as stored, when
    ``scope`` may see it (else "not found", as for a statement that does not exist)."""
    found = statements.by_seq(session, seq) if activity.fact_visible(session, seq, scope) else None
    if found is None:
        return ["Statement not found", ""]
    statement_id, payload = found
    stored = json.loads(payload) if isinstance(payload, str) else payload
    text = json.dumps(stored, indent=2, ensure_ascii=False)
    return [f"Statement {statement_id}", text]


PANELS: dict[str, dict[str, Panel]] = {
    "overview": {
        "summary": overview_summary,
        "over time": overview_over_time,
        "people over time": overview_people_over_time,
        "rhythm": overview_rhythm,
        "top people": overview_top_people,
        "top activities": overview_top_activities,
        "top verbs": overview_top_verbs,
    },
    "courses": {
        "funnel": courses_funnel,
        "scores": courses_scores,
        "time": courses_time,
        "stalled": courses_stalled,
    },
    "knowledge": {
        "contributions": knowledge_contributions,
        "participation": knowledge_participation,
        **{
            f"top {metric}": partial(knowledge_ranking, metric=metric)
            for metric, *_ in CONTENT_RANKINGS
        },
        "contributors": knowledge_contributors,
        "response": knowledge_response,
        "topics": knowledge_topics,
    },
    "convergence": {
        "mix": convergence_mix,
        "scatter": convergence_scatter,
        "course to contribution": convergence_course_to_contribution,
        "contributors and courses": convergence_contributors_courses,
        "network": convergence_network,
    },
    "people": {"person": person},
    "explorer": {"statements": explorer},
}
"""Every page's panels by name: what the benchmark times."""


# -- pull: my learning and sharing, who knows, read next ------------------------------

MY_COURSE_COLUMNS = ("name", "status", "best_score", "minutes", "last_day")
MY_CONTRIBUTION_COLUMNS = ("name", "created", "readers", "reads", "reused", "comments", "likes",
                           "edits")  # fmt: skip
AUDIENCE_COLUMNS = ("name", "team", "contents", "reads", "reused", "comments", "likes", "edits")
NEXT_COLUMNS = ("name", "kind", "readers", "reads", "writers")
WRITER_COLUMNS = ("name", "team", "content_name", "linked_by", "first_day")
TABLE_ROWS = 20
"""Rows of the pull pages' tables (the numbers download has them all)."""
EVIDENCE_SHOWN = 5
"""Pieces of evidence listed per person (most points first; the rest behind a link)."""
EVIDENCE_LABELS = {"passed": "passed the course", "completed": "completed the course",
                   "wrote": "wrote", "edited": "edited", "commented": "commented on"}  # fmt: skip


EXPLORER_PATH = "/dashboards/explorer"
"""The Explorer's path (the dashboards are mounted at /dashboards/), known without a
request so that the benchmark can run the panels."""
OVERVIEW_PATH = "/dashboards/"
KNOWLEDGE_PATH = "/dashboards/knowledge"
"""The pages whose rankings' Explorer links lead back to them."""


def _explorer_queries(filters: Filters, back: str, name: str, values: Any) -> list[str]:
    """For each of ``values``, the Explorer's query on the page's ``filters`` narrowed to
    the filter ``name`` set to it, with the way ``back`` to the page as it was."""
    page = filters.as_query()
    way_back = back + to_query(page)
    return to_queries({**page, name: str(value), "back": way_back} for value in values)


def _bar_ranking(
    frame: Any, value: str, noun: str, hint: str, table_id: str, total: int | None = None,
    label: str = "name",
) -> Any:  # fmt: skip
    """A top-N list as a bar table, titled "Top k of N <noun>", whose names open the
    Explorer on their statements (``explorer_query``); ``hint`` when it is empty."""
    if frame.empty:
        return empty_note(hint)
    total = int(frame.attrs.get("total", len(frame))) if total is None else total
    records = _with_explorer_hrefs(frame)
    title = f"Top {len(frame)} of {figures.n(total)} {noun}"
    return bar_table(records, label, value, "explorer_href", title, table_id)


def _link_table(frame: Any, columns: Any, table_id: str, column: str = "name") -> Any:
    """``frame`` as a table whose ``column`` links to the Explorer on its
    ``explorer_query`` (one Markdown component, see ``markdown_table``)."""
    return markdown_table(
        _with_explorer_hrefs(frame), columns, {column: "explorer_href"}, id=table_id
    )


def _with_explorer_hrefs(frame: Any) -> list[dict[str, Any]]:
    """``frame``'s rows, each with ``explorer_href``: the Explorer on its
    ``explorer_query``."""
    records: list[dict[str, Any]] = frame.to_dict("records")
    for record in records:
        record["explorer_href"] = EXPLORER_PATH + str(record["explorer_query"])
    return records


def me_courses(session: Session, filters: Filters) -> list[Any]:
    """The person's summary line and courses (status, score, minutes); without a person,
    the directory of the most active people, each opening this page."""
    if not filters.person:
        query = to_query({"from": _text(filters.start), "to": _text(filters.end),
                          "team": filters.team, "kind": filters.kind})  # fmt: skip
        top = registry.TOP_PEOPLE.run(session, filters, limit=20)
        return [_directory(top, query, "/me")]
    row = registry.PERSON_SUMMARY.run(session, filters).iloc[0]
    frame = registry.PERSON_COURSES.run(session, filters)
    # The most recent courses only: each cell is a component the browser's renderer
    # builds, and a person in 135 courses kept the page from being drawn for 15 s.
    frame, total = frame.head(TABLE_ROWS), len(frame)
    frame = frame.assign(explorer_query=[to_query({"person": filters.person, "activity": c})
                                         for c in frame["course"]])  # fmt: skip
    note = (
        [html.P(f"The {TABLE_ROWS} most recent of {total} (all in the API's person_courses "
                "aggregate)", className="small text-muted", id="me-courses-note")]
        if total > TABLE_ROWS else []
    )  # fmt: skip
    return [
        html.Div(
            [
                html.H3(str(row["name"]), className="h5", id="me-name"),
                html.P(
                    f"{figures.n(row['courses_completed'])} courses completed, "
                    f"{figures.n(row['courses_passed'])} passed, "
                    f"{row['hours_learning']:.1f} hours in courses · "
                    f"{figures.n(row['contributions'])} contributions",
                    className="text-muted",
                    id="me-line",
                ),
                html.H4(f"My courses ({total})", className="h6"),
                *note,
                _link_table(frame, MY_COURSE_COLUMNS, "me-courses-table"),
            ]
        )
    ]


def me_contributions(session: Session, filters: Filters) -> list[Any]:
    """Who read my content (a chart of readers per content), the table of my content
    with each reaction, and the people who reacted."""
    if not filters.person:
        return [empty_note("Choose a person."), None, None]
    mine = registry.MY_CONTRIBUTIONS.run(session, filters)
    audience = registry.MY_AUDIENCE.run(session, filters, limit=TABLE_ROWS)
    chart = _bar_ranking(
        mine.head(10), "readers", "pieces of content I wrote, by readers",
        "Nothing written in the range: posts, pages and questions appear here with who "
        "read them.", "me-contributions-bars", total=len(mine),
    )  # fmt: skip
    audience = audience.assign(explorer_query=[to_query({"person": k})
                                               for k in audience["actor_key"]])  # fmt: skip
    return [
        chart,
        html.Div(
            [
                html.P(f"The {min(len(mine), TABLE_ROWS)} most read of {len(mine)} (all in the "
                       "numbers download)", className="small text-muted"),
                _link_table(mine.head(TABLE_ROWS), MY_CONTRIBUTION_COLUMNS,
                            "me-contributions-table"),
            ]
        ),
        html.Div(
            [
                html.H4(f"Who read, reused, commented on or liked it ({len(audience)} of "
                        f"{audience.attrs['total']})", className="h6"),
                _link_table(audience, AUDIENCE_COLUMNS, "me-audience-table"),
            ]
        ),
    ]  # fmt: skip


def me_timeline(session: Session, filters: Filters, compare: bool | None = False) -> list[Any]:
    """The person's timeline, with the previous period's points when ``compare``."""
    if not filters.person:
        return [figures.empty_figure("Learning and sharing", "Choose a person.")]
    entry = registry.MY_TIMELINE
    frame = entry.run(session, filters)
    # The name as the reader's scope sees it (nothing of a person outside it).
    name = registry.PERSON_SUMMARY.run(session, filters).iloc[0]["name"]
    figure = figures.my_timeline(frame, str(name))
    return _compared(session, filters, entry, figure, "statements", compare,
                     draw=figures.previous_points)  # fmt: skip


def me_after(session: Session, filters: Filters) -> list[Any]:
    if not filters.person:
        return [None]
    frame = registry.AFTER_MY_COURSES.run(session, filters)
    if frame.empty:
        return [html.P("Nobody else completed the courses completed here yet.",
                       className="text-muted")]  # fmt: skip
    return [_link_table(frame, NEXT_COLUMNS, "me-after-table")]


def experts_ranking(session: Session, filters: Filters, topic: str | None = "") -> list[Any]:
    """The people who know about ``topic``: a chart of their scores and, per person, the
    evidence with a link to its statements."""
    text = (topic or "").strip()
    if not text:
        return [empty_note("Type a topic above."), None]
    try:
        registry.EXPERTS.parse({"topic": text})
        ranked, evidence = pull.ranking_with_evidence(session, filters, text, shown=EVIDENCE_SHOWN)
    except LRSError as error:
        return [empty_note(str(error)), None]
    chart = _bar_ranking(
        ranked, "score", f"people who know about {_short(text)}, by points",
        f"No evidence on {text!r}: no course, post or page matches it.", "experts-bars",
    )  # fmt: skip
    # One Markdown component for the whole list: as Dash components (an item, a link and
    # a text per piece of evidence) the browser took longer to draw it than the server to
    # rank everyone.
    pieces: dict[str, list[dict[str, Any]]] = {}
    for piece in evidence.to_dict("records"):  # records: a frame is slow to walk row by row
        pieces.setdefault(str(piece["actor_key"]), []).append(piece)
    people = []
    for row in ranked.to_dict("records"):
        mine = pieces.get(str(row["actor_key"]), [])
        more = int(mine[0]["pieces"]) - len(mine) if mine else 0
        items = [
            f"- {EVIDENCE_LABELS[e['evidence']]} "
            f"{markdown_link(str(e['activity_name']), EXPLORER_PATH + str(e['explorer_query']))}"
            f" · {e['points']} points" + (f" ({e['statements']})" if e["statements"] > 1 else "")
            for e in mine
        ]
        if more:
            link = markdown_link(f"and {more} more", EXPLORER_PATH + str(row["explorer_query"]))
            items.append(f"- {link}")
        people.append(
            f"**{row['rank']}\\. {escaped(str(row['name']))}** ({escaped(str(row['team']))}) — "
            f"{row['score']} points\n\n" + "\n".join(items)
        )
    return [
        chart,
        dcc.Markdown(
            "\n\n".join(people), id="experts-list", link_target="_self", className="markdown-list"
        ),
    ]


def next_reading(session: Session, filters: Filters, course: str | None = "") -> list[Any]:
    """What the graduates of ``course`` read most, and those who wrote on its topic."""
    if not course:
        return [empty_note("Choose a course above."), None, None]
    try:
        frame = registry.READ_NEXT.run(session, filters, course=course)
        # The earliest writers only: a course everyone completed has thousands, a table
        # the browser cannot draw (the registry's course_writers, the same query, gives
        # them all; READ_NEXT has checked the course).
        writers = pull.course_writers(session, filters, course, first=TABLE_ROWS)
    except LRSError as error:  # a course from a hand-edited URL: say what is wrong with it
        return [empty_note(str(error)), None, None]
    chart = _bar_ranking(
        frame, "readers", "posts and pages its graduates read, by readers",
        "Nobody who completed this course has read a post or page since.", "next-bars",
    )  # fmt: skip
    shown = writers
    note = (
        html.P("None of its graduates wrote on its topic yet.", className="text-muted")
        if writers.empty
        else html.Div(
            [
                html.P(f"The {len(shown)} earliest of {writers.attrs['total']} (all in the API's "
                       "course_writers aggregate)", className="small text-muted",
                       id="next-writers-note"),
                _link_table(shown, WRITER_COLUMNS, "next-writers-table", "content_name"),
            ]
        )
    )  # fmt: skip
    return [chart, _link_table(frame, NEXT_COLUMNS, "next-table"), note]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
