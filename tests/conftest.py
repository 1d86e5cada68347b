"""Fixtures: a real SQLite file and a real PostgreSQL database behind the app.

Tests that use ``app``/``client``/``database`` run once per backend named in
``LRS_TEST_DATABASES`` (default ``sqlite,postgresql``). PostgreSQL is reached at
``LRS_TEST_POSTGRES_URL``; when it cannot be reached its tests are skipped, unless
``LRS_TEST_REQUIRE_POSTGRES=1`` (as in CI), where that is an error.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.services import credentials
from lrs.store import migrate
from lrs.store.engine import Database
from lrs.store.models import Base
from tests.helpers import XapiClient

POSTGRES_ADMIN_URL = os.environ.get(
    "LRS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_KEY = "test-key"
TEST_SECRET = "test-secret-value"
# A fixed Fernet key (LRS_FORWARDING_KEY) so that tests can add forwarding rules.
TEST_FORWARDING_KEY = "yl1GGLssM11ugo7z3i67T4sSNXCmRCXaLZ1jbmxY3Rk="
# Tables that survive between tests on PostgreSQL (the test credential lives there).
KEPT_TABLES = frozenset({"credential", "alembic_version"})

# No time limit per generated example: the suite runs in two processes on two shared
# cores, where a pure function's example can wait longer than hypothesis' 200 ms for a
# core (a failure that says nothing about the code). Example counts stay per test.
hypothesis.settings.register_profile("lrs", deadline=None)
hypothesis.settings.load_profile("lrs")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        wanted = os.environ.get("LRS_TEST_DATABASES", "sqlite,postgresql")
        backends = [name.strip() for name in wanted.split(",") if name.strip()]
        metafunc.parametrize("backend", backends, scope="session")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "lrs.db"
    _prepare(f"sqlite:///{path}")
    return path


def _prepare(url: str) -> None:
    """Migrate and add the test credential (hashing it once per run keeps tests fast)."""
    database = Database(url)
    migrate.upgrade(database.engine)
    credentials.ensure(database, key=TEST_KEY, secret=TEST_SECRET, home_page="http://lrs.test")
    database.dispose()


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    name = f"lrs_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        if os.environ.get("LRS_TEST_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    url = sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _prepare(url)
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of the backend under test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "lrs.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("_postgres_url")
    engine = sa.create_engine(url)
    tables = ", ".join(
        f'"{table.name}"' for table in Base.metadata.sorted_tables if table.name not in KEPT_TABLES
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Tests that forward statements drive delivery themselves (forwarding.deliver_due).
    return Settings(
        database_url=database_url,
        secret_key="test",
        dashboards=False,
        forwarding_worker=False,
        sources_worker=False,
        forwarding_key=TEST_FORWARDING_KEY,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    database: Database = context.of(app).database
    if database.dialect == "postgresql":
        # Responses a test did not read to the end may still hold a session in a
        # suspended generator: collect them now, while their pool can take the
        # connection back, rather than at some later test's garbage collection.
        gc.collect()
    database.dispose()


@pytest.fixture
def database(app: Flask) -> Database:
    db: Database = context.of(app).database
    return db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(params=["1.0.3", "2.0.0"])
def xapi(request: pytest.FixtureRequest, client: FlaskClient) -> XapiClient:
    """An xAPI client speaking each version in turn, with valid credentials."""
    return XapiClient(client, TEST_KEY, TEST_SECRET, request.param)


@pytest.fixture
def seeded(database: Database) -> dict[str, Any]:
    """The read side's small organisation with known numbers (``tests.lrs.insight.data``),
    stored through the real ingest service."""
    from tests.lrs.insight.data import seed

    return seed(database)
