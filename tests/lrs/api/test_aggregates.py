"""GET /api/aggregates/<name>: the dashboards' numbers for known data, as JSON."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from lrs import csvfile
from lrs.insight import registry
from lrs.store.engine import Database
from tests.helpers import XapiClient, assert_error, scoped_client
from tests.lrs.api.conftest import ApiClient
from tests.lrs.api.data import COMMENTED, PASSED, known_statements
from tests.lrs.insight.data import PYTHON, SAFETY, WIKI_PAGE, actor_key


@pytest.fixture
def stored(lrs: XapiClient) -> dict[str, dict[str, Any]]:
    known = known_statements()
    for statement in known.values():
        assert lrs.post("statements", json=statement).status_code == 200
    return known


def test_the_list_names_every_aggregate(api: ApiClient) -> None:
    listed = api.get("aggregates").get_json()
    names = {entry["name"] for entry in listed}
    assert {"summary", "statements_over_time", "top_verbs", "course_funnel"} <= names
    assert all(entry["description"] for entry in listed)


def test_summary_counts_known_data(api: ApiClient, stored: dict[str, Any]) -> None:
    body = api.get("aggregates/summary").get_json()
    assert body["name"] == "summary"
    # The voided statement is not counted, the voiding statement has no fact.
    [row] = body["records"]
    assert (row["statements"], row["formal"], row["informal"], row["other"]) == (3, 1, 1, 1)
    assert row["people"] == 3
    assert set(body["columns"]) >= {"statements", "formal", "informal", "other"}


def test_over_time_by_day_and_kind(api: ApiClient, stored: dict[str, Any]) -> None:
    records = api.get("aggregates/statements_over_time").get_json()["records"]
    by_day = {(r["day"][:10], r["source_kind"]): r["statements"] for r in records}
    assert by_day == {
        ("2026-03-02", "formal"): 1,
        ("2026-03-03", "informal"): 1,
        ("2026-03-04", "other"): 1,
    }


def test_filters_come_from_the_query_string(api: ApiClient, stored: dict[str, Any]) -> None:
    body = api.get("aggregates/summary?kind=formal&from=2026-03-01&to=2026-03-31").get_json()
    assert body["filters"]["kind"] == "formal"
    assert body["filters"]["start"] == "2026-03-01"
    assert body["records"][0]["statements"] == 1
    verbs = api.get("aggregates/top_verbs").get_json()["records"]
    assert {PASSED, COMMENTED} <= {v for r in verbs for v in r.values() if isinstance(v, str)}


def test_empty_store_gives_numbers_not_errors(api: ApiClient) -> None:
    for entry in api.get("aggregates").get_json():
        required = [p["name"] for p in entry["parameters"] if p.get("required")]
        needed = "&".join(f"{name}=nobody" for name in [*entry["needs"], *required])
        response = api.get(f"aggregates/{entry['name']}?{needed}")
        assert response.status_code == 200, (entry["name"], response.get_data(as_text=True))
        assert response.get_json()["columns"] == entry["columns"]


def test_errors(api: ApiClient, client: FlaskClient, database: Database) -> None:
    assert_error(api.get("aggregates/nope"), 404)
    assert_error(api.get("aggregates/summary?color=red"), 400, "color")
    assert_error(client.get("/api/aggregates/summary"), 401)
    mine = scoped_client(client, database, "2.0.0", ["statements/read/mine"])
    assert_error(client.get("/api/aggregates/summary", headers=mine.headers), 403)


def test_every_registry_entry_is_listed_and_reachable_with_its_columns(
    api: ApiClient, seeded: dict[str, Any]
) -> None:
    """On the read side's known data set: each entry answers under its name with the
    columns it declares and the rows its query returns."""
    listed = {entry["name"]: entry for entry in api.get("aggregates").get_json()}
    assert list(listed) == list(registry.AGGREGATES)
    ann = actor_key("ann")
    for name, entry in registry.AGGREGATES.items():
        assert listed[name]["columns"] == list(entry.columns)
        assert [p["name"] for p in listed[name]["parameters"]] == [p.name for p in entry.parameters]
        query = {"person": ann} if entry.needs else {}
        query.update({p: {"topic": "safety", "course": SAFETY}[p] for p in entry.required})
        body = api.get(f"aggregates/{name}", query_string=query)
        assert body.status_code == 200, (name, body.get_data(as_text=True))
        assert body.get_json()["columns"] == list(entry.columns), name
    course_funnel = api.get("aggregates/course_funnel").get_json()["records"]
    assert {row["course"]: row["passed"] for row in course_funnel} == {SAFETY: 1, PYTHON: 0}
    person = api.get(f"aggregates/person_summary?person={ann}").get_json()["records"]
    assert (person[0]["name"], person[0]["statements"]) == ("Ann", 8)


def test_parameters_of_an_entry_are_typed_query_parameters(
    api: ApiClient, seeded: dict[str, Any]
) -> None:
    body = api.get("aggregates/top_verbs?limit=1").get_json()
    assert (body["parameters"], len(body["records"])) == ({"limit": 1}, 1)
    edited = api.get("aggregates/top_content?metric=edited&limit=5").get_json()
    assert edited["parameters"] == {"metric": "edited", "limit": 5, "content": "any"}
    assert [row["content_id"] for row in edited["records"]] == [WIKI_PAGE]
    stalled = api.get("aggregates/stalled?days=1&limit=3").get_json()
    assert stalled["parameters"] == {"days": 1, "limit": 3, "offset": 0}
    learn = api.get("aggregates/knowledge_flow?relation=learn").get_json()["records"]
    assert {(row["source"], row["target"]) for row in learn} >= {
        (actor_key("dan"), actor_key("ann"))
    }
    page = api.get("aggregates/facts?page=1&size=7").get_json()["records"]
    assert len(page) == 7


@pytest.mark.parametrize(
    ("query", "path", "allowed"),
    [
        ("summary?from=garbage", "from", "YYYY-MM-DD"),
        ("summary?to=2026-13-01", "to", "YYYY-MM-DD"),
        ("summary?from=2026-03-01Tnoon", "from", "YYYY-MM-DD"),
        ("summary?to=9999-12-31", "to", "9998-12-31"),
        ("summary?range=bogus", "range", "7d, 30d, 90d, 1y, all"),
        ("summary?from=2026-03-05&to=2026-03-01", "from", "after to"),
        ("summary?kind=formall", "kind", "formal, informal, other"),
        ("top_verbs?limit=0", "limit", "from 1 to 1000"),
        ("top_verbs?limit=1001", "limit", "from 1 to 1000"),
        ("top_verbs?limit=%C2%B2", "limit", "whole number"),
        ("top_verbs?limit=-3", "limit", "whole number"),
        ("top_verbs?limit=ten", "limit", "whole number"),
        ("stalled?days=0", "days", "from 1 to 3650"),
        ("top_content?metric=liked", "metric", "read, edited, discussed, reused"),
        ("knowledge_flow?relation=all", "relation", "contribute, learn"),
        ("person_summary", "person", "person filter"),
        ("summary?limit=3", "limit", "unexpected"),
        ("top_verbs?days=3", "days", "unexpected"),
    ],
)
def test_bad_filters_and_parameters_are_a_400_naming_them(
    api: ApiClient, query: str, path: str, allowed: str
) -> None:
    """Issue 15: a value the API cannot use is refused, never silently ignored."""
    error = assert_error(api.get(f"aggregates/{query}"), 400, path)
    assert allowed in error["message"]


def test_blank_values_mean_the_defaults(api: ApiClient, stored: dict[str, Any]) -> None:
    body = api.get("aggregates/top_verbs?limit=&from=&kind=").get_json()
    assert body["parameters"] == {"limit": 10}
    assert body["filters"]["start"] is None and body["filters"]["kind"] is None


def test_format_csv_gives_the_same_records_through_the_one_csv_writer(
    api: ApiClient, seeded: dict[str, Any]
) -> None:
    as_json = api.get("aggregates/course_funnel?limit=5").get_json()
    response = api.get("aggregates/course_funnel?limit=5&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="course_funnel.csv"' in response.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == as_json["columns"]
    assert len(rows) == len(as_json["records"]) == 2
    for row, record in zip(rows, as_json["records"], strict=True):
        assert row == [csvfile.cell(record[column]) for column in header]
    assert_error(api.get("aggregates/summary?format=xlsx"), 400, "format")
