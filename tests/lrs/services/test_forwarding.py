"""Statement forwarding against a real HTTP receiver: outbox, HMAC, retries, replay."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from lrs.errors import BadRequest, Conflict, Forbidden, NotFound
from lrs.services import credentials, forwarding
from lrs.services.principal import OPERATOR, Principal
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from lrs.store.models import ForwardingDelivery
from tests.conftest import TEST_FORWARDING_KEY, TEST_KEY, TEST_SECRET
from tests.factories import make_statement, make_verb
from tests.lrs.api.data import COMMENTED, PASSED, known_statements
from tests.lrs.api.receiver import Receiver, receiver

SECRET = "webhook-secret"
BOX = forwarding.SecretBox(TEST_FORWARDING_KEY)


@pytest.fixture
def target() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


@pytest.fixture
def principal(database: Database) -> Principal:
    found = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert found is not None
    return found


def _webhook(database: Database, url: str, **values: Any) -> dict[str, Any]:
    return forwarding.create_rule(
        database, OPERATOR, {"name": "hook", "kind": "webhook", "url": url + "/hook",
                             "secret": SECRET, **values}, box=BOX,
    )  # fmt: skip


def _store(database: Database, principal: Principal, *statements: dict[str, Any]) -> None:
    store_statements(database, list(statements), version="2.0.0", principal=principal)


def _outbox(database: Database) -> list[tuple[str, str, int]]:
    with database.reading() as session:
        rows = session.execute(
            sa.select(
                ForwardingDelivery.statement_id,
                ForwardingDelivery.status,
                ForwardingDelivery.attempts,
            ).order_by(ForwardingDelivery.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_webhook_delivery_is_signed_with_hmac(
    database: Database, principal: Principal, target: Receiver
) -> None:
    _webhook(database, target.url)
    known = known_statements()
    _store(database, principal, known["passed"], known["commented"])
    report = forwarding.deliver_due(database, BOX)
    assert (report.delivered, report.failed) == (2, 0)
    [request] = target.requests
    assert request.path == "/hook"
    stamp = request.headers["x-lrs-timestamp"]
    assert abs(int(stamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + request.body, hashlib.sha256)
    assert hmac.compare_digest(request.headers["x-lrs-signature"], "sha256=" + expected.hexdigest())
    delivered = orjson.loads(request.body)
    assert [s["id"] for s in delivered] == [known["passed"]["id"], known["commented"]["id"]]
    assert all("stored" in s and "authority" in s for s in delivered)
    assert [row[1:] for row in _outbox(database)] == [("delivered", 1), ("delivered", 1)]


def test_xapi_target_gets_basic_auth_and_the_version_header(
    database: Database, principal: Principal, target: Receiver
) -> None:
    forwarding.create_rule(database, OPERATOR, {
        "name": "lrs", "kind": "xapi", "url": target.url + "/xapi/", "username": "u",
        "password": "p", "xapi_version": "1.0.3",
    }, box=BOX)  # fmt: skip
    _store(database, principal, known_statements()["passed"])
    assert forwarding.deliver_due(database, BOX).delivered == 1
    [request] = target.requests
    assert request.path == "/xapi/statements"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    assert request.headers["x-experience-api-version"] == "1.0.3"
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("rule", "forwarded"),
    [
        ({"verbs": [PASSED]}, ["passed"]),
        ({"source_kinds": ["informal"]}, ["commented"]),
        ({"activity_types": ["http://adlnet.gov/expapi/activities/assessment"]}, ["passed"]),
        ({"verbs": [PASSED, COMMENTED], "source_kinds": ["formal"]}, ["passed"]),
        ({"active": False}, []),
    ],
)
def test_rules_filter_what_is_queued(
    database: Database,
    principal: Principal,
    target: Receiver,
    rule: dict[str, Any],
    forwarded: list[str],
) -> None:
    _webhook(database, target.url, **rule)
    known = known_statements()
    _store(database, principal, known["passed"], known["commented"], known["other"])
    assert [row[0] for row in _outbox(database)] == [known[name]["id"] for name in forwarded]


def test_nothing_is_queued_without_rules(database: Database, principal: Principal) -> None:
    _store(database, principal, make_statement())
    assert _outbox(database) == []
    assert forwarding.deliver_due(database, BOX).attempted == 0


def test_a_rolled_back_batch_queues_nothing(
    database: Database, principal: Principal, target: Receiver
) -> None:
    _webhook(database, target.url)
    first = make_statement()
    _store(database, principal, first)
    clash = {**first, "verb": make_verb(PASSED)}
    with pytest.raises(Conflict):
        _store(database, principal, make_statement(), clash)
    assert [row[0] for row in _outbox(database)] == [first["id"]]


def test_server_errors_are_retried_with_exponential_backoff(
    database: Database, principal: Principal, target: Receiver
) -> None:
    _webhook(database, target.url)
    _store(database, principal, make_statement())
    target.statuses = [500, 503]
    t0 = dt.datetime.now(dt.UTC)
    assert forwarding.deliver_due(database, BOX, now=t0).retried == 1
    with database.reading() as session:
        due = session.execute(sa.select(ForwardingDelivery.next_attempt)).scalar_one()
    assert due == t0 + dt.timedelta(seconds=2)
    # Not due yet: nothing is sent.
    assert forwarding.deliver_due(database, BOX, now=t0 + dt.timedelta(seconds=1)).attempted == 0
    assert forwarding.deliver_due(database, BOX, now=t0 + dt.timedelta(seconds=2)).retried == 1
    with database.reading() as session:
        due = session.execute(sa.select(ForwardingDelivery.next_attempt)).scalar_one()
    assert due == t0 + dt.timedelta(seconds=2 + 4)
    assert forwarding.deliver_due(database, BOX, now=t0 + dt.timedelta(seconds=6)).delivered == 1
    assert len(target.requests) == 3
    assert _outbox(database)[0][1:] == ("delivered", 3)


def test_backoff_doubles_and_is_capped() -> None:
    assert [forwarding.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert forwarding.backoff(40).total_seconds() == 3600


def test_failed_deliveries_are_listed_and_replayed(
    database: Database, principal: Principal, target: Receiver
) -> None:
    _webhook(database, target.url)
    statement = make_statement()
    _store(database, principal, statement)
    target.statuses = [500, 500]
    t0 = dt.datetime.now(dt.UTC)
    forwarding.deliver_due(database, BOX, now=t0, max_attempts=2)
    report = forwarding.deliver_due(database, BOX, now=t0 + dt.timedelta(hours=1), max_attempts=2)
    assert report.failed == 1
    [failed] = forwarding.list_deliveries(database, OPERATOR, status="failed")
    assert failed["statement_id"] == statement["id"]
    assert failed["attempts"] == 2
    assert "500" in failed["last_error"]
    # A failed delivery stays failed...
    assert forwarding.deliver_due(database, BOX, now=t0 + dt.timedelta(days=1)).attempted == 0
    # ...until replayed.
    assert forwarding.replay(database, OPERATOR, failed["id"]) == 1
    assert forwarding.deliver_due(database, BOX).delivered == 1
    assert forwarding.list_deliveries(database, OPERATOR, status="failed") == []
    with pytest.raises(Conflict):
        forwarding.replay(database, OPERATOR, failed["id"])
    with pytest.raises(NotFound):
        forwarding.replay(database, OPERATOR, 999_999)


def test_client_errors_fail_at_once(
    database: Database, principal: Principal, target: Receiver
) -> None:
    _webhook(database, target.url)
    _store(database, principal, make_statement())
    target.statuses = [400]
    assert forwarding.deliver_due(database, BOX).failed == 1
    assert _outbox(database)[0][1:] == ("failed", 1)


def test_an_unreachable_target_is_retried(database: Database, principal: Principal) -> None:
    _webhook(database, "http://127.0.0.1:9")
    _store(database, principal, make_statement())
    report = forwarding.deliver_due(database, BOX, timeout=2)
    assert report.retried == 1
    assert "could not be reached" in report.errors[0]


def test_a_claimed_delivery_is_not_claimed_twice(
    database: Database, principal: Principal, target: Receiver
) -> None:
    """Two workers claiming at once get disjoint rows; a dead worker's lease runs out."""
    from lrs.store import forwarding as store

    _webhook(database, target.url)
    _store(database, principal, make_statement(), make_statement())
    now = dt.datetime.now(dt.UTC)
    lease = dt.timedelta(minutes=5)
    with database.writing() as session:
        first = store.claim(session, token="a", now=now, lease=lease, limit=1)
    with database.writing() as session:
        second = store.claim(session, token="b", now=now, lease=lease, limit=10)
    with database.writing() as session:
        third = store.claim(session, token="c", now=now, lease=lease, limit=10)
    assert len(first) == len(second) == 1
    assert first[0].id != second[0].id
    assert third == []
    with database.writing() as session:
        later = store.claim(session, token="d", now=now + lease * 2, lease=lease, limit=10)
    assert len(later) == 2


