"""Read replicas (LRS_READ_DATABASE_URL) against a real streaming replica of PostgreSQL.

The pair (``tests.replication``) is a fresh primary and a ``pg_basebackup -R`` replica
streaming from it. Pausing the replica's WAL replay makes it lag on purpose: what a
request then sees tells which server answered it, and the Consistent-Through header
must not run ahead of what the replica has applied.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.store.engine import Database
from lrs.store.models import Base
from tests.conftest import KEPT_TABLES, TEST_KEY, TEST_SECRET, _prepare
from tests.factories import make_agent, make_statement
from tests.helpers import XapiClient
from tests.replication import ReplicatedPair, bindir, free_port

VERB = "http://adlnet.gov/expapi/verbs/experienced"
STATE = {
    "activityId": "http://example.com/activities/replicas",
    "agent": '{"mbox": "mailto:replicas@example.com"}',
    "stateId": "bookmark",
}


@pytest.fixture(scope="module")
def pair() -> Iterator[ReplicatedPair]:
    programs = bindir()
    if programs is None:
        if os.environ.get("LRS_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL's programs (initdb, pg_ctl, pg_basebackup) are missing")
        pytest.skip("PostgreSQL's programs (initdb, pg_ctl, pg_basebackup) are missing")
    replicated = ReplicatedPair(programs)
    try:
        replicated.start()
        _prepare(replicated.primary_url)
        yield replicated
    finally:
        replicated.close()


@pytest.fixture
def fresh(pair: ReplicatedPair) -> Iterator[ReplicatedPair]:
    """The pair with an empty store, the replica caught up and replaying."""
    engine = sa.create_engine(pair.primary_url, poolclass=sa.NullPool)
    tables = ", ".join(
        f'"{table.name}"' for table in Base.metadata.sorted_tables if table.name not in KEPT_TABLES
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()
    pair.wait_caught_up()
    yield pair
    if not (pair.replica_dir / "postmaster.pid").exists():
        pair.start_replica()
    pair.resume_replay()


def _app(primary: str, read_urls: str, **settings: Any) -> Flask:
    app = create_app(
        Settings(
            database_url=primary,
            read_database_url=read_urls,
            read_retry_seconds=1,
            secret_key="test",
            dashboards=False,
            forwarding_worker=False,
            sources_worker=False,
            **settings,
        )
    )
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(fresh: ReplicatedPair) -> Iterator[Flask]:
    app = _app(fresh.primary_url, fresh.replica_url)
    yield app
    context.of(app).database.dispose()


@pytest.fixture
def lrs(app: Flask) -> XapiClient:
    return XapiClient(app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")


def _api(client: FlaskClient, path: str) -> Any:
    token = base64.b64encode(f"{TEST_KEY}:{TEST_SECRET}".encode()).decode()
    return client.get(f"/api/{path}", headers={"Authorization": f"Basic {token}"})


def _post(lrs: XapiClient, count: int = 1) -> list[dict[str, Any]]:
    """Store ``count`` statements; each as the LRS returns it (with ``stored``)."""
    statements = [make_statement(verb={"id": VERB}, actor=make_agent()) for _ in range(count)]
    assert lrs.post("statements", json=statements).status_code == 200
    return [lrs.get("statements", query_string={"statementId": s["id"]}).get_json()
            for s in statements]  # fmt: skip


def _query(lrs: XapiClient) -> tuple[set[str], dt.datetime]:
    """The ids GET /statements?verb= answers, and its Consistent-Through."""
    response = lrs.get("statements", query_string={"verb": VERB, "limit": 100})
    assert response.status_code == 200
    header = response.headers["X-Experience-API-Consistent-Through"]
    ids = {statement["id"] for statement in response.get_json()["statements"]}
    return ids, dt.datetime.fromisoformat(header)


def _stored(statement: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(statement["stored"])


def _read_connections(url: str) -> int:
    """How many connections for replica reads (named lrs-read) the server at ``url`` has."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.connect() as connection:
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lrs-read'"
        ).scalar_one()
    engine.dispose()
    return int(count)


