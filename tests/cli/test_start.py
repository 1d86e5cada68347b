"""What an `lrs` command imports before it does its work: each command imports the
services it calls when it runs, so that one command never pays for another's
libraries (an export of many thousand statements takes less time than importing the
application, pyarrow or alembic would)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import orjson
from click.testing import CliRunner

from lrs.cli import importing, main
from lrs.services import credentials, imports
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_statement

# Never needed to start a command: the application, the dashboards and their charts.
NOT_AT_START = ("flask", "dash", "plotly", "pandas", "pyarrow", "numpy", "alembic", "gunicorn")
# Never needed by an NDJSON export either.
NOT_FOR_NDJSON = (
    *NOT_AT_START,
    *("lrs.app", "lrs.services.statements", "lrs.services.persons"),
    # The data model's schemas and signatures: an export writes what was validated.
    *("marshmallow", "statements.schema", "statements.signature", "cryptography"),
    # The classification rules and the facts they make: an export makes no fact.
    *("lrs.services.classification", "lrs.store.facts", "tomllib"),
    # The progress bar, drawn on a terminal only.
    "tqdm",
)


def _imported_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **(env or {})},
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return set(orjson.loads(done.stdout.splitlines()[-1]))


def _held(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def test_the_command_starts_without_the_application_or_its_libraries() -> None:
    assert _held(_imported_by("import lrs.cli"), NOT_AT_START) == []


def test_an_ndjson_export_imports_only_what_it_uses(database: Database, database_url: str) -> None:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    store_statements(database, [make_statement()], version="2.0.0", principal=principal)
    code = "from lrs.cli import main\nmain(['export', '-o', '/dev/null'], standalone_mode=False)"
    modules = _imported_by(code, {"LRS_DATABASE_URL": database_url})
    assert "lrs.services.exports" in modules
    assert _held(modules, NOT_FOR_NDJSON) == []


def test_the_package_still_gives_create_app() -> None:
    from lrs import create_app
    from lrs.app import create_app as factory

    assert create_app is factory


def test_every_command_answers_help() -> None:
    def commands(group: click.Group, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found += commands(command, [*path, name])
            else:
                found.append([*path, name])
        return found

    runner = CliRunner()
    for path in commands(main, []):
        result = runner.invoke(main, [*path, "--help"], catch_exceptions=False)
        assert result.exit_code == 0, (path, result.output)


def test_the_import_commands_default_to_the_service_batch_size() -> None:
    assert importing.DEFAULT_BATCH_SIZE == imports.DEFAULT_BATCH_SIZE
