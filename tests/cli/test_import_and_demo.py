"""`lrs import ...` and `lrs demo --no-serve` through click's CliRunner, against a real
SQLite file and (through the fixtures) PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lrs.cli import main
from lrs.services import credentials
from lrs.store import imports as import_store
from lrs.store.engine import Database
from tests.sources.helpers import FIXTURES


def _run(url: str, *args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(main, list(args), env={"LRS_DATABASE_URL": url}, catch_exceptions=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lrs.db'}"


def test_import_prints_a_summary_and_is_idempotent(sqlite_url: str) -> None:
    source = str(FIXTURES / "courses.csv")
    first = _run(sqlite_url, "import", "courses", source, "--batch-size", "4")
    assert first.exit_code == 0, first.output
    assert f"{source}: read 9, stored 9, skipped 0 (already there), rejected 0" in first.stdout
    again = _run(sqlite_url, "import", "courses", source, "--restart")
    assert f"{source}: read 9, stored 0, skipped 9 (already there), rejected 0" in again.stdout
    resumed = _run(sqlite_url, "import", "courses", source)
    assert f"{source}: read 0, stored 0, skipped 0 (already there), rejected 0" in resumed.stdout


def test_rejections_make_the_exit_code_non_zero(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text('{"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://a.b/v"},'
                    ' "object": {"id": "http://a.b/o"}}\n{broken\n')  # fmt: skip
    result = _run(sqlite_url, "import", "statements", str(path))
    assert result.exit_code == 1
    assert "read 2, stored 1, skipped 0 (already there), rejected 1" in result.stdout
    assert "rejected line 2: not valid JSON" in result.stderr


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("wiki", b"<mediawiki><page></mediawiki>",
         "line 1, column 19: the wiki export is not well-formed XML: mismatched tag"),
        ("courses", b"learner,course\nada,x\n",
         "line 1: missing required column(s): event, timestamp (found: learner, course)"),
        ("courses", b"learner,course,event,timestamp,course\nada,x,completed,2024-01-01,y\n",
         "line 1: the column 'course' is named twice; rename or remove one"),
        ("blog", b"<rss version='2.0'><channel><title>x</title>",
         "the feed is not well-formed XML"),
    ],
)  # fmt: skip
def test_bad_input_gives_a_clear_message(
    sqlite_url: str, tmp_path: Path, kind: str, content: bytes, message: str
) -> None:
    path = tmp_path / "source"
    path.write_bytes(content)
    result = _run(sqlite_url, "import", kind, str(path))
    assert result.exit_code == 1
    assert message in result.stderr


def test_a_missing_file_is_a_clear_error(sqlite_url: str, tmp_path: Path) -> None:
    result = _run(sqlite_url, "import", "blog", str(tmp_path / "nope.xml"))
    assert result.exit_code == 1
    assert f"error: cannot read {tmp_path / 'nope.xml'}: No such file or directory" in result.stderr


def test_import_with_a_mapping_on_every_backend(database_url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "people.csv"
    mapping.write_text("user,name,mbox,team\nGraceH,Grace Hopper,grace@acme.example,Platform\n")
    result = _run(database_url, "import", "wiki", str(FIXTURES / "handbook.xml"),
                  "--mapping", str(mapping))  # fmt: skip
    assert result.exit_code == 0, result.output
    database = Database(database_url)
    try:
        with database.reading() as session:
            assert import_store.statement_count(session) == 4
    finally:
        database.dispose()


def test_demo_fills_once_and_prints_the_logins(database_url: str) -> None:
    args = ("demo", "--no-serve", "--people", "10", "--days", "21", "--seed", "5")
    first = _run(database_url, *args)
    assert first.exit_code == 0, first.output
    assert "demo organisation: 10 people, 21 days:" in first.stdout
    assert "xAPI credential: key demo / secret demo-secret" in first.stdout
    assert "dashboards login: demo / " in first.stdout
    second = _run(database_url, *args)
    assert second.exit_code == 0, second.output
    assert "statements already; left as it is" in second.stdout
    database = Database(database_url)
    try:
        # The importer's internal credential does not count as a usable one.
        assert credentials.has_any(database)
        assert [p.key for p, _, _ in credentials.listing(database)].count("demo") == 1
    finally:
        database.dispose()
