"""Persons and their identifiers: who is behind each agent key.

``resolve`` is the ingest side: one lookup for a batch's identifiers, and for those never
seen a new person each (insert-ignore, so concurrent writers agree). The rest reads and
rewrites persons for the persons service: a person by identifier, the identifiers of a
person, search, moving identifiers between persons, and the audit trail. Functions take
a Session and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from lrs.store import dialects
from lrs.store.keys import ROLE_CODES
from lrs.store.models import (
    ActorDay,
    IndexKey,
    LearningFact,
    Person,
    PersonChange,
    PersonIdentifier,
    Statement,
    StatementAgent,
    table,
)

# Bound the size of IN (...) lists (SQLite allows 32766 variables, PostgreSQL 65535).
CHUNK = 5000

_PERSON = table(Person)
_IDENTIFIER = table(PersonIdentifier)
# The reads of every ingest request, built once, on the tables.
_KEYS: BindParameter[Any] = bindparam("keys", expanding=True)
_PERSON_KEYS = (
    select(_IDENTIFIER.c.key, _PERSON.c.key)
    .join(_PERSON, _PERSON.c.id == _IDENTIFIER.c.person_id)
    .where(_IDENTIFIER.c.key.in_(_KEYS))
)
_PERSON_IDS = select(_PERSON.c.key, _PERSON.c.id).where(_PERSON.c.key.in_(_KEYS))


@dataclass(frozen=True)
class NewIdentifier:
    """An identifier seen at ingest, with the name and team sent along with it."""

    key: str
    name: str | None
    team: str | None


@dataclass(frozen=True)
class PersonRow:
    id: int
    key: str
    name: str | None
    team: str | None
    team_source: str | None
    created: dt.datetime


@dataclass(frozen=True)
class IdentifierRow:
    key: str
    person_id: int
    name: str | None
    statements: int


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def resolve(
    session: Session, seen: Mapping[str, NewIdentifier], now: dt.datetime
) -> dict[str, str]:
    """The person key of every identifier in ``seen``; unknown identifiers become persons
    of their own (whose key is the identifier's)."""
    if not seen:
        return {}
    wanted = sorted(seen)
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        # A merge moving these identifiers holds them until it commits: wait for it first,
        # then read, so this batch's facts never land on the person it removes.
        dialects.share_rows(session, _IDENTIFIER.c.key, chunk)
        rows = session.execute(_PERSON_KEYS, {"keys": chunk})
        found.update((row[0], row[1]) for row in rows)
    new = [seen[key] for key in wanted if key not in found]
    if new:
        _create(session, new, now)
        # A person made for an identifier has the identifier's key, whether this
        # transaction or a concurrent one made it.
        found.update((item.key, item.key) for item in new)
    return found


def _create(session: Session, new: Sequence[NewIdentifier], now: dt.datetime) -> None:
    # Sorted keys: concurrent writers lock the same rows in the same order.
    persons = [
        {"key": item.key, "name": item.name, "team": item.team,
         "team_source": "statement" if item.team else None, "created": now}
        for item in new
    ]  # fmt: skip
    dialects.insert_ignore(session, table(Person), persons)
    ids: dict[str, int] = {}
    for chunk in _chunks([item.key for item in new]):
        rows = session.execute(_PERSON_IDS, {"keys": chunk})
        ids.update((row[0], row[1]) for row in rows)
    identifiers = [
        {"key": item.key, "person_id": ids[item.key], "name": item.name, "created": now}
        for item in new
    ]
    dialects.insert_ignore(session, table(PersonIdentifier), identifiers)


# --- reading -----------------------------------------------------------------------------


def _person(row: Person) -> PersonRow:
    return PersonRow(row.id, row.key, row.name, row.team, row.team_source, row.created)


def get(session: Session, person_id: int) -> PersonRow | None:
    """The person with ``person_id``, if any."""
    row = session.get(Person, person_id)
    return _person(row) if row is not None else None


def by_identifier(session: Session, key: str) -> PersonRow | None:
    """The person an identifier (canonical agent key) belongs to, if it is known."""
    row = session.execute(
        select(Person)
        .join(PersonIdentifier, PersonIdentifier.person_id == Person.id)
        .where(PersonIdentifier.key == key)
    ).scalar_one_or_none()
    return _person(row) if row is not None else None


def by_key(session: Session, key: str) -> PersonRow | None:
    """The person whose facts are counted under ``key``."""
    row = session.execute(select(Person).where(Person.key == key)).scalar_one_or_none()
    return _person(row) if row is not None else None


def identifiers_of(session: Session, person_ids: Sequence[int]) -> dict[int, list[str]]:
    """The identifier keys of each person, sorted."""
    found: dict[int, list[str]] = {person_id: [] for person_id in person_ids}
    for chunk in _chunks(sorted(set(person_ids))):
        rows = session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.key)
            .where(PersonIdentifier.person_id.in_(chunk))
            .order_by(PersonIdentifier.person_id, PersonIdentifier.key)
        )
        for person_id, key in rows:
            found[person_id].append(key)
    return found


