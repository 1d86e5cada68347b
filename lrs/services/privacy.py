"""Privacy and retention: erase one person everywhere, or drop statements older than a
cutoff, leaving the store consistent. The rules (README "Security and reliability"):

- ``forget`` removes every statement that names the person by identity (any IFI given,
  plus the ``mbox_sha1sum`` of a given ``mbox``) in any role — actor, object, member of an
  actor or object Group, instructor, team, context agent, authority, and the same inside
  a SubStatement. A mention in context removes the whole statement, not just the
  mention: an edited statement would still link the person to the rest of it, and
  statements are immutable for every other client. Their state and agent profile
  documents and their ``agent`` row go too.
- Both operations then keep the store consistent: statements voiding a removed statement
  are removed with it; statements that target a removed one by StatementRef stay (they
  are someone else's record) but lose the index rows they inherited from it, so no
  query on the person finds them; dashboard facts leave the rollups; attachments that
  only removed statements referenced are deleted. A statement voided by a removed
  voiding statement stays voided.
- ``forget`` is one transaction. ``retention`` works oldest first in batches of
  ``batch_size`` statements, each batch one transaction that leaves the store
  consistent; an interrupted run keeps what it committed and a re-run continues.
- A dry run does the same work in one transaction and rolls it back, so its receipt
  counts exactly what a real run would remove.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Forbidden
from lrs.services.principal import Principal
from lrs.store import facts as fact_store
from lrs.store import privacy as store
from lrs.store import statements as statement_store
from lrs.store.engine import Database
from lrs.store.privacy import StoredStatement
from lrs.store.statements import IndexRows
from statements import StatementError, activity_ids_in, agent_key, agent_keys_in, validate_agent
from statements.ifi import normalise_mbox

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
    "forwarding_delivery",
)


def identity_keys(agent: Any, version: str = "2.0.0") -> list[str]:
    """Every identity key the person behind ``agent`` is stored under; 400 when it is
    not an Agent with an inverse functional identifier."""
    try:
        validate_agent(agent, version)
    except StatementError as error:
        raise BadRequest(f"not an Agent to forget: {error.message}", error.path) from None
    if agent.get("objectType") == "Group":
        raise BadRequest("forget takes one person (an Agent), not a Group", "objectType")
    keys = {key for key in [agent_key(agent)] if key is not None}
    mbox = agent.get("mbox")
    if isinstance(mbox, str):
        # The same person may have been sent as mbox_sha1sum (xAPI-Data 2.4.2.3).
        for form in {mbox, normalise_mbox(mbox)}:
            keys.add("mbox_sha1sum:" + hashlib.sha1(form.encode()).hexdigest())
    return sorted(keys)


def forget(
    db: Database, principal: Principal | None, agent: Any, *, dry_run: bool = False
) -> Receipt:
    """Erase one person everywhere (see the module docstring); one transaction."""
    _require_all(principal)
    keys = identity_keys(agent)
    receipt = Receipt("forget", dry_run, details={"identities": keys})
    with db.writing() as session:
        candidates = {s.seq: s for s in store.statements_mentioning(session, keys)}
        candidates.update((s.seq, s) for s in store.statements_containing(session, _needles(agent)))
        own = [s for s in candidates.values() if _mentions(s.payload, set(keys))]
        _erase(session, sorted(own, key=lambda s: s.seq), receipt)
        receipt.removed["document"] += store.delete_agent_documents(session, keys)
        receipt.removed["agent"] += store.delete_agents(session, keys)
        if dry_run:
            session.rollback()
    return receipt


def retention(
    db: Database,
    principal: Principal | None,
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


def _require_all(principal: Principal | None) -> None:
    # None: the command line, which runs with the operator's access to the database.
    if principal is not None and not principal.may("all"):
        raise Forbidden("erasing data needs a credential with scope all")


IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")


def _needles(agent: dict[str, Any]) -> list[str]:
    """Text that every JSON serialisation of a statement naming ``agent`` contains."""
    account = agent.get("account") or {}
    values = [
        str(agent["mbox"]).partition(":")[2] if "mbox" in agent else "",
        str(agent.get("mbox_sha1sum") or ""),
        str(agent.get("openid") or ""),
        str(account.get("name") or ""),
    ]
    # Inside JSON text, quotes, backslashes and control characters appear escaped.
    return [orjson.dumps(value).decode()[1:-1] for value in values if value]


def _mentions(value: Any, keys: set[str]) -> bool:
    """True when any object inside ``value`` identifies one of ``keys`` (an Agent or
    Group anywhere: actor, object, members, context, authority, SubStatement,
    extensions); an ``mbox`` also matches through its ``mbox_sha1sum``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if any(prop in item for prop in IFI_PROPERTIES) and _identities(item) & keys:
                return True
            stack.extend(item.values())
    return False


def _identities(item: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    try:
        key = agent_key(item)
    except (KeyError, TypeError, AttributeError):
        return found  # not an agent after all (e.g. an extension that looks like one)
    if key is not None:
        found.add(key)
    mbox = item.get("mbox")
    if isinstance(mbox, str):
        for form in {mbox, normalise_mbox(mbox)}:
            found.add("mbox_sha1sum:" + hashlib.sha1(form.encode()).hexdigest())
    return found


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
        rows = IndexRows(agents=agent_keys_in(payload), activities=activity_ids_in(payload),
                         ref_terms=[])  # fmt: skip
        target = payload.get("object") or {}
        if target.get("objectType") == "StatementRef":
            inherited = statement_store.index_rows_of(session, str(target["id"]).lower())
            if inherited is not None:
                rows = IndexRows(
                    rows.agents + inherited.agents,
                    rows.activities + inherited.activities,
                    inherited.ref_terms,
                )
        store.replace_index_rows(session, seq, rows)
    return len(by_seq)
