"""Parquet exports: the same statements as the NDJSON export, in typed columns, written
row group by row group; through /api/export/statements and `lrs export`."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from lrs.cli import main
from lrs.services import parquet
from lrs.store import exports as export_store
from lrs.store.engine import Database
from lrs.store.statements import StatementQuery
from tests.factories import make_statement
from tests.helpers import XapiClient
from tests.lrs.api.conftest import ApiClient
from tests.lrs.api.data import COURSE, ODD_VERB, PASSED, REGISTRATION, known_statements


@pytest.fixture
def stored(lrs: XapiClient) -> dict[str, str]:
    """The known statements, stored in order: name -> id."""
    known = known_statements()
    for statement in known.values():
        response = lrs.post("statements", json=statement)
        assert response.status_code == 200, response.get_data(as_text=True)
    return {name: statement["id"] for name, statement in known.items()}


def _table(body: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(body))


def _ndjson(api: ApiClient, params: dict[str, str]) -> list[Any]:
    response = api.get("export/statements", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [orjson.loads(line) for line in response.data.splitlines()]


def _parquet(api: ApiClient, params: dict[str, str]) -> pa.Table:
    response = api.get("export/statements", query_string={**params, "format": "parquet"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.apache.parquet"
    assert response.is_streamed
    assert 'filename="statements.parquet"' in response.headers["Content-Disposition"]
    return _table(response.data)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"ascending": "false"},
        {"include_voided": "true"},
        {"verb": PASSED},
        {"agent": json.dumps({"mbox": "mailto:bob@example.com"})},
        {"activity": COURSE, "related_activities": "true"},
        {"registration": REGISTRATION},
        {"source_kind": "informal"},
        {"source_kind": "other", "verb": ODD_VERB},
    ],
)
def test_parquet_holds_what_ndjson_holds(
    api: ApiClient, stored: dict[str, str], params: dict[str, str]
) -> None:
    """The same statements in the same order, each one whole in the ``statement`` column,
    under every filter of the export."""
    lines = _ndjson(api, params)
    table = _parquet(api, params)
    assert table.schema.equals(parquet.SCHEMA, check_metadata=False)
    records = table.to_pylist()
    expected = [line["statement"] if "voided" in line else line for line in lines]
    assert [orjson.loads(record["statement"]) for record in records] == expected
    assert [record["id"] for record in records] == [s["id"] for s in expected]
    assert [record["voided"] for record in records] == [bool(line.get("voided")) for line in lines]
    assert [r["stored"] for r in records] == [
        dt.datetime.fromisoformat(s["stored"]) for s in expected
    ]


def test_parquet_columns_are_typed(api: ApiClient, stored: dict[str, str]) -> None:
    table = _parquet(api, {"include_voided": "true"})
    records = {record["id"]: record for record in table.to_pylist()}
    passed = records[stored["passed"]]
    assert passed["timestamp"] == dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    assert passed["actor_key"] == "mbox:mailto:alice@example.com"
    assert (passed["actor_name"], passed["actor_type"]) == ("Alice", "Agent")
    assert (passed["verb_id"], passed["verb_display"]) == (PASSED, "passed")
    assert passed["object_id"] == COURSE + "/final-test"
    assert (passed["object_type"], passed["object_name"]) == ("Activity", "Final test")
    assert passed["activity_type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert passed["result_score_scaled"] == pytest.approx(0.9)
    assert (passed["result_score_raw"], passed["result_score_max"]) == (90.0, 100.0)
    assert (passed["result_success"], passed["result_completion"]) == (True, True)
    assert passed["result_duration"] == "PT1H2M"
    assert passed["registration"] == REGISTRATION
    assert (passed["course"], passed["source_kind"]) == (COURSE, "formal")
    assert passed["voided"] is False
    assert records[stored["voided"]]["voided"] is True
    voiding = records[stored["voiding"]]
    assert voiding["object_type"] == "StatementRef"
    assert voiding["object_id"] == stored["voided"]
    assert voiding["result_success"] is None
    assert table.schema.field("stored").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("result_score_raw").type == pa.float64()
    assert b"description" in (table.schema.field("actor_key").metadata or {})


def test_empty_store_is_an_empty_parquet_file(api: ApiClient) -> None:
    table = _parquet(api, {})
    assert table.num_rows == 0
    assert table.schema.names == list(parquet.NAMES)


def test_row_groups_are_written_as_pages_arrive(database: Database, lrs: XapiClient) -> None:
    """Each full row group is handed on before the next page is read, so memory holds one
    row group; the pieces make one valid file."""
    batch = [make_statement() for _ in range(11)]
    assert lrs.post("statements", json=batch).status_code == 200
    with database.reading() as session:
        low, high = export_store.seq_range(session)
        rows = export_store.export_page(
            session, StatementQuery(ascending=True), source_kind=None, after_seq=None,
            size=100, window=(low, high),
        )  # fmt: skip
    read: list[int] = []

    def pages() -> Any:
        for start in range(0, len(rows), 2):
            read.append(start)
            yield rows[start : start + 2]

    chunks = []
    for chunk in parquet.write(pages(), row_group_rows=4):
        chunks.append((len(read), chunk))
    # Groups of 4 are out after the 2nd and 4th pages; the last 3 rows and the footer end.
    assert [pages_read for pages_read, _ in chunks] == [2, 4, 6]
    assert chunks[0][1].startswith(b"PAR1")
    body = b"".join(chunk for _, chunk in chunks)
    assert pq.ParquetFile(io.BytesIO(body)).metadata.num_row_groups == 3
    assert _table(body).column("id").to_pylist() == [s["id"] for s in batch]


def test_cli_exports_parquet(database_url: str, lrs: XapiClient, tmp_path: Path) -> None:
    for statement in known_statements().values():
        assert lrs.post("statements", json=statement).status_code == 200
    runner = CliRunner()
    ndjson, table = tmp_path / "all.ndjson", tmp_path / "all.parquet"
    env = {"LRS_DATABASE_URL": database_url}
    for fmt, path in (("ndjson", ndjson), ("parquet", table)):
        result = runner.invoke(
            main, ["export", "--format", fmt, "--verb", PASSED, "-o", str(path)], env=env
        )
        assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in ndjson.read_bytes().splitlines()]
    records = pq.read_table(table).to_pylist()
    assert [orjson.loads(record["statement"]) for record in records] == lines
    assert [record["verb_id"] for record in records] == [PASSED]
