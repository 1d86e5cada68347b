"""GET /api/aggregates/<name>: the dashboards' numbers for known data, as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lrs.store.engine import Database
from tests.helpers import XapiClient, assert_error, scoped_client
from tests.lrs.api.conftest import ApiClient
from tests.lrs.api.data import COMMENTED, PASSED, known_statements


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
        response = api.get(f"aggregates/{entry['name']}")
        assert response.status_code == 200, (entry["name"], response.get_data(as_text=True))


def test_errors(api: ApiClient, client: FlaskClient, database: Database) -> None:
    assert_error(api.get("aggregates/nope"), 404)
    assert_error(api.get("aggregates/summary?color=red"), 400, "color")
    assert_error(client.get("/api/aggregates/summary"), 401)
    mine = scoped_client(client, database, "2.0.0", ["statements/read/mine"])
    assert_error(client.get("/api/aggregates/summary", headers=mine.headers), 403)