def identifier_rows(session: Session, person_id: int) -> list[IdentifierRow]:
    """The identifiers of a person with the name first sent with each and how many stored
    statements each is the actor of."""
    return identifier_rows_of(session, [person_id])[person_id]


def identifier_rows_of(
    session: Session, person_ids: Sequence[int]
) -> dict[int, list[IdentifierRow]]:
    """``identifier_rows`` of each of these persons, in one query per chunk of them (a
    page of persons is listed without a query per person)."""
    found: dict[int, list[IdentifierRow]] = {person_id: [] for person_id in person_ids}
    # Through the agent index (key, seq, role): rows a StatementRef inherited carry the
    # role too, so the statement's own actor must be the identifier.
    own = IndexKey.key
    for chunk in _chunks(sorted(set(person_ids))):
        keys = select(PersonIdentifier.key).where(PersonIdentifier.person_id.in_(chunk))
        counts = (
            select(own.label("key"), func.count().label("n"))
            .select_from(IndexKey)
            .join(StatementAgent, StatementAgent.agent_number == IndexKey.number)
            .join(Statement, Statement.seq == StatementAgent.seq)
            .join(LearningFact, LearningFact.seq == StatementAgent.seq)
            .where(
                own.in_(keys),
                StatementAgent.role == ROLE_CODES["actor"],
                Statement.actor_key == own,
            )
            .group_by(own)
            .subquery()
        )
        rows = session.execute(
            select(PersonIdentifier, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.key == PersonIdentifier.key)
            .where(PersonIdentifier.person_id.in_(chunk))
            .order_by(PersonIdentifier.person_id, PersonIdentifier.key)
        )
        for i, n in rows:
            found[i.person_id].append(IdentifierRow(i.key, i.person_id, i.name, int(n)))
    return found


def search(session: Session, text: str, limit: int, offset: int = 0) -> list[PersonRow]:
    """Persons whose name, team or any identifier contains ``text`` (ignoring case),
    by name then id; every person when ``text`` is empty."""
    query = select(Person)
    if text:
        pattern = f"%{text.lower()}%"
        matching = select(PersonIdentifier.person_id).where(
            func.lower(PersonIdentifier.key).like(pattern)
        )
        query = query.where(
            or_(
                func.lower(Person.name).like(pattern),
                func.lower(Person.team).like(pattern),
                Person.id.in_(matching),
            )
        )
    query = query.order_by(Person.name, Person.id).limit(limit).offset(offset)
    return [_person(row) for row in session.execute(query).scalars()]


def all_identifiers(session: Session) -> dict[str, int]:
    """Every identifier key with its person id."""
    rows = session.execute(select(PersonIdentifier.key, PersonIdentifier.person_id))
    return {row[0]: row[1] for row in rows}


