"""`lrs export` and `lrs import statements` on an export: a lossless round trip."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import orjson
from click.testing import CliRunner

from lrs.cli import main
from lrs.services import credentials
from lrs.services.exports import CSV_HEADER
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_agent, make_statement
from tests.lrs.api.data import PASSED, known_statements


def test_export_then_import_statements(
    database: Database, database_url: str, _sqlite_template: Path, tmp_path: Path
) -> None:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    for statement in known_statements().values():
        store_statements(database, [statement], version="2.0.0", principal=principal)
    runner = CliRunner()
    dump = tmp_path / "backup.ndjson"
    result = runner.invoke(
        main,
        ["export", "--include-voided", "-o", str(dump)],
        env={"LRS_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in dump.read_bytes().splitlines()]
    assert len(lines) == 5

    target = tmp_path / "copy.db"
    shutil.copyfile(_sqlite_template, target)
    target_url = f"sqlite:///{target}"
    result = runner.invoke(
        main, ["import", "statements", str(dump)], env={"LRS_DATABASE_URL": target_url}
    )
    assert result.exit_code == 0, result.output
    assert "stored 5" in result.output
    copy = tmp_path / "copy.ndjson"
    result = runner.invoke(
        main,
        ["export", "--include-voided", "-o", str(copy)],
        env={"LRS_DATABASE_URL": target_url},
    )
    assert result.exit_code == 0, result.output
    assert _parsed(copy) == _parsed(dump)


def _parsed(path: Path) -> list[object]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_export_csv_to_stdout_with_a_filter(database: Database, database_url: str) -> None:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    for statement in known_statements().values():
        store_statements(database, [statement], version="2.0.0", principal=principal)
    result = CliRunner().invoke(
        main,
        ["export", "--format", "csv", "--verb", PASSED],
        env={"LRS_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(result.stdout.splitlines()))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 2
    assert rows[1][CSV_HEADER.index("verb_id")] == PASSED


def test_export_reports_bad_filters(database_url: str) -> None:
    result = CliRunner().invoke(
        main, ["export", "--since", "yesterday"], env={"LRS_DATABASE_URL": database_url}
    )
    assert result.exit_code == 1
    assert "since" in result.output


def test_export_filters_by_agent_outside_any_request(database: Database, database_url: str) -> None:
    """The command line reads its filters itself, with no HTTP request around it."""
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    for statement in known_statements().values():
        store_statements(database, [statement], version="2.0.0", principal=principal)
    bob = orjson.dumps(make_agent("bob")).decode()
    result = CliRunner().invoke(
        main, ["export", "--agent", bob], env={"LRS_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    actors = [orjson.loads(line)["actor"] for line in result.stdout.splitlines()]
    assert actors
    assert all(actor["mbox"] == make_agent("bob")["mbox"] for actor in actors)
    bad = CliRunner().invoke(
        main, ["export", "--agent", "{not json"], env={"LRS_DATABASE_URL": database_url}
    )
    assert bad.exit_code == 2
    assert "--agent" in bad.output


def test_export_kind_has_the_dashboards_name_and_keeps_its_old_one(
    database: Database, database_url: str
) -> None:
    """``--kind`` as in the dashboards' URLs and /api/aggregates; ``--source-kind``, its
    old name, still works."""
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    for statement in known_statements().values():
        store_statements(database, [statement], version="2.0.0", principal=principal)
    for option in ("--kind", "--source-kind"):
        result = CliRunner().invoke(
            main,
            ["export", "--format", "csv", option, "formal"],
            env={"LRS_DATABASE_URL": database_url},
        )
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(result.stdout.splitlines()))
        assert [row[CSV_HEADER.index("verb_id")] for row in rows[1:]] == [PASSED]


def test_import_of_a_stored_from_the_future_names_the_line(
    database: Database, database_url: str, _sqlite_template: Path, tmp_path: Path
) -> None:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    statement = make_statement(actor=make_agent("restored"))
    store_statements(database, [statement], version="2.0.0", principal=principal)
    dump = tmp_path / "backup.ndjson"
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", "-o", str(dump)], env={"LRS_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    (line,) = _parsed(dump)
    assert isinstance(line, dict)
    dump.write_bytes(orjson.dumps({**line, "stored": "2999-01-01T00:00:00Z"}) + b"\n")
    target = tmp_path / "copy.db"
    shutil.copyfile(_sqlite_template, target)
    result = runner.invoke(
        main, ["import", "statements", str(dump)], env={"LRS_DATABASE_URL": f"sqlite:///{target}"}
    )
    assert result.exit_code == 1
    assert "stored 0" in result.stdout and "rejected 1" in result.stdout
    assert "rejected line 1: stored: 2999-01-01T00:00:00Z is later than this LRS's clock" in (
        result.stderr
    )
