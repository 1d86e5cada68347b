"""Agents, activities and roles stored in the statement index rows as numbers
(``lrs.store.keys``): the number of a text never changes, one number stands for one text
only, and a filter never matches another text's rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lrs.services import credentials
from lrs.services import statements as service
from lrs.store import statements as statement_store
from lrs.store.engine import Database
from lrs.store.keys import ROLE_CODES, ROLES, SUBSTATEMENT, KeyCollision, key_number
from lrs.store.statements import StatementQuery
from statements import activity_ids_in, agent_keys_in
from tests.factories import make_agent, make_statement
from tests.helpers import XapiClient, assert_error

ALICE = "mbox:mailto:alice@example.com"
MALLORY = "mbox:mailto:mallory@example.com"


def _principal(database: Database) -> credentials.Principal:
    return credentials.create(
        database, name="keys", scopes=["all"], home_page="http://lrs.test"
    ).principal


def test_a_keys_number_is_fixed_for_good() -> None:
    """The numbers are stored: they may never change with a version or a process (a
    salted hash, as Python's own ``hash`` of a text, would)."""
    assert key_number(ALICE) == key_number("mbox:mailto:" + "alice@example.com")
    assert key_number(ALICE) == 8294400140232538203
    assert key_number("http://example.com/activities/a") == 2948475088146226251
    numbers = {key_number(f"http://example.com/activities/{i}") for i in range(10_000)}
    assert len(numbers) == 10_000
    assert all(-(2**63) <= n < 2**63 for n in numbers)


def test_every_role_has_one_small_code() -> None:
    statement = make_statement(
        actor={"objectType": "Group", "member": [make_agent("m")],
               "mbox": "mailto:g@example.com"},
        object={
            "objectType": "SubStatement",
            "actor": make_agent("s"),
            "verb": {"id": "http://example.com/v"},
            "object": {"id": "http://example.com/sub"},
        },
        context={
            "instructor": make_agent("i"),
            "team": {"objectType": "Group", "mbox": "mailto:t@example.com"},
            "contextActivities": {
                kind: [{"id": f"http://example.com/{kind}"}]
                for kind in ("parent", "grouping", "category", "other")
            },
        },
    )  # fmt: skip
    roles = {role for _key, role in agent_keys_in(statement) + activity_ids_in(statement)}
    assert roles <= set(ROLE_CODES)
    assert {"actor", "member", "instructor", "team", "parent", "sub_actor", "sub_object"} <= roles
    assert len(set(ROLE_CODES.values())) == len(ROLE_CODES)
    assert all(0 < code < 2 * SUBSTATEMENT for code in ROLE_CODES.values())
    assert {ROLES[code] for code in ROLE_CODES.values()} == set(ROLE_CODES)


def test_another_text_under_a_number_taken_is_refused(database: Database) -> None:
    """Two texts with one number would merge two agents' statements: the statement that
    would bring the second is refused whole (409, ``key_collision``), and nothing is
    stored."""
    principal = _principal(database)
    with database.engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO index_key (number, key) VALUES (:number, :key)"),
            {"number": key_number(ALICE), "key": MALLORY},
        )
    with pytest.raises(KeyCollision):
        service.store_statements(
            database,
            [make_statement(actor=make_agent("alice"))],
            version="1.0.3",
            principal=principal,
        )
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM statement").scalar_one() == 0


def _one_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text gets the same number, as two texts found to collide would."""
    monkeypatch.setattr(statement_store, "key_number", lambda text: 42)


def test_two_texts_with_one_number_in_one_batch_are_refused(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within one statement or across the statements of one batch, two texts under one
    number are refused before anything is written."""
    principal = _principal(database)
    _one_number(monkeypatch)
    one_statement = make_statement(actor=make_agent("alice"), object={"id": "http://ex.com/a"})
    with pytest.raises(KeyCollision):
        service.store_statements(database, [one_statement], version="1.0.3", principal=principal)
    batch = [make_statement(actor=make_agent(name)) for name in ("bob", "carol")]
    with pytest.raises(KeyCollision):
        service.store_statements(database, batch, version="1.0.3", principal=principal)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM statement").scalar_one() == 0
        assert connection.exec_driver_sql("SELECT count(*) FROM index_key").scalar_one() == 0


def test_a_collision_is_a_409_in_the_error_shape(
    xapi: XapiClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over HTTP a collision is the client's to see, in the error shape, never a 500; the
    statements stored before it stay."""
    kept = make_statement(actor=make_agent("alice"), object={"id": "http://ex.com/kept"})
    assert xapi.post("statements", json=kept).status_code == 200
    _one_number(monkeypatch)
    refused = make_statement(actor=make_agent("alice"), object={"id": "http://ex.com/other"})
    error = assert_error(xapi.post("statements", json=refused), 409)
    assert error["code"] == "key_collision"
    assert xapi.get(f"statements?statementId={kept['id']}").status_code == 200
    assert xapi.get(f"statements?statementId={refused['id']}").status_code == 404


def test_a_filter_matches_only_the_rows_of_the_text_that_owns_the_number(
    database: Database,
) -> None:
    """Were another text to share the number of a filter's text, the filter would find
    that text's rows under it: it matches them only where its own text owns the number.
    Alice's rows are moved here under Mallory's number, as if the two collided."""
    principal = _principal(database)
    service.store_statements(
        database,
        [make_statement(actor=make_agent("alice")) for _ in range(3)],
        version="1.0.3",
        principal=principal,
    )
    ids = _ids(database, StatementQuery(agent_key=ALICE))
    assert len(ids) == 3
    with database.engine.begin() as connection:
        for sql in (
            "UPDATE statement_agent SET agent_number = :to WHERE agent_number = :alice",
            "UPDATE index_key SET number = :to WHERE number = :alice",
        ):
            connection.execute(
                sa.text(sql), {"to": key_number(MALLORY), "alice": key_number(ALICE)}
            )
    assert _ids(database, StatementQuery(agent_key=MALLORY)) == []
    assert _ids(database, StatementQuery(agent_key=MALLORY, related_agents=True)) == []


def test_a_filter_by_a_text_never_stored_matches_nothing(database: Database) -> None:
    principal = _principal(database)
    service.store_statements(database, [make_statement()], version="1.0.3", principal=principal)
    assert _ids(database, StatementQuery(agent_key=MALLORY)) == []
    assert _ids(database, StatementQuery(activity_id="http://example.com/never")) == []


def _ids(database: Database, query: StatementQuery) -> list[str]:
    with database.reading() as session:
        return [row.json.decode() for row in statement_store.find(session, query)]