def teams_in_facts(session: Session) -> dict[str, set[str]]:
    """The teams each person (fact ``actor_key``) acted in, from the daily rollup."""
    found: dict[str, set[str]] = {}
    rows = session.execute(
        select(ActorDay.actor_key, ActorDay.team).distinct().where(ActorDay.team != "")
    )
    for key, team in rows:
        found.setdefault(key, set()).add(team)
    return found


def identifier_names(session: Session, person_id: int | None = None) -> dict[str, str | None]:
    """Every identifier key (of one person, when given) with the name first sent with it."""
    query = select(PersonIdentifier.key, PersonIdentifier.name)
    if person_id is not None:
        query = query.where(PersonIdentifier.person_id == person_id)
    return {row[0]: row[1] for row in session.execute(query)}


def all_persons(session: Session) -> list[PersonRow]:
    return [_person(row) for row in session.execute(select(Person).order_by(Person.id)).scalars()]


def changes(session: Session, person_id: int | None = None, limit: int = 100) -> list[PersonChange]:
    """The newest audit entries (of one person, as the kept or the other side)."""
    query = select(PersonChange)
    if person_id is not None:
        query = query.where(
            or_(PersonChange.person_id == person_id, PersonChange.other_id == person_id)
        )
    query = query.order_by(PersonChange.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def change(session: Session, change_id: int) -> PersonChange | None:
    """One audit entry."""
    return session.get(PersonChange, change_id)


# --- writing -----------------------------------------------------------------------------


def add_person(
    session: Session, key: str, name: str | None, team: str | None, team_source: str | None,
    now: dt.datetime,
) -> int:  # fmt: skip
    """A new person counted under ``key``; returns its id."""
    person = Person(key=key, name=name, team=team, team_source=team_source, created=now)
    session.add(person)
    session.flush()
    return person.id


def move_identifiers(session: Session, keys: Sequence[str], person_id: int) -> None:
    """Give these identifiers to ``person_id``."""
    for chunk in _chunks(sorted(set(keys))):
        session.execute(
            update(PersonIdentifier)
            .where(PersonIdentifier.key.in_(chunk))
            .values(person_id=person_id)
        )


def set_person(session: Session, person_id: int, **values: Any) -> None:
    """Change columns of a person (key, name, team, team_source)."""
    session.execute(update(Person).where(Person.id == person_id).values(**values))


def delete_person(session: Session, person_id: int) -> None:
    session.execute(delete(Person).where(Person.id == person_id))


def delete_identifiers(session: Session, keys: Iterable[str]) -> int:
    """Forget these identifiers, and the persons left without any; how many were removed."""
    wanted = sorted(set(keys))
    if not wanted:
        return 0
    owners: set[int] = set()
    removed = 0
    for chunk in _chunks(wanted):
        owners.update(
            session.execute(
                select(PersonIdentifier.person_id).where(PersonIdentifier.key.in_(chunk))
            ).scalars()
        )
        result = session.execute(delete(PersonIdentifier).where(PersonIdentifier.key.in_(chunk)))
        removed += int(getattr(result, "rowcount", 0) or 0)
    if owners:
        still = select(PersonIdentifier.person_id).where(
            PersonIdentifier.person_id.in_(sorted(owners))
        )
        session.execute(
            delete(Person).where(Person.id.in_(sorted(owners)), Person.id.not_in(still))
        )
    return removed


def record_change(
    session: Session, *, action: str, person_id: int, other_id: int | None,
    identifiers: Sequence[str], by: str, detail: Mapping[str, Any], now: dt.datetime,
) -> int:  # fmt: skip
    """Append an entry to the audit trail; returns its id."""
    change = PersonChange(
        at=now, action=action, person_id=person_id, other_id=other_id,
        identifiers=list(identifiers), by=by, detail=dict(detail),
    )  # fmt: skip
    session.add(change)
    session.flush()
    return change.id
