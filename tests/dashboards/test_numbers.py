"""Every chart's "download the numbers": the CSV of the registry entry it is drawn from,
byte for byte what /api/aggregates answers with format=csv under the same filters."""

from __future__ import annotations

import base64
import csv
import io
import re
from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc
from flask import Flask
from flask.testing import FlaskClient

from dashboards import numbers
from lrs.insight import registry
from lrs.services import users
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.lrs.insight.data import SAFETY, actor_key

QUERY = "kind=formal&from=2026-03-01&to=2026-03-31&days=1&back=%2Fdashboards%2F"
PULL = {"person": actor_key("ann"), "topic": "safety", "course": SAFETY}
"""What the pull views' charts need: a person, a topic, a course."""


def _query(chart: str) -> str:
    """QUERY, with the person, topic or course the chart's entry needs."""
    entry = registry.get(numbers.CHARTS[chart][0])
    extra = {name: PULL[name] for name in (*entry.needs, *entry.required)}
    return QUERY + ("&" + urlencode(extra) if extra else "")


BASIC = {
    "Authorization": "Basic " + base64.b64encode(f"{TEST_KEY}:{TEST_SECRET}".encode()).decode()
}


def _sign_in(client: FlaskClient, database: Database) -> None:
    users.create(database, username="manager", password="correct horse", role="admin")
    page = client.get("/dashboards/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(
        "/dashboards/login",
        data={"username": "manager", "password": "correct horse", "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303


def _graph_ids(component: Any) -> set[str]:
    found = {component.id} if isinstance(component, dcc.Graph) else set()
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found |= _graph_ids(child)
    return found


def test_every_chart_downloads_its_numbers(
    app: Flask, client: FlaskClient, database: Database, seeded: Any
) -> None:
    """REQ-DASH-NUMBERS-CSV: each chart's CSV is its registry entry's, with the filters."""
    _sign_in(client, database)
    with app.test_request_context("/dashboards/"):
        laid_out = set().union(*(_graph_ids(p["layout"]()) for p in dash.page_registry.values()))
        links = {chart: numbers.href(chart, _query(chart)) for chart in numbers.CHARTS}
    assert laid_out <= set(numbers.CHARTS), laid_out - set(numbers.CHARTS)
    rows_seen = 0
    for chart, link in links.items():
        assert link is not None and link.startswith("/dashboards/numbers/")
        name = link.split("/")[-1].split(".csv")[0]
        query = link.partition("?")[2]
        mine = client.get(link)
        assert mine.status_code == 200 and mine.mimetype == "text/csv", (chart, mine.data[:200])
        theirs = client.get(f"/api/aggregates/{name}?{query}&format=csv", headers=BASIC)
        assert theirs.status_code == 200, (chart, theirs.data[:300])
        assert mine.data == theirs.data, chart
        rows = list(csv.reader(io.StringIO(mine.get_data(as_text=True))))
        rows_seen += len(rows) - 1
        assert "kind=formal" in query and "back" not in query
    assert rows_seen > 0


def test_numbers_need_sign_in_and_a_known_entry(client: FlaskClient, database: Database) -> None:
    """REQ-DASH-NUMBERS-CSV: no numbers without signing in; an unknown name is a 404."""
    assert client.get("/dashboards/numbers/summary.csv").status_code in (303, 401)
    _sign_in(client, database)
    assert client.get("/dashboards/numbers/nope.csv").status_code == 404
    bad = client.get("/dashboards/numbers/top_people.csv?limit=0")
    assert bad.status_code == 400 and bad.get_json()["error"]["path"] == "limit"


def test_the_funnel_order_is_in_the_url_and_its_numbers_follow_it(
    app: Flask, client: FlaskClient, database: Database, seeded: Any
) -> None:
    """The courses page's order (``sort``) comes from the URL, and the funnel's CSV is
    the registry entry's in that order: the worst pass rate first, shareable."""
    _sign_in(client, database)
    [page] = [p for p in dash.page_registry.values() if p["path"] == "/courses"]
    with app.test_request_context("/dashboards/courses?sort=pass_rate"):
        chosen = _find(page["layout"](sort="pass_rate"), "courses-sort")
        unknown = _find(page["layout"](sort="nonsense"), "courses-sort")
        link = numbers.href("courses-funnel", "?sort=pass_rate&kind=formal")
    assert (chosen.value, unknown.value) == ("pass_rate", "people")
    assert link == "/dashboards/numbers/course_funnel.csv?sort=pass_rate&kind=formal"
    rows = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
    rates = [float(row["pass_rate"]) for row in rows]
    assert rows and rates == sorted(rates)


def _find(component: Any, wanted: str) -> Any:
    if getattr(component, "id", None) == wanted:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, wanted)
            if found is not None:
                return found
    return None


def test_the_compare_switch_is_in_the_url_and_the_numbers_follow_it(
    app: Flask, client: FlaskClient, database: Database, seeded: Any
) -> None:
    """REQ-DASH-COMPARE: ``compare=previous`` in a page's URL turns its time charts'
    switches on, and their numbers (the download as /api/aggregates) add the previous
    period's rows: the week of 03-06 .. 03-12 holds the 10 informal statements of
    03-06 .. 03-09, the week before (02-27 .. 03-05) the 10 formal ones of 03-02 .. 03-05."""
    _sign_in(client, database)
    week = "from=2026-03-06&to=2026-03-12"
    pages = {p["path"]: p for p in dash.page_registry.values()}
    with app.test_request_context(f"/dashboards/?{week}&compare=previous"):
        on = pages["/"]["layout"](**{"from": "2026-03-06", "to": "2026-03-12",
                                     "compare": "previous"})  # fmt: skip
        off = pages["/"]["layout"](**{"from": "2026-03-06", "to": "2026-03-12"})
        person = pages["/people"]["layout"](person=actor_key("ann"), compare="previous")
        me = pages["/me"]["layout"](person=actor_key("ann"), compare="previous")
        links = {chart: numbers.href(chart, f"?{week}&compare=previous")
                 for chart in ("overview-over-time", "overview-top-people")}  # fmt: skip
    for graph in ("overview-over-time", "overview-people-over-time"):
        assert _find(on, f"{graph}-compare").value is True
        assert _find(off, f"{graph}-compare").value is False
    assert _find(person, "people-timeline-compare").value is True
    assert _find(me, "me-timeline-compare").value is True
    # Only an entry over time takes it; the others' downloads leave it out.
    assert links["overview-over-time"] == (
        f"/dashboards/numbers/statements_over_time.csv?{week}&compare=previous"
    )
    assert "compare" not in str(links["overview-top-people"])
    text = client.get(str(links["overview-over-time"])).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["period"]] = totals.get(row["period"], 0) + int(row["statements"])
    assert totals == {"current": 10, "previous": 10}
    days: dict[str, set[str]] = {row["period"]: set() for row in rows}
    for row in rows:
        days[row["period"]].add(row["day"][:10])
    assert min(days["previous"]) >= "2026-02-27" and max(days["previous"]) <= "2026-03-05"
    answer = client.get(f"/api/aggregates/statements_over_time?{week}&compare=previous",
                        headers=BASIC).get_json()  # fmt: skip
    assert answer["parameters"] == {"compare": "previous"}
    assert sum(r["statements"] for r in answer["records"] if r["period"] == "previous") == 10
    # Without it, the rows of the period alone, as before; an open range has no previous.
    plain = client.get(f"/api/aggregates/statements_over_time?{week}", headers=BASIC).get_json()
    assert "period" not in plain["columns"] and sum(r["statements"] for r in plain["records"]) == 10
    open_range = client.get("/api/aggregates/statements_over_time?compare=previous",
                            headers=BASIC).get_json()  # fmt: skip
    assert {r["period"] for r in open_range["records"]} == {"current"}
    bad = client.get("/api/aggregates/statements_over_time?compare=yes", headers=BASIC)
    assert bad.status_code == 400 and bad.get_json()["error"]["path"] == "compare"
    unknown = client.get(f"/api/aggregates/top_people?{week}&compare=previous", headers=BASIC)
    assert unknown.status_code == 400
