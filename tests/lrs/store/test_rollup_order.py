"""Every path writes the rollups in one order, ``facts.ROLLUP_ORDER``: a batch adding
facts, a voiding batch taking its targets' facts out, a batch whose registration learns
its course. Two PostgreSQL transactions that lock rows of two rollups in opposite orders
deadlock (a voiding batch took its target's counts out of the per-content rollups before
the daily ones, which an inserting batch adds to the other way round)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from lrs.services import credentials
from lrs.services.principal import Principal
from lrs.services.statements import store_statements
from lrs.store import facts
from lrs.store.engine import Database
from statements.vocabulary import ActivityTypes, Verbs
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import VERB_VOIDED, make_activity, make_agent, make_statement, make_verb

COURSE = "http://example.com/courses/safety"
REGISTRATION = "0b6f3c2e-5d1a-4c8e-9f7b-2a4d6e8c0f13"
_WRITE = re.compile(
    r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?|\s*SELECT .* FROM "?(\w+)"?.* FOR UPDATE',
    re.DOTALL,
)


def _principal(database: Database) -> Principal:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    return principal


@contextmanager
def _rollups_written(database: Database) -> Iterator[list[str]]:
    """The rollup tables written or locked by the statements run inside, in order."""
    written: list[str] = []

    def seen(*args: Any) -> None:
        match = _WRITE.match(args[2])
        table = match and (match.group(1) or match.group(2))
        if table in facts.ROLLUP_ORDER and (not written or written[-1] != table):
            written.append(table)

    sa.event.listen(database.engine, "before_cursor_execute", seen)
    try:
        yield written
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", seen)


def _in_rollup_order(written: list[str]) -> bool:
    positions = [facts.ROLLUP_ORDER.index(table) for table in written]
    return positions == sorted(positions)


def _topic(name: str) -> dict[str, Any]:
    return make_activity(
        f"http://example.com/topics/{name}",
        definition={"type": ActivityTypes.TAG, "name": {"en-US": name}},
    )


def _statements() -> list[dict[str, Any]]:
    """Facts for every kind of rollup: a course completed with a topic, a post written,
    read and commented on with topics."""
    post = make_activity(
        "http://example.com/blog/posts/1",
        definition={"type": ActivityTypes.BLOG, "name": {"en-US": "On safety"}},
    )
    informal = {"contextActivities": {"category": [_topic("safety"), _topic("fire")]}}
    return [
        make_statement(
            actor=make_agent("alice"),
            verb=make_verb(Verbs.COMPLETED),
            object=make_activity(
                COURSE, definition={"type": ActivityTypes.COURSE, "name": {"en-US": "Safety"}}
            ),
            result={"completion": True, "duration": "PT1H"},
            context={
                "registration": REGISTRATION,
                "contextActivities": {"category": [_topic("safety")]},
            },
            timestamp="2026-03-02T10:00:00.000Z",
        ),
        make_statement(
            actor=make_agent("bob"),
            verb=make_verb(Verbs.AUTHORED),
            object=post,
            context=informal,
            timestamp="2026-03-03T09:00:00.000Z",
        ),
        make_statement(
            actor=make_agent("carol"),
            verb=make_verb(Verbs.VIEWED),
            object=post,
            context=informal,
            timestamp="2026-03-03T10:00:00.000Z",
        ),
        make_statement(
            actor=make_agent("carol"),
            verb=make_verb(Verbs.COMMENTED),
            object=post,
            context=informal,
            timestamp="2026-04-03T11:00:00.000Z",
        ),
    ]


def _voiding(target: str) -> dict[str, Any]:
    return make_statement(
        actor=make_agent("admin"),
        verb=make_verb(VERB_VOIDED),
        object={"objectType": "StatementRef", "id": target},
    )


def _store(database: Database, batch: list[dict[str, Any]]) -> Callable[[], object]:
    return lambda: store_statements(
        database, batch, version="1.0.3", principal=_principal(database)
    )


def test_adding_and_voiding_write_the_rollups_in_one_order(database: Database) -> None:
    batch = _statements()
    with _rollups_written(database) as added:
        _store(database, batch)()
    assert _in_rollup_order(added), added
    assert len(added) >= 15, added  # the statements reach nearly every rollup
    with _rollups_written(database) as again:
        _store(database, _statements())()
    assert _in_rollup_order(again), again
    with _rollups_written(database) as voided:
        _store(database, [_voiding(statement["id"]) for statement in batch])()
    assert _in_rollup_order(voided), voided
    assert len(voided) >= 15, voided


def test_a_registration_learning_its_course_writes_the_rollups_in_one_order(
    database: Database,
) -> None:
    waiting = make_statement(
        actor=make_agent("dave"),
        verb=make_verb(Verbs.COMPLETED),
        object=make_activity("http://example.com/modules/1"),
        context={"registration": REGISTRATION,
                 "contextActivities": {"category": [_topic("safety")]}},
        timestamp="2026-03-01T10:00:00.000Z",
    )  # fmt: skip
    _store(database, [waiting])()
    with _rollups_written(database) as learned:
        _store(database, _statements()[:1])()
    assert "course_progress" in learned
    assert _in_rollup_order(learned), learned
