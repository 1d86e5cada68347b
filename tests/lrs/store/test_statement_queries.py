"""Statement queries through the store: since/until bounds in and out of stored order,
agent/activity filters that match one statement in several roles, verbs and
registrations inherited through a StatementRef, and paging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from lrs.services import credentials
from lrs.services import statements as service
from lrs.store import statements as statement_store
from lrs.store.dialects import in_index_order
from lrs.store.engine import Database
from lrs.store.models import Statement
from lrs.store.statements import StatementQuery
from statements import enrich
from tests.factories import make_agent, make_statement, make_statement_ref, make_verb

NOW = dt.datetime.now(dt.UTC)


def _principal(database: Database) -> credentials.Principal:
    return credentials.create(
        database, name="queries", scopes=["all"], home_page="http://lrs.test"
    ).principal


def _ids(database: Database, query: StatementQuery) -> list[str]:
    with database.reading() as session:
        return [orjson.loads(row.json)["id"] for row in statement_store.find(session, query)]


def _stored(
    database: Database, principal: credentials.Principal, when: dt.datetime | None = None
) -> str:
    [statement_id] = service.store_statements(
        database, [make_statement()], version="1.0.3", principal=principal, now=when
    )
    return statement_id


def test_since_until_in_stored_order(database: Database) -> None:
    principal = _principal(database)
    first = _stored(database, principal)
    second = _stored(database, principal)
    with database.reading() as session:
        assert session.get(statement_store.StoreFlag, statement_store.OUT_OF_ORDER) is None
    everything = StatementQuery(since=NOW - dt.timedelta(hours=1), limit=10)
    assert _ids(database, everything) == [second, first]
    nothing = StatementQuery(until=NOW - dt.timedelta(hours=1), limit=10)
    assert _ids(database, nothing) == []


def test_since_until_window_inside_the_stored_order_margin(database: Database) -> None:
    """Statements a few milliseconds outside since/until lie within the seq bounds of the
    window: each page holds exactly the statements of (since, until], in order."""
    principal = _principal(database)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
    moments = [start + dt.timedelta(milliseconds=100 * i) for i in range(8)]
    ids = [_stored(database, principal, moment) for moment in moments]
    with database.reading() as session:
        assert session.get(statement_store.StoreFlag, statement_store.OUT_OF_ORDER) is None
    window = StatementQuery(since=moments[1], until=moments[5], limit=2)
    assert _ids(database, window) == [ids[5], ids[4], ids[3]]
    with database.reading() as session:
        rows = statement_store.find(session, window)
    after = StatementQuery(**{**vars(window), "after_seq": rows[1].seq})
    assert _ids(database, after) == [ids[3], ids[2]]
    oldest_first = StatementQuery(since=moments[1], until=moments[5], ascending=True, limit=10)
    assert _ids(database, oldest_first) == ids[2:6]


def test_since_until_exact_after_statements_from_the_past(database: Database) -> None:
    """Back-dated statements get higher seqs than newer ones: bounds must stay exact."""
    principal = _principal(database)
    recent = _stored(database, principal)
    old = _stored(database, principal, NOW - dt.timedelta(days=30))
    with database.reading() as session:
        assert session.get(statement_store.StoreFlag, statement_store.OUT_OF_ORDER) is not None
    week_ago = NOW - dt.timedelta(days=7)
    assert _ids(database, StatementQuery(since=week_ago, limit=10)) == [recent]
    assert _ids(database, StatementQuery(until=week_ago, limit=10)) == [old]
    window = StatementQuery(since=NOW - dt.timedelta(days=31), until=week_ago, limit=10)
    assert _ids(database, window) == [old]
    # Bounds from the window's own statements: the newest, the oldest, none at all.
    both = StatementQuery(since=NOW - dt.timedelta(days=31), until=NOW + dt.timedelta(days=1))
    assert _ids(database, both) == [old, recent]
    assert _ids(database, StatementQuery(**{**vars(both), "ascending": True})) == [recent, old]
    empty = StatementQuery(since=NOW - dt.timedelta(days=20), until=week_ago, limit=10)
    assert _ids(database, empty) == []


def test_a_batch_slow_to_reach_its_insert_keeps_the_stored_order(database: Database) -> None:
    """A batch stamped several margins before its insert (a busy machine, a big batch)
    is still in seq order: it raises no flag, and since/until keep their fast bounds."""
    principal = _principal(database)
    # The stamp of a batch whose steps took three margins before its insert.
    stamped = dt.datetime.now(dt.UTC) - 3 * statement_store.STORED_ORDER_MARGIN
    stored = stamped.replace(microsecond=stamped.microsecond // 1000 * 1000)
    slow = enrich(make_statement(), statement_id=None, stored=stored,
                  authority=principal.authority, version="1.0.3")  # fmt: skip
    with database.writing() as session:
        service.write_statements(session, [slow], stored, may_define=True, stamped=stamped)
    with database.reading() as session:
        assert session.get(statement_store.StoreFlag, statement_store.OUT_OF_ORDER) is None
    since = StatementQuery(since=stored - dt.timedelta(milliseconds=1), limit=10)
    assert _ids(database, since) == [slow["id"]]
    assert _ids(database, StatementQuery(until=stored, limit=10)) == [slow["id"]]
    assert _ids(database, StatementQuery(until=stored - dt.timedelta(milliseconds=1))) == []


def test_an_agent_in_several_roles_is_returned_once_and_pages_stay_full(
    database: Database,
) -> None:
    principal = _principal(database)
    alice = make_agent("alice")
    ids = []
    for _ in range(5):
        # alice is actor, object and instructor of the same statement
        statement = make_statement(actor=alice, object=alice, context={"instructor": alice})
        ids += service.store_statements(database, [statement], version="1.0.3", principal=principal)
    query = StatementQuery(agent_key="mbox:mailto:alice@example.com", related_agents=True, limit=2)
    first_page = _ids(database, query)
    assert first_page == [ids[4], ids[3], ids[2]]  # limit + 1: one more tells "more"
    with database.reading() as session:
        rows = statement_store.find(session, query)
    after = StatementQuery(**{**vars(query), "after_seq": rows[1].seq})
    assert _ids(database, after) == [ids[2], ids[1], ids[0]]


def test_an_activity_in_two_roles_is_returned_once_and_pages_stay_full(
    database: Database,
) -> None:
    """A course that is parent and grouping of each statement (two index rows a
    statement) gives full pages of distinct statements with related_activities."""
    principal = _principal(database)
    course = {"id": "http://example.com/activities/course"}
    context = {"contextActivities": {"parent": [course], "grouping": [course]}}
    ids = []
    for _ in range(5):
        statement = make_statement(context=context)
        ids += service.store_statements(database, [statement], version="1.0.3", principal=principal)
    query = StatementQuery(activity_id=course["id"], related_activities=True, limit=2)
    assert _ids(database, query) == [ids[4], ids[3], ids[2]]
    with database.reading() as session:
        rows = statement_store.find(session, query)
    after = StatementQuery(**{**vars(query), "after_seq": rows[1].seq})
    assert _ids(database, after) == [ids[2], ids[1], ids[0]]
    every = StatementQuery(activity_id=course["id"], related_activities=True, ascending=True)
    assert _ids(database, every) == ids


PASSED = "http://adlnet.gov/expapi/verbs/passed"
LIKED = "http://example.com/verbs/liked"
REGISTRATION = "6a3c1b0e-2f4d-4c59-9b1e-0d7f3a8e5c21"


@pytest.mark.parametrize("ascending", [False, True])
def test_more_pages_of_a_verb_also_inherited_through_statement_refs(
    database: Database, ascending: bool
) -> None:
    """XAPI-00164: a verb filter also matches the statements that target a matching
    statement; every page of the chain holds the next matches, each once."""
    principal = _principal(database)

    def store(statement: dict[str, object]) -> str:
        [statement_id] = service.store_statements(
            database, [statement], version="1.0.3", principal=principal
        )
        return statement_id

    passed = make_verb(PASSED)
    expected: list[str] = []
    for round_ in range(4):
        target = store(make_statement(verb=passed, context={"registration": REGISTRATION}))
        store(make_statement())  # matches nothing
        # inherits `passed` and the registration from its target
        liked = store(make_statement(verb=make_verb(LIKED), object=make_statement_ref(target)))
        expected += [target, liked]
        if round_ == 2:
            # has the verb itself and inherits it too: comes once
            expected.append(store(make_statement(verb=passed, object=make_statement_ref(target))))
    if not ascending:
        expected.reverse()
    for query in (
        StatementQuery(verb_id=PASSED, limit=2, ascending=ascending),
        StatementQuery(registration=REGISTRATION, limit=2, ascending=ascending),
        StatementQuery(verb_id=PASSED, registration=REGISTRATION, limit=2, ascending=ascending),
        # driven by the actor's index rows (every statement here is alice's)
        StatementQuery(
            agent_key="mbox:mailto:alice@example.com", verb_id=PASSED, limit=2, ascending=ascending
        ),
    ):
        pages: list[str] = []
        after: int | None = None
        while True:
            with database.reading() as session:
                rows = statement_store.find(
                    session, StatementQuery(**{**vars(query), "after_seq": after})
                )
            pages += [orjson.loads(row.json)["id"] for row in rows[:2]]
            if len(rows) <= 2:
                break
            after = rows[1].seq
        assert pages == expected


def test_a_statement_row_keeps_the_object_of_a_statement_ref_only(
    database: Database, backend: str
) -> None:
    """An activity's identity is in the statement's index rows: the row keeps the target
    id of a StatementRef alone, which ``referrers`` finds. A new SQLite file's pages are
    8 KB."""
    principal = _principal(database)
    target = _stored(database, principal)
    [referrer] = service.store_statements(
        database,
        [make_statement(object=make_statement_ref(target))],
        version="1.0.3",
        principal=principal,
    )
    with database.reading() as session:
        rows = dict(session.execute(sa.select(Statement.id, Statement.object_key)).all())
        assert rows == {target: None, referrer: target}
        assert [(i, t) for _, i, t in statement_store.referrers(session, [target])] == [
            (referrer, target)
        ]
        if backend == "sqlite":
            assert session.execute(sa.text("PRAGMA page_size")).scalar_one() == 8192


def _plan_nodes(plan: dict[str, Any]) -> list[str]:
    return [plan["Node Type"], *(n for child in plan.get("Plans", []) for n in _plan_nodes(child))]


@pytest.mark.parametrize(
    "query",
    [
        StatementQuery(verb_id=PASSED, limit=100),
        StatementQuery(agent_key="mbox:mailto:alice@example.com", limit=100),
        StatementQuery(agent_key="mbox:mailto:alice@example.com", related_agents=True, limit=100),
        StatementQuery(activity_id="http://example.com/activities/a", limit=100),
        StatementQuery(
            activity_id="http://example.com/activities/a", related_activities=True, limit=100
        ),
        StatementQuery(
            agent_key="mbox:mailto:alice@example.com",
            activity_id="http://example.com/activities/a",
            limit=100,
        ),
        StatementQuery(agent_key="mbox:mailto:alice@example.com", verb_id=PASSED, limit=100),
    ],
    ids=[
        "verb",
        "agent",
        "related_agents",
        "activity",
        "related_activities",
        "agent_activity",
        "agent_verb",
    ],
)
def test_every_page_walks_its_filters_index_in_seq_order(
    database: Database, backend: str, query: StatementQuery
) -> None:
    """A page reads the index of its filter from where the previous page stopped and stops
    at its limit: PostgreSQL sorts nothing, even where it expects fewer matches than a
    page holds (here: a few statements, and no statistics), which would otherwise make it
    read and sort every match below the page for each page of a chain."""
    if backend != "postgresql":
        pytest.skip("SQLite walks the index of the ORDER BY whenever one serves the filter")
    principal = _principal(database)
    statements = [
        make_statement(verb=make_verb(PASSED), object={"id": "http://example.com/activities/a"})
        for _ in range(30)
    ]
    service.store_statements(database, statements, version="1.0.3", principal=principal)
    with database.engine.connect() as connection:
        # The planner learns that every match fits in one page.
        connection.exec_driver_sql("ANALYZE statement, statement_agent, statement_activity")
        connection.commit()
    with database.reading() as session:
        newest = statement_store.newest_seq(session)
    later_page = StatementQuery(**{**vars(query), "after_seq": newest - 5, "max_seq": newest})
    executed: list[tuple[str, Any]] = []

    def capture(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "ORDER BY" in statement:
            executed.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.reading() as session:
            found = statement_store.find(session, later_page)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", capture)
    assert len(found) == 24  # the 30 stored but the newest 6
    assert executed
    with database.reading() as session:
        with in_index_order(session):
            for statement, parameters in executed:
                [plan] = (
                    session.connection()
                    .exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
                    .scalar_one()
                )
                nodes = _plan_nodes(plan["Plan"])
                assert "Sort" not in nodes, nodes
                assert {"Index Scan", "Index Only Scan"} & set(nodes), nodes
        # sorting is allowed again for the rest of the transaction
        assert session.execute(sa.text("SHOW enable_sort")).scalar_one() == "on"
