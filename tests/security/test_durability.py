"""Durability: a 200 means committed, a failed batch leaves nothing, concurrent writers of
one statement id end with one statement, concurrent document writers follow ETags."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from lrs.store.engine import Database
from lrs.store.keys import key_number
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_activity, make_agent, make_statement
from tests.helpers import XapiClient, assert_error
from tests.security.consistency import problems

BOOM = "http://example.com/activities/boom"
TABLES = ("statement", "statement_agent", "statement_activity", "learning_fact",
          "daily_activity", "activity", "agent", "index_key")  # fmt: skip


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in TABLES
            }
    finally:
        engine.dispose()


def test_a_statement_is_committed_when_its_post_returns(
    xapi: XapiClient, database_url: str
) -> None:
    statement = make_statement()
    response = xapi.post("statements", json=statement)
    assert response.status_code == 200
    # A second engine, a new connection: nothing shared with the app's session.
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT count(*) FROM statement WHERE id = :id"), {"id": statement["id"]}
            ).scalar_one()
    finally:
        engine.dispose()
    assert found == 1


@pytest.fixture
def boom_trigger(database: Database, backend: str) -> Iterator[None]:
    """A database-level failure: inserting an index row for activity BOOM raises a unique
    violation, after the batch's statement rows were inserted in the same transaction."""
    with database.engine.begin() as connection:
        if backend == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON statement_activity "
                f"WHEN NEW.activity_number = {key_number(BOOM)} "
                "BEGIN SELECT RAISE(ABORT, 'forced'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.activity_number = {key_number(BOOM)} THEN RAISE unique_violation USING "
                "MESSAGE = 'forced'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON statement_activity "
                "FOR EACH ROW EXECUTE FUNCTION boom()"
            )
    yield
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "DROP TRIGGER boom" + (" ON statement_activity" if backend != "sqlite" else "")
        )
        if backend != "sqlite":
            connection.exec_driver_sql("DROP FUNCTION boom()")


def test_a_batch_failing_in_the_database_stores_none_of_it(
    xapi: XapiClient, database_url: str, database: Database, boom_trigger: None
) -> None:
    before = _counts(database_url)
    batch = [
        make_statement(actor=make_agent(f"p{i}"), object=make_activity(f"http://example.com/a/{i}"))
        for i in range(5)
    ]
    batch.append(make_statement(object=make_activity(BOOM)))
    response = xapi.post("statements", json=batch)
    error = assert_error(response, 500)
    assert error["code"] == "internal_error"
    assert "forced" not in response.get_data(as_text=True)  # no internals leak
    assert _counts(database_url) == before
    assert problems(database) == []
    # The same batch without the failing statement is stored whole.
    assert xapi.post("statements", json=batch[:-1]).status_code == 200


def _race(app: Flask, count: int, send: Callable[[XapiClient, int], TestResponse]) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def run(index: int) -> None:
        client = XapiClient(app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
        barrier.wait()
        statuses[index] = send(client, index).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _stored(database_url: str, statement_id: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.text("SELECT count(*) FROM statement WHERE id = :id"), {"id": statement_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_writers_of_one_identical_statement_all_succeed(
    app: Flask, database_url: str, database: Database, round_: int
) -> None:
    """XAPI-00011: re-sending an identical statement is not an error, even concurrently."""
    statement = make_statement()

    def send(client: XapiClient, index: int) -> TestResponse:
        if index % 2:
            return client.put("statements", query_string={"statementId": statement["id"]},
                              json=statement)  # fmt: skip
        return client.post("statements", json=[statement, make_statement()])

    statuses = _race(app, 8, send)
    assert set(statuses) <= {200, 204}, statuses
    assert _stored(database_url, statement["id"]) == 1
    assert problems(database) == []


def test_concurrent_writers_of_one_id_with_different_content_one_wins(
    app: Flask, database_url: str, database: Database
) -> None:
    statement_id = make_statement()["id"]

    def send(client: XapiClient, index: int) -> TestResponse:
        statement = make_statement(id=statement_id, actor=make_agent(f"writer{index}"))
        return client.post("statements", json=statement)

    statuses = Counter(_race(app, 8, send))
    assert statuses == {200: 1, 409: 7}, statuses
    assert _stored(database_url, statement_id) == 1
    assert problems(database) == []


STATE = {
    "activityId": "http://example.com/activities/doc",
    "agent": json.dumps(make_agent("doc")),
    "stateId": "race",
}


def test_concurrent_creators_of_a_document_one_wins(app: Flask) -> None:
    def send(client: XapiClient, index: int) -> TestResponse:
        return client.put("activities/state", query_string=STATE, json={"writer": index},
                          headers={"If-None-Match": "*"})  # fmt: skip

    statuses = Counter(_race(app, 8, send))
    assert statuses == {204: 1, 412: 7}, statuses


def test_concurrent_updaters_of_a_document_one_wins(app: Flask) -> None:
    client = XapiClient(app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
    assert client.put("activities/state", query_string=STATE, json={"v": 0},
                      headers={"If-None-Match": "*"}).status_code == 204  # fmt: skip
    etag = client.get("activities/state", query_string=STATE).headers["ETag"]

    def send(client: XapiClient, index: int) -> TestResponse:
        return client.put("activities/state", query_string=STATE, json={"v": index + 1},
                          headers={"If-Match": etag})  # fmt: skip

    statuses = Counter(_race(app, 8, send))
    assert statuses == {204: 1, 412: 7}, statuses
    final = client.get("activities/state", query_string=STATE)
    assert final.get_json()["v"] >= 1


def test_concurrent_merges_of_a_document_lose_no_key(app: Flask) -> None:
    def send(client: XapiClient, index: int) -> TestResponse:
        return client.post("activities/state", query_string=STATE, json={f"k{index}": index})

    statuses = _race(app, 8, send)
    assert set(statuses) == {204}, statuses
    client = XapiClient(app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
    merged: dict[str, Any] = client.get("activities/state", query_string=STATE).get_json()
    assert merged == {f"k{i}": i for i in range(8)}
