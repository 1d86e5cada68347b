"""Privacy and retention: erase one person everywhere, or drop statements older than a
cutoff, leaving the store consistent. The rules (README "Security and reliability"):

- ``forget`` removes every statement that names the person by identity in any role —
  actor, object, member of an actor or object Group, instructor, team, context agent,
  authority, the same inside a SubStatement, an Agent inside an extension, and a bare
  ``mailto:`` IRI or address used as a value. "The person" is every identifier the
  store may hold them under (``Person``): an ``mbox`` in any case, the
  ``mbox_sha1sum`` of any case spelling of it, the given ``openid`` or ``account``. A
  mention in context removes the whole statement, not just the mention: an edited
  statement would still link the person to the rest of it, and statements are
  immutable for every other client. Their state and agent profile documents and their
  ``agent`` rows, under every spelling, go too.
- Both operations then keep the store consistent: statements voiding a removed statement
  are removed with it; statements that target a removed one by StatementRef stay (they
  are someone else's record) but lose the index rows they inherited from it, so no
  query on the person finds them; dashboard facts leave the rollups; attachments that
  only removed statements referenced are deleted, and so are the ``agent`` rows of
  identities no remaining statement names. A statement voided by a removed voiding
  statement stays voided. The receipt counts the rows removed per table.
- ``forget`` is one transaction. ``retention`` works oldest first in batches of
  ``batch_size`` statements, each batch one transaction that leaves the store
  consistent; an interrupted run keeps what it committed and a re-run continues.
- A dry run does the same work in one transaction and rolls it back, so its receipt
  counts exactly what a real run would remove.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Forbidden
from lrs.services import persons
from lrs.services.principal import Principal
from lrs.store import facts as fact_store
from lrs.store import privacy as store
from lrs.store import statements as statement_store
from lrs.store.engine import Database
from lrs.store.privacy import StoredStatement
from lrs.store.statements import IndexRows
from statements import StatementError, activity_ids_in, agent_key, agent_keys_in, validate_agent
from statements.ifi import identifier_of, normalise_mbox

# How many StatementRef hops index rows are recomputed along (as at ingest).
MAX_REFERENCE_DEPTH = 10
RETENTION_BATCH = 1000
FACT_CHUNK = 1000


@dataclass
class Receipt:
    """What an operation removed (or, in a dry run, would remove): rows per table."""

    operation: str
    dry_run: bool
    removed: Counter[str] = field(default_factory=Counter)
    # Statements kept whose index rows were recomputed (they referenced removed ones).
    reindexed_statements: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        tables = sorted(set(self.removed) | set(_TABLES))
        return {
            "operation": self.operation,
            "dry_run": self.dry_run,
            **self.details,
            "removed": {table: self.removed.get(table, 0) for table in tables},
            "reindexed_statements": self.reindexed_statements,
        }


_TABLES = (
    "statement",
    "statement_agent",
    "statement_activity",
    "statement_ref_term",
    "learning_fact",
    "learning_fact_tag",
    "attachment",
    "document",
    "agent",
    "index_key",
    "person_identifier",
    "forwarding_delivery",
)


# Every case spelling of an address is hashed when it has at most this many letters
# (2**18 = 262,144 SHA-1 hashes, a fraction of a second); see ``Person``.
MAX_CASE_LETTERS = 18


@dataclass
class Person:
    """The person to forget and every identifier the store may hold them under.

    E-mail addresses are compared ignoring case, the whole ``mailto:`` IRI: the domain is
    case-insensitive by standard and mail systems treat the local part so in practice,
    while the statement index keeps the local part as sent (``statements.ifi``), so the
    store can hold one person under several spellings. An ``mbox_sha1sum`` matches when
    it is the SHA-1 of any case spelling of the address: all of them for addresses of at
    most ``MAX_CASE_LETTERS`` letters, otherwise the spellings the store holds in clear
    plus the given, lower-case and upper-case ones. ``openid`` and ``account`` are
    compared exactly, as everywhere in xAPI.
    """

    agent: dict[str, Any]
    address: str | None = None  # the mailto IRI in lower case
    # SHA-1 of every spelling tried, of the few spellings known (given, lower, upper and
    # those found in the store), and of those the store's agent keys hold.
    sha1s: set[str] = field(default_factory=set)
    known_sha1s: set[str] = field(default_factory=set)
    stored_sha1s: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)  # agent keys as the store spells them

    @classmethod
    def of(cls, agent: Any, version: str = "2.0.0") -> Person:
        """The person behind ``agent``; 400 when it is not an Agent with an IFI."""
        try:
            validate_agent(agent, version)
        except StatementError as error:
            raise BadRequest(f"not an Agent to forget: {error.message}", error.path) from None
        if agent.get("objectType") == "Group":
            raise BadRequest("forget takes one person (an Agent), not a Group", "objectType")
        person = cls(dict(agent))
        key = agent_key(agent)
        if key is not None:
            person.keys.add(key)
        mbox = agent.get("mbox")
        if isinstance(mbox, str):
            person.address = mbox.lower()
            person.known_sha1s = {_sha1(form) for form in _plain_spellings(mbox)}
            person.sha1s = person.known_sha1s | _case_spelling_hashes(mbox)
        sha1 = agent.get("mbox_sha1sum")
        if isinstance(sha1, str):
            person.known_sha1s.add(sha1.lower())
            person.sha1s.add(sha1.lower())
        return person

    def learn_spelling(self, mbox: str) -> None:
        """Another spelling of the address, found in the store."""
        self.keys.add("mbox:" + normalise_mbox(mbox))
        hashes = {_sha1(mbox), _sha1(normalise_mbox(mbox))}
        self.known_sha1s |= hashes
        self.sha1s |= hashes

    def is_named_by(self, item: Any) -> bool:
        """True when ``item`` (an object or a string) identifies this person."""
        if isinstance(item, str):
            # A bare identifier used as a value (an extension, a result response).
            text = item.strip().lower()
            return self.address is not None and text in (self.address, _local(self.address))
        if not isinstance(item, dict):
            return False
        mbox, sha1 = item.get("mbox"), item.get("mbox_sha1sum")
        if isinstance(mbox, str) and self.address is not None and mbox.lower() == self.address:
            return True
        if isinstance(sha1, str) and sha1.lower() in self.sha1s:
            return True
        if "openid" in item or "account" in item:
            try:
                return agent_key(item) in self.keys
            except (KeyError, TypeError, AttributeError):
                return False  # not an agent after all (e.g. an extension that looks like one)
        return False

    def needles(self) -> list[str]:
        """Text that every JSON serialisation of a statement naming the person contains
        (the payload scan ignores case)."""
        account = self.agent.get("account") or {}
        values = [
            _local(self.address) if self.address else "",
            str(self.agent.get("openid") or ""),
            str(account.get("name") or ""),
            *sorted(self.stored_sha1s | self.known_sha1s),
        ]
        # Inside JSON text, quotes, backslashes and control characters appear escaped.
        return [orjson.dumps(value).decode()[1:-1] for value in values if value]


def _sha1(mbox: str) -> str:
    return hashlib.sha1(mbox.encode()).hexdigest()


def _local(address: str) -> str:
    """The address without its ``mailto:`` scheme."""
    return address.partition(":")[2]


def _plain_spellings(mbox: str) -> set[str]:
    # The scheme is always `mailto:` in lower case (the validator accepts no other).
    address = mbox.partition(":")[2]
    return {mbox, normalise_mbox(mbox), f"mailto:{address.lower()}", f"mailto:{address.upper()}"}


def _case_spelling_hashes(mbox: str) -> set[str]:
    """SHA-1 of ``mailto:`` + every case spelling of the address, when there are few
    enough letters to try them all (else none)."""
    address = mbox.partition(":")[2].lower()
    choices = [(char, char.upper()) if char != char.upper() else (char,) for char in address]
    if sum(len(choice) == 2 for choice in choices) > MAX_CASE_LETTERS:
        return set()
    prefix = hashlib.sha1(b"mailto:")
    hashes: set[str] = set()
    for spelling in itertools.product(*choices):
        digest = prefix.copy()
        digest.update("".join(spelling).encode())
        hashes.add(digest.hexdigest())
    return hashes


def _find_identities(session: Session, person: Person) -> None:
    """Fill in the keys under which the store holds ``person``."""
    if person.address is not None:
        for key in store.spellings(session, "mbox:" + person.address):
            person.learn_spelling(key.removeprefix("mbox:"))
    stored = {
        key.removeprefix("mbox_sha1sum:")
        for key in store.keys_with_prefix(session, "mbox_sha1sum:")
    }
    person.stored_sha1s = stored & person.sha1s
    person.keys |= {"mbox_sha1sum:" + sha1 for sha1 in person.stored_sha1s}


def forget(db: Database, principal: Principal, agent: Any, *, dry_run: bool = False) -> Receipt:
    """Erase one person everywhere (see the module docstring); one transaction."""
    _require_all(principal)
    person = Person.of(agent)
    receipt = Receipt("forget", dry_run)
    with db.writing() as session:
        receipt.details["identities"] = sorted(_forget(session, person, receipt))
        if dry_run:
            session.rollback()
    return receipt


def forget_person(
    db: Database, principal: Principal, person_id: int, *, dry_run: bool = False
) -> Receipt:
    """Erase every identifier of a person (``lrs.services.persons``) everywhere, as
    ``forget`` erases one agent; one transaction."""
    _require_all(principal)
    receipt = Receipt("forget", dry_run)
    with db.writing() as session:
        keys = persons.identifiers_for_erasure(session, person_id)
        identities: set[str] = set()
        for key in keys:
            identities |= _forget(session, Person.of(identifier_of(key)), receipt)
        receipt.details["person"] = person_id
        receipt.details["identities"] = sorted(identities)
        if dry_run:
            session.rollback()
    return receipt


def _forget(session: Session, person: Person, receipt: Receipt) -> set[str]:
    _find_identities(session, person)
    candidates = {s.seq: s for s in store.statements_mentioning(session, person.keys)}
    found = store.statements_containing(session, person.needles())
    candidates.update((s.seq, s) for s in found)
    own = [s for s in candidates.values() if _mentions(s.payload, person)]
    # Spellings met in the statements themselves (never an actor, no document).
    for statement in own:
        for key, _role in agent_keys_in(statement.payload):
            if _matches_key(key, person):
                person.keys.add(key)
    _erase(session, sorted(own, key=lambda s: s.seq), receipt)
    receipt.removed["document"] += store.delete_agent_documents(session, person.keys)
    receipt.removed["agent"] += store.delete_agents(session, person.keys)
    receipt.removed["index_key"] += store.delete_unnamed_keys(session, person.keys)
    receipt.removed["person_identifier"] += persons.forget_identifiers(session, person.keys)
    return person.keys


def _matches_key(key: str, person: Person) -> bool:
    kind, _, value = key.partition(":")
    if kind == "mbox":
        return person.address is not None and value.lower() == person.address
    if kind == "mbox_sha1sum":
        return value in person.sha1s
    return key in person.keys


def retention(
    db: Database,
    principal: Principal,
    *,
    older_than: dt.timedelta,
    dry_run: bool = False,
    batch_size: int = RETENTION_BATCH,
    now: dt.datetime | None = None,
) -> Receipt:
    """Drop statements stored before ``now - older_than``, in batches (see above)."""
    _require_all(principal)
    if older_than <= dt.timedelta(0):
        raise BadRequest("older-than must be a positive duration", "older_than")
    cutoff = (now or dt.datetime.now(dt.UTC)) - older_than
    receipt = Receipt("retention", dry_run, details={"cutoff": cutoff.isoformat()})
    if dry_run:
        with db.writing() as session:
            _erase(session, store.statements_stored_before(session, cutoff), receipt)
            session.rollback()
        return receipt
    while True:
        with db.writing() as session:
            batch = store.statements_stored_before(session, cutoff, limit=batch_size)
            if not batch:
                return receipt
            _erase(session, batch, receipt)


def parse_age(text: str) -> dt.timedelta:
    """``365d``, ``12w``, ``48h`` (or a bare number of days) as a duration; 400 otherwise."""
    units = {"d": 1.0, "w": 7.0, "h": 1 / 24}
    value = text.strip().lower()
    factor = units.get(value[-1:])
    number = value[:-1] if factor is not None else value
    try:
        days = float(number) * (factor or 1.0)
    except ValueError:
        raise BadRequest(f"{text!r} is not an age such as 365d, 12w or 48h") from None
    if days <= 0:
        raise BadRequest("the age must be positive")
    return dt.timedelta(days=days)


# --- the shared erase step ------------------------------------------------------------


def _require_all(principal: Principal) -> None:
    if not principal.may("all"):
        raise Forbidden("erasing data needs a credential with scope all")


def _mentions(value: Any, person: Person) -> bool:
    """True when anything inside ``value`` identifies ``person``: an Agent or Group
    anywhere (actor, object, members, context, authority, SubStatement, extensions) or
    a bare ``mailto:`` IRI or address used as a value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if person.is_named_by(item):
                return True
            stack.extend(item.values())
        elif person.is_named_by(item):
            return True
    return False


