"""The Explorer's downloads are ``/api/export/statements`` files: one CSV format and one
NDJSON format, one writer (``lrs.services.exports``), for the statements the Explorer
lists under its filters and its reader's scope.

On the known data set (``tests.lrs.insight.data``: 21 statements stored by people, one
of them voided, plus the voiding statement), each Explorer file equals byte for byte the
export of the same statements read with a credential: the header, every cell and the
order (storage order).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections import Counter
from typing import Any

import pyarrow.parquet as pq
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs.insight.activity import fact_selection
from lrs.insight.filters import Filters
from lrs.services import exports, users
from lrs.services.exports import CSV_HEADER, ExportSpec
from lrs.store.engine import Database
from lrs.store.statements import StatementQuery
from statements.vocabulary import Verbs
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.helpers import dashboards_sign_in
from tests.lrs.insight.data import actor_key

PASSWORD = "correct horse"
BASIC = {
    "Authorization": "Basic " + base64.b64encode(f"{TEST_KEY}:{TEST_SECRET}".encode()).decode()
}


def _agent(handle: str) -> str:
    return json.dumps({"mbox": f"mailto:{handle}@example.com"})


def _sign_in(client: FlaskClient, database: Database, role: users.Role) -> None:
    users.create(database, username=role.name, password=PASSWORD, role=role)
    dashboards_sign_in(client, role.name, PASSWORD)


def _api(app: Flask, **params: str) -> bytes:
    """The export read with the test credential (a client without the session cookie)."""
    response = app.test_client().get("/api/export/statements", query_string=params, headers=BASIC)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data()


def _explorer(client: FlaskClient, fmt: str, query: str = "") -> bytes:
    response = client.get(f"/dashboards/export.{fmt}{query}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data()


def _records(body: bytes) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert tuple(rows[0]) == CSV_HEADER
    return [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]


# (Explorer query, the same statements as /api/export parameters, how many)
SAME_SET = [
    ("?kind=formal", {"kind": "formal"}, 10),
    ("?kind=informal", {"kind": "informal"}, 10),
    (f"?verb={Verbs.LAUNCHED}", {"verb": Verbs.LAUNCHED}, 3),
    (f"?person={actor_key('ann')}", {"agent": _agent("ann")}, 8),
    (f"?person={actor_key('ann')}&kind=informal", {"agent": _agent("ann"), "kind": "informal"}, 3),
]


@pytest.mark.parametrize(("query", "params", "count"), SAME_SET)
def test_explorer_files_are_the_api_export_files(
    app: Flask,
    client: FlaskClient,
    database: Database,
    seeded: dict[str, Any],
    query: str,
    params: dict[str, str],
    count: int,
) -> None:
    """REQ-DASH-EXPLORER-CSV: one format, one writer."""
    _sign_in(client, database, users.Role("admin"))
    explorer_csv = _explorer(client, "csv", query)
    assert explorer_csv == _api(app, **params, format="csv")
    assert len(_records(explorer_csv)) == count
    explorer_ndjson = _explorer(client, "ndjson", query)
    assert explorer_ndjson == _api(app, **params)
    assert len(explorer_ndjson.splitlines()) == count


def test_the_whole_set_leaves_out_voided_and_voiding_statements(
    app: Flask, client: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    """The Explorer lists no voided statement (as the export leaves them out) and no
    voiding statement (it has no fact): otherwise its file is the whole export."""
    _sign_in(client, database, users.Role("admin"))
    exported = _api(app, format="csv").splitlines(keepends=True)
    voiding = [line for line in exported if Verbs.VOIDED.encode() in line]
    assert len(exported) == 1 + 21 and len(voiding) == 1
    everything = _explorer(client, "csv")
    assert everything == b"".join(line for line in exported if line not in voiding)
    records = _records(everything)
    assert len(records) == 20
    assert {r["voided"] for r in records} == {"false"}
    assert len(_records(_api(app, format="csv", include_voided="true"))) == 22
    lines = _api(app).splitlines(keepends=True)
    assert _explorer(client, "ndjson") == b"".join(
        line for line in lines if Verbs.VOIDED.encode() not in line
    )


def test_team_and_platform_columns(
    client: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    """The Explorer's team and system are columns of the one format (for both files)."""
    _sign_in(client, database, users.Role("admin"))
    records = _records(_explorer(client, "csv", "?kind=informal"))
    assert Counter(r["team"] for r in records) == {"Alpha": 4, "Beta": 5, "": 1}
    assert Counter(r["platform"] for r in records) == {"blog": 5, "wiki": 3, "forum": 2}
    assert Counter(r["source_kind"] for r in records) == {"informal": 10}
    formal = _records(_explorer(client, "csv", "?kind=formal&team=Beta"))
    assert [(r["actor_name"], r["verb"], r["course"]) for r in formal] == [
        ("Cat", "launched", "http://lms.example.com/courses/python"),
        ("Dan", "registered", "http://lms.example.com/courses/python"),
    ]


def test_parquet_has_the_team_too(app: Flask, seeded: dict[str, Any]) -> None:
    table = pq.read_table(io.BytesIO(_api(app, kind="informal", format="parquet")))
    assert Counter(table.column("team").to_pylist()) == {"Alpha": 4, "Beta": 5, None: 1}


def test_a_manager_downloads_the_export_of_their_teams_only(
    app: Flask, client: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    _sign_in(client, database, users.Role("manager", teams=("Alpha",)))
    mine = _records(_explorer(client, "csv"))
    everyone = _records(_api(app, format="csv"))
    assert mine == [r for r in everyone if r["team"] == "Alpha"]
    assert len(mine) == 12
    assert {r["actor_name"] for r in mine} == {"Ann", "Ben"}
    ben = f"?person={actor_key('ben')}"
    assert _explorer(client, "csv", ben) == _api(app, agent=_agent("ben"), format="csv")
    assert len(_records(_explorer(client, "csv", ben))) == 4
    # Another team's person, or another team, is nothing: the header alone.
    header = (",".join(CSV_HEADER) + "\r\n").encode()
    assert _explorer(client, "csv", f"?person={actor_key('cat')}") == header
    assert _explorer(client, "csv", "?team=Beta") == header
    assert _explorer(client, "ndjson", "?team=Beta") == b""


def test_a_member_downloads_the_export_of_their_own_statements(
    app: Flask, client: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    _sign_in(client, database, users.Role("member", person="ann@example.com"))
    assert _explorer(client, "csv") == _api(app, agent=_agent("ann"), format="csv")
    assert _explorer(client, "ndjson") == _api(app, agent=_agent("ann"))
    assert len(_records(_explorer(client, "csv"))) == 8
    assert len(_records(_explorer(client, "csv", f"?person={actor_key('ben')}"))) == 0


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_pages_of_any_size_make_the_same_file(
    database: Database, seeded: dict[str, Any], fmt: exports.ExportFormat
) -> None:
    """Walked a few statements at a time (many pages and seq windows), the file is the
    same, and is what ``export`` writes for those statements."""
    where = fact_selection(Filters(kind="formal"))
    spec = ExportSpec(StatementQuery(ascending=True), source_kind="formal", fmt=fmt)
    expected = b"".join(exports.export(database, seeded["principal"], spec))
    assert fmt == "ndjson" or expected.count(b"\r\n") == 1 + 10
    for size in (1, 2, 3, 7, 2000):
        chunks = exports.export_facts(database, where, "csv" if fmt == "csv" else "ndjson",
                                      page_size=size)  # fmt: skip
        assert b"".join(chunks) == expected, size