def test_statement_queries_read_from_the_replica(fresh: ReplicatedPair, lrs: XapiClient) -> None:
    """Queries open connections named lrs-read on the replica and none on the primary."""
    stored = _post(lrs, 3)
    fresh.wait_caught_up()
    ids, through = _query(lrs)
    assert ids == {s["id"] for s in stored}
    assert through >= max(_stored(s) for s in stored)
    assert _read_connections(fresh.replica_url) >= 1
    assert _read_connections(fresh.primary_url) == 0


def test_a_lagging_replica_answers_with_what_it_has_applied(
    fresh: ReplicatedPair, lrs: XapiClient, app: Flask
) -> None:
    """With replay paused, queries, exports and aggregates miss the newest statement and
    Consistent-Through stays before its `stored`; what must see its own write does."""
    old = _post(lrs)[0]
    fresh.wait_caught_up()
    fresh.pause_replay()
    new = _post(lrs)[0]  # read back by statementId: the primary answers that
    ids, through = _query(lrs)
    assert ids == {old["id"]}
    assert _stored(old) <= through < _stored(new)
    client = app.test_client()
    exported = _api(client, "export/statements").get_data(as_text=True)
    assert old["id"] in exported
    assert new["id"] not in exported
    facts = _api(client, "aggregates/facts?range=all").get_json()["records"]
    assert len(facts) == 1
    # Documents follow their ETags on the primary: a PUT is read back at once.
    assert lrs.put("activities/state", query_string=STATE, json={"page": 3}).status_code == 204
    assert lrs.get("activities/state", query_string=STATE).get_json() == {"page": 3}

    fresh.resume_replay()
    fresh.wait_caught_up()
    ids, through = _query(lrs)
    assert ids == {old["id"], new["id"]}
    assert through >= _stored(new)


def test_a_replica_too_far_behind_leaves_reads_to_the_primary(fresh: ReplicatedPair) -> None:
    app = _app(fresh.primary_url, fresh.replica_url, read_max_lag_seconds=1)
    lrs = XapiClient(app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
    try:
        _post(lrs)
        fresh.wait_caught_up()
        fresh.pause_replay()
        new = _post(lrs)[0]
        time.sleep(2.2)  # the last commit it replayed is now over a second old
        ids, through = _query(lrs)
        assert new["id"] in ids
        assert through >= _stored(new)
    finally:
        context.of(app).database.dispose()


def test_reads_fail_over_to_the_primary_and_back(fresh: ReplicatedPair, lrs: XapiClient) -> None:
    stored = _post(lrs, 2)
    fresh.wait_caught_up()
    assert _query(lrs)[0] == {s["id"] for s in stored}
    fresh.stop_replica()
    ids, through = _query(lrs)
    assert ids == {s["id"] for s in stored}
    assert through >= max(_stored(s) for s in stored)
    assert _read_connections(fresh.primary_url) == 0

    fresh.start_replica()
    time.sleep(1.2)  # LRS_READ_RETRY_SECONDS=1
    assert _query(lrs)[0] == {s["id"] for s in stored}
    assert _read_connections(fresh.replica_url) >= 1


def test_several_replicas_skip_one_that_is_down(fresh: ReplicatedPair) -> None:
    down = fresh.replica_url.replace(f":{fresh.replica_port}/", f":{free_port()}/")
    app = _app(fresh.primary_url, f"{down}, {fresh.replica_url}")
    lrs = XapiClient(app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
    try:
        stored = _post(lrs)
        fresh.wait_caught_up()
        fresh.pause_replay()
        newer = _post(lrs)
        for _ in range(3):  # each replica's turn comes; the one that is down is skipped
            assert _query(lrs)[0] == {stored[0]["id"]}
        assert newer[0]["id"] not in _query(lrs)[0]
    finally:
        context.of(app).database.dispose()


def test_replicas_need_a_postgresql_primary(tmp_path: Any, pair: ReplicatedPair) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        Database(f"sqlite:///{tmp_path / 'lrs.db'}", [pair.replica_url])
