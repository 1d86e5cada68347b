"""A transaction PostgreSQL rolls back for a concurrent one (a deadlock's victim) is told
apart from other failures, and answered 503 with Retry-After instead of a 500."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.exc import DBAPIError

from lrs.store.engine import lost_to_a_concurrent_writer
from tests.helpers import assert_error


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: no deadlock between writers")
    return database_url


def _deadlock(url: str) -> DBAPIError:
    """Two transactions that each lock one row and then wait for the other's: PostgreSQL
    rolls one of them back (its victim); that one's error is returned."""
    engine = sa.create_engine(url)
    table = f"deadlock_probe_{threading.get_ident()}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE {table} (id int PRIMARY KEY, n int)")
        connection.exec_driver_sql(f"INSERT INTO {table} VALUES (1, 0), (2, 0)")
    both_locked = threading.Barrier(2)
    errors: list[DBAPIError] = []

    def lock(first: int, second: int) -> None:
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"UPDATE {table} SET n = n + 1 WHERE id = {first}")
                both_locked.wait(timeout=10)
                connection.exec_driver_sql(f"UPDATE {table} SET n = n + 1 WHERE id = {second}")
        except DBAPIError as error:
            errors.append(error)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((1, 2), (2, 1))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TABLE {table}")
        engine.dispose()
    assert len(errors) == 1, errors
    return errors[0]


def test_a_deadlocks_victim_lost_to_a_concurrent_writer(postgres_url: str) -> None:
    error = _deadlock(postgres_url)
    assert getattr(error.orig, "sqlstate", None) == "40P01"
    assert lost_to_a_concurrent_writer(error)


def test_other_database_errors_did_not(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1 / 0")
    finally:
        engine.dispose()
    assert not lost_to_a_concurrent_writer(raised.value)
    assert not lost_to_a_concurrent_writer(RuntimeError("not a database error"))


def test_a_request_rolled_back_for_a_concurrent_one_is_503_with_retry_after(
    postgres_url: str, client: FlaskClient
) -> None:
    victim = _deadlock(postgres_url)

    @client.application.get("/rolled-back")
    def rolled_back() -> None:
        raise victim

    response = client.get("/rolled-back")
    error = assert_error(response, 503)
    assert response.headers["Retry-After"] == "1"
    assert "deadlock" not in error["message"]  # internals never leak