def _erase(session: Session, chosen: Sequence[StoredStatement], receipt: Receipt) -> None:
    """Remove ``chosen`` and the statements voiding them, then repair what referenced
    them: facts and rollups, inherited index rows, attachments."""
    doomed = {s.seq: s for s in chosen}
    voiding = store.voiding_statements_of(session, [s.id for s in chosen])
    doomed.update({s.seq: s for s in voiding})
    if not doomed:
        return
    removed = list(doomed.values())
    ids = [s.id for s in removed]
    seqs = [s.seq for s in removed]
    receipt.removed.update(store.count_facts(session, seqs))
    for start in range(0, len(ids), FACT_CHUNK):
        # Takes the facts out of the dashboard rollups by exactly what they counted.
        fact_store.forget(session, ids[start : start + FACT_CHUNK])
    referrers = _referrers(session, ids, exclude=set(seqs))
    receipt.removed.update(store.delete_statements(session, seqs))
    receipt.reindexed_statements += _reindex(session, referrers, set(seqs))
    # An agent row records an identity seen in statements: it goes with the last of them.
    named = {key for s in removed for key, _role in agent_keys_in(s.payload)}
    receipt.removed["agent"] += store.delete_unnamed_agents(session, named)
    # The index keeps each agent key and activity IRI as text once: it goes with the
    # last index row that names it.
    activity_ids = {aid for s in removed for aid, _role in activity_ids_in(s.payload)}
    receipt.removed["index_key"] += store.delete_unnamed_keys(session, named | activity_ids)
    sha2s = {a["sha2"] for s in removed for a in s.payload.get("attachments") or () if "sha2" in a}
    receipt.removed["attachment"] += store.delete_attachments(
        session, store.unreferenced_attachments(session, sha2s)
    )