def test_the_worker_thread_delivers_in_the_background(
    database: Database, principal: Principal, target: Receiver
) -> None:
    _webhook(database, target.url)
    worker = forwarding.Worker(database, BOX, poll_seconds=0.05, timeout=5, max_attempts=3)
    worker.start()
    try:
        _store(database, principal, make_statement())
        assert target.arrived.wait(10)
    finally:
        worker.stop()
        worker.thread.join(timeout=5)
    assert not worker.thread.is_alive()


def test_rules_are_checked_and_never_show_secrets(database: Database, target: Receiver) -> None:
    rule = _webhook(database, target.url, verbs=[PASSED])
    assert rule["has_secret"] is True
    assert "secret" not in rule
    assert forwarding.list_rules(database, OPERATOR) == [rule]
    with pytest.raises(Conflict):
        _webhook(database, target.url)
    with pytest.raises(BadRequest):
        forwarding.create_rule(
            database, OPERATOR, {"name": "x", "kind": "webhook", "url": target.url}, box=BOX
        )
    with pytest.raises(BadRequest):
        forwarding.create_rule(
            database, OPERATOR, {"name": "x", "kind": "ftp", "url": target.url}, box=BOX
        )
    with pytest.raises(BadRequest):
        forwarding.create_rule(
            database,
            OPERATOR,
            {"name": "x", "kind": "webhook", "url": "file:///etc", "secret": "s"},
            box=BOX,
        )
    changed = forwarding.update_rule(database, OPERATOR, rule["id"], {"active": False}, box=BOX)
    assert changed["active"] is False
    assert changed["has_secret"] is True
    forwarding.remove_rule(database, OPERATOR, rule["id"])
    assert forwarding.list_rules(database, OPERATOR) == []


def test_forwarding_needs_scope_all(database: Database) -> None:
    reader = credentials.create(
        database, name="r", scopes=["all/read"], home_page="http://lrs.test"
    )
    with pytest.raises(Forbidden):
        forwarding.list_rules(database, reader.principal)
