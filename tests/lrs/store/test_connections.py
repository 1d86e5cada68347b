"""Pooled PostgreSQL connections: one the server dropped while it sat idle is replaced
before a request uses it (a connection in steady use is not pinged each time, one idle
for a second is)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from lrs.store.engine import PING_AFTER_IDLE_SECONDS, Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_statement
from tests.helpers import XapiClient


def _drop_connections(database: Database) -> int:
    """End the server processes of every connection of the app's pool, as a restart or a
    firewall would (from a connection of its own, outside that pool)."""
    other = sa.create_engine(database.engine.url, poolclass=sa.NullPool)
    try:
        with other.connect() as connection:
            ended = connection.execute(
                sa.text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            connection.rollback()
    finally:
        other.dispose()
    return int(ended)


def test_a_connection_dropped_while_idle_is_replaced_before_use(
    client: FlaskClient, database: Database, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite opens a file: no server to lose")
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "2.0.0")
    assert xapi.post("statements", json=make_statement()).status_code == 200
    pooled = database.engine.pool.checkedin()
    assert pooled >= 1
    assert _drop_connections(database) >= pooled
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.1)
    assert xapi.post("statements", json=make_statement()).status_code == 200
    assert len(xapi.get("statements").get_json()["statements"]) == 2