def _referrers(session: Session, ids: Iterable[str], exclude: set[int]) -> list[int]:
    """Seqs of kept statements that reach one of ``ids`` through StatementRefs, nearest
    first (each level after the one it targets)."""
    ordered: list[int] = []
    seen = set(exclude)
    level = list(ids)
    for _ in range(MAX_REFERENCE_DEPTH):
        found = [(seq, rid) for seq, rid, _t in statement_store.referrers(session, level)]
        fresh = [(seq, rid) for seq, rid in found if seq not in seen]
        if not fresh:
            break
        seen.update(seq for seq, _ in fresh)
        ordered += [seq for seq, _ in fresh]
        level = [rid for _, rid in fresh]
    return ordered


def _reindex(session: Session, seqs: Sequence[int], removed: set[int]) -> int:
    """Recompute index rows of ``seqs`` (nearest referrers first) from their own payload
    plus what their target, if it is still stored, matches."""
    by_seq = {s.seq: s for s in store.by_seqs(session, seqs)}
    for seq in seqs:
        statement = by_seq.get(seq)
        if statement is None or seq in removed:
            continue
        payload = statement.payload
        rows = IndexRows.named(agent_keys_in(payload), activity_ids_in(payload))
        target = payload.get("object") or {}
        if target.get("objectType") == "StatementRef":
            inherited = statement_store.index_rows_of(session, str(target["id"]).lower())
            if inherited is not None:
                rows = rows + inherited
        store.replace_index_rows(session, seq, rows)
    return len(by_seq)
