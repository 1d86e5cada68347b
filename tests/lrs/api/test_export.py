"""GET /api/export/statements: NDJSON and CSV exports with xAPI filters, streamed."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import orjson
import pytest
from flask.testing import FlaskClient

from lrs.services.exports import CSV_HEADER
from tests.helpers import XapiClient, assert_error, scoped_client
from tests.lrs.api.conftest import ApiClient
from tests.lrs.api.data import COURSE, ODD_VERB, PASSED, REGISTRATION, known_statements


@pytest.fixture
def stored(lrs: XapiClient) -> dict[str, dict[str, Any]]:
    """The known statements, stored in order, as the LRS returns them."""
    known = known_statements()
    for statement in known.values():
        response = lrs.post("statements", json=statement)
        assert response.status_code == 200, response.get_data(as_text=True)
    result = {}
    for name, statement in known.items():
        if name == "voided":
            response = lrs.get("statements", query_string={"voidedStatementId": statement["id"]})
        else:
            response = lrs.get("statements", query_string={"statementId": statement["id"]})
        result[name] = response.get_json()
    return result


def _lines(body: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in body.splitlines() if line.strip()]


def test_ndjson_is_the_exact_stored_statements_in_storage_order(
    api: ApiClient, stored: dict[str, dict[str, Any]]
) -> None:
    response = api.get("export/statements")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    expected = [stored[name] for name in ("passed", "commented", "other", "voiding")]
    assert _lines(response.data) == expected


def test_include_voided_keeps_the_voided_state(
    api: ApiClient, stored: dict[str, dict[str, Any]]
) -> None:
    lines = _lines(api.get("export/statements?include_voided=true").data)
    assert {"voided": True, "statement": stored["voided"]} in lines
    assert len(lines) == 5


def test_descending_order_on_request(api: ApiClient, stored: dict[str, dict[str, Any]]) -> None:
    lines = _lines(api.get("export/statements?ascending=false").data)
    assert [s["id"] for s in lines] == [
        stored[name]["id"] for name in ("voiding", "other", "commented", "passed")
    ]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"verb": PASSED}, ["passed"]),
        ({"agent": json.dumps({"mbox": "mailto:bob@example.com"})}, ["commented"]),
        ({"activity": COURSE, "related_activities": "true"}, ["passed"]),
        ({"registration": REGISTRATION}, ["passed"]),
        ({"kind": "formal"}, ["passed"]),
        ({"kind": "informal"}, ["commented"]),
        ({"kind": "other", "verb": ODD_VERB}, ["other"]),
        # The old name of kind is still accepted, alone or agreeing with it.
        ({"source_kind": "formal"}, ["passed"]),
        ({"source_kind": "informal", "kind": "informal"}, ["commented"]),
    ],
)
def test_filters(
    api: ApiClient,
    stored: dict[str, dict[str, Any]],
    params: dict[str, str],
    names: list[str],
) -> None:
    response = api.get("export/statements", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [s["id"] for s in _lines(response.data)] == [stored[n]["id"] for n in names]


def test_since_and_until_bound_stored(api: ApiClient, stored: dict[str, dict[str, Any]]) -> None:
    since = stored["commented"]["stored"]
    lines = _lines(api.get("export/statements", query_string={"since": since}).data)
    assert stored["passed"]["id"] not in {s["id"] for s in lines}
    lines = _lines(api.get("export/statements", query_string={"until": since}).data)
    assert stored["passed"]["id"] in {s["id"] for s in lines}


def test_csv_has_the_documented_header_and_flat_values(
    api: ApiClient, stored: dict[str, dict[str, Any]]
) -> None:
    response = api.get("export/statements?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == CSV_HEADER
    records = [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]
    assert len(records) == 4
    passed = records[0]
    assert passed["statement_id"] == stored["passed"]["id"]
    assert passed["timestamp"] == "2026-03-02T10:00:00.000Z"
    assert passed["actor_name"] == "Alice"
    assert passed["actor_id"] == "mailto:alice@example.com"
    assert passed["verb_id"] == PASSED
    assert passed["verb"] == "passed"
    assert passed["object_id"] == COURSE + "/final-test"
    assert passed["object_name"] == "Final test"
    assert passed["object_type"] == "Activity"
    assert passed["activity_type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert (passed["score_scaled"], passed["score_raw"]) == ("0.9", "90")
    assert (passed["success"], passed["completion"]) == ("true", "true")
    assert passed["duration"] == "PT1H2M"
    assert passed["registration"] == REGISTRATION
    assert passed["course"] == COURSE
    assert passed["source_kind"] == "formal"
    assert passed["voided"] == "false"
    # A name that a spreadsheet would run as a formula is neutralised.
    assert records[1]["actor_name"] == "'=Bob"
    assert records[1]["source_kind"] == "informal"
    assert records[3]["object_type"] == "StatementRef"


def test_csv_with_voided(api: ApiClient, stored: dict[str, dict[str, Any]]) -> None:
    text = api.get("export/statements?format=csv&include_voided=true").get_data(as_text=True)
    records = list(csv.DictReader(io.StringIO(text)))
    voided = [r for r in records if r["statement_id"] == stored["voided"]["id"]]
    assert voided[0]["voided"] == "true"


def test_export_needs_credentials(client: FlaskClient) -> None:
    response = client.get("/api/export/statements")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_export_needs_a_read_scope(client: FlaskClient, database: Any) -> None:
    writer = scoped_client(client, database, "2.0.0", ["statements/write"])
    response = client.get("/api/export/statements", headers=writer.headers)
    assert_error(response, 403)


def test_read_mine_exports_only_own_statements(
    client: FlaskClient, database: Any, stored: dict[str, dict[str, Any]]
) -> None:
    mine = scoped_client(client, database, "2.0.0", ["statements/write", "statements/read/mine"])
    own = known_statements()["other"]
    assert mine.post("statements", json=own).status_code == 200
    response = client.get("/api/export/statements", headers=mine.headers)
    assert [s["id"] for s in _lines(response.data)] == [own["id"]]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("format=xml", "format"),
        ("limit=3", "limit"),
        ("since=yesterday", "since"),
        ("kind=both", "kind"),
        ("source_kind=both", "source_kind"),
        ("kind=formal&source_kind=informal", "kind"),
        ("agent=notjson", ""),
        ("registration=nope", "registration"),
        ("ascending=maybe", "ascending"),
    ],
)
def test_bad_parameters_are_400(
    api: ApiClient, stored: dict[str, dict[str, Any]], query: str, path: str
) -> None:
    assert_error(api.get(f"export/statements?{query}"), 400, path or None)


def test_empty_store_exports_nothing(api: ApiClient) -> None:
    assert api.get("export/statements").data == b""
    rows = list(
        csv.reader(io.StringIO(api.get("export/statements?format=csv").get_data(as_text=True)))
    )
    assert rows == [list(CSV_HEADER)]
