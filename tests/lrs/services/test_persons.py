"""Persons at ingest: every person a statement names resolves to a person in the statement's
transaction, an unknown identifier makes a new one, and facts count persons."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from lrs.services import persons as person_service
from lrs.services import privacy
from lrs.services import statements as statement_service
from lrs.services.principal import OPERATOR
from lrs.store import payloads
from lrs.store import persons as person_store
from lrs.store.engine import Database
from tests.factories import make_activity, make_agent, make_group, make_statement

GRACE_LMS = {
    "name": "Grace Hopper",
    "account": {"homePage": "https://lms.example.com", "name": "10482"},
}
GRACE_MAIL = {"name": "Grace", "mbox": "mailto:grace@example.com"}


def store(database: Database, *statements: dict[str, Any]) -> None:
    statement_service.store_statements(
        database, list(statements), version="1.0.3", principal=OPERATOR
    )


def persons_by_identifier(database: Database) -> dict[str, tuple[str, str | None, str | None]]:
    """identifier key -> (person key, person name, person team)."""
    with database.reading() as session:
        persons = {p.id: p for p in person_store.all_persons(session)}
        return {
            key: (persons[pid].key, persons[pid].name, persons[pid].team)
            for key, pid in person_store.all_identifiers(session).items()
        }


def fact_actors(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return sorted(connection.execute(sa.text("SELECT actor_key FROM learning_fact")).scalars())


def test_every_person_a_statement_names_becomes_a_person_once(database: Database) -> None:
    """Actor, Agent object, instructor and members of the actor Group and of the context
    team resolve to persons; identified Groups are not persons; a known identifier is not
    made twice, and the first name and team sent are kept."""
    team = make_group(make_agent("dan"), make_agent("eve"), name="Blue")
    store(
        database,
        make_statement(actor=GRACE_LMS, context={"team": team, "instructor": make_agent("ina")}),
        make_statement(actor=make_agent("bob"), object={**GRACE_MAIL, "objectType": "Agent"}),
        make_statement(actor=make_group(make_agent("carl"), mbox="mailto:group@example.com")),
    )
    store(database, make_statement(actor={**GRACE_LMS, "name": "G. Hopper"}))

    persons = persons_by_identifier(database)
    lms = "account:https://lms.example.com|10482"
    assert persons[lms] == (lms, "Grace Hopper", "Blue")
    assert persons["mbox:mailto:grace@example.com"][1:] == ("Grace", None)
    assert persons["mbox:mailto:dan@example.com"][2] == "Blue"
    assert persons["mbox:mailto:ina@example.com"][2] is None
    assert set(persons) == {lms} | {
        f"mbox:mailto:{h}@example.com" for h in ("grace", "dan", "eve", "ina", "bob", "carl")
    }
    assert all(key == person_key for key, (person_key, _, _) in persons.items())


def test_facts_of_an_identifier_count_under_its_person(database: Database) -> None:
    """Once two identifiers belong to one person, a new statement of either is a fact of
    that person; the statement is stored exactly as sent."""
    store(database, make_statement(actor=GRACE_LMS), make_statement(actor=GRACE_MAIL))
    lms = "account:https://lms.example.com|10482"
    with database.writing() as session:
        grace = person_store.by_identifier(session, lms)
        mail = person_store.by_identifier(session, "mbox:mailto:grace@example.com")
        assert grace is not None and mail is not None and grace.id != mail.id
        person_store.move_identifiers(session, ["mbox:mailto:grace@example.com"], grace.id)
        person_store.delete_person(session, mail.id)
    sent = make_statement(actor=GRACE_MAIL, object=make_activity("http://example.com/blog/1"))
    store(database, sent)
    assert fact_actors(database) == sorted([lms, "mbox:mailto:grace@example.com", lms])
    with database.engine.connect() as connection:
        payload = connection.execute(
            sa.text("SELECT payload FROM statement WHERE id = :id"), {"id": sent["id"]}
        ).scalar_one()
    assert payloads.decode(payload)["actor"] == GRACE_MAIL


def test_forgetting_an_identifier_removes_it_from_its_person(database: Database) -> None:
    store(database, make_statement(actor=GRACE_MAIL), make_statement(actor=make_agent("bob")))
    receipt = privacy.forget(database, OPERATOR, GRACE_MAIL).as_json()
    assert receipt["removed"]["person_identifier"] == 1
    assert set(persons_by_identifier(database)) == {"mbox:mailto:bob@example.com"}


def test_statements_stored_in_one_batch_share_a_new_person(database: Database) -> None:
    when = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).isoformat()
    store(
        database,
        *[make_statement(actor=GRACE_MAIL, timestamp=when) for _ in range(3)],
    )
    with database.reading() as session:
        assert len(person_store.all_persons(session)) == 1


def test_a_statement_stored_during_a_merge_counts_for_the_person_kept(
    database: Database, backend: str
) -> None:
    """PostgreSQL stores statements beside a merge: a batch naming a moved identifier waits
    for the merge, and its facts land under the person the merge kept."""
    if backend == "sqlite":
        pytest.skip("SQLite runs one write transaction at a time")
    store(database, make_statement(actor=GRACE_LMS), make_statement(actor=GRACE_MAIL))
    lms, mail = "account:https://lms.example.com|10482", "mbox:mailto:grace@example.com"
    during = threading.Thread(target=store, args=(database, make_statement(actor=GRACE_MAIL)))
    with database.writing() as session:
        keep = person_store.by_identifier(session, lms)
        other = person_store.by_identifier(session, mail)
        assert keep is not None and other is not None
        person_service.with_session_merge(
            session, keep, other, by="test", now=dt.datetime.now(dt.UTC)
        )
        during.start()
        during.join(timeout=2)
        assert during.is_alive()  # waiting for the merge to commit
    during.join(timeout=60)
    assert not during.is_alive()
    assert fact_actors(database) == [lms, lms, lms]
