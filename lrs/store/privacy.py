"""Removing data for privacy and retention: statements with their index rows, documents
of an agent, agent rows and attachments nobody references any more.

Functions take a Session and never commit; ``lrs.services.privacy`` owns the transaction
and decides what to remove. Every delete returns how many rows it removed, for receipts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from lrs.store import payloads
from lrs.store.models import (
    Agent,
    Attachment,
    Document,
    ForwardingDelivery,
    IndexKey,
    LearningFact,
    LearningFactTag,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementRefTerm,
)
from lrs.store.statements import IndexRows, add_index_rows

# Bound the size of IN (...) lists (SQLite allows 32766 variables, PostgreSQL 65535).
CHUNK = 5000
AGENT_DOCUMENT_KINDS = ("state", "agent_profile")


@dataclass(frozen=True)
class StoredStatement:
    seq: int
    id: str
    payload: dict[str, Any]


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def statements_mentioning(session: Session, agent_keys: Iterable[str]) -> list[StoredStatement]:
    """Statements with an index row for any of ``agent_keys``, in any role (own or
    inherited through a StatementRef; the caller tells them apart by their payload)."""
    keys = sorted(set(agent_keys))
    if not keys:
        return []
    numbers = select(IndexKey.number).where(IndexKey.key.in_(keys))
    seqs = select(StatementAgent.seq).where(StatementAgent.agent_number.in_(numbers))
    return _statements(session, Statement.seq.in_(seqs))


def statements_containing(session: Session, needles: Iterable[str]) -> list[StoredStatement]:
    """Statements whose JSON text contains any of ``needles``, ignoring case: a scan of
    every payload, to find people the index rows do not name (members of a context
    team, agents inside extensions). The caller confirms each match on the payload."""
    wanted = sorted({needle.lower() for needle in needles if needle})
    if not wanted:
        return []
    return [
        StoredStatement(seq, statement_id, orjson.loads(text))
        for seq, statement_id, text in _every_payload_text(session)
        if any(needle in text.lower() for needle in wanted)
    ]


def _every_payload_text(session: Session, chunk: int = 1000) -> Iterator[tuple[int, str, str]]:
    """(seq, id, JSON text) of every stored statement, read a chunk at a time: the text
    is compressed in the database, so a search of it runs here."""
    after = 0
    while True:
        rows = session.execute(
            select(Statement.seq, Statement.id, payloads.as_text(Statement.payload))
            .where(Statement.seq > after)
            .order_by(Statement.seq)
            .limit(chunk)
        ).all()
        yield from ((row[0], row[1], row[2]) for row in rows)
        if len(rows) < chunk:
            return
        after = rows[-1][0]


def statements_stored_before(
    session: Session, cutoff: dt.datetime, *, limit: int | None = None
) -> list[StoredStatement]:
    """The oldest statements stored before ``cutoff``, at most ``limit`` of them."""
    return _statements(session, Statement.stored < cutoff, limit=limit)


def voiding_statements_of(session: Session, statement_ids: Iterable[str]) -> list[StoredStatement]:
    """Stored statements that void any of ``statement_ids``."""
    wanted = sorted(set(statement_ids))
    found: list[StoredStatement] = []
    for chunk in _chunks(wanted):
        found += _statements(session, Statement.voids_id.in_(chunk))
    return found


def by_seqs(session: Session, seqs: Iterable[int]) -> list[StoredStatement]:
    wanted = sorted(set(seqs))
    found: list[StoredStatement] = []
    for chunk in _chunks(wanted):
        found += _statements(session, Statement.seq.in_(chunk))
    return found


def _statements(
    session: Session, condition: Any, limit: int | None = None
) -> list[StoredStatement]:
    query = select(Statement.seq, Statement.id, Statement.payload).where(condition)
    query = query.order_by(Statement.seq)
    if limit is not None:
        query = query.limit(limit)
    return [StoredStatement(row.seq, row.id, row.payload) for row in session.execute(query)]


def count_facts(session: Session, seqs: Sequence[int]) -> dict[str, int]:
    """How many dashboard fact rows belong to these statements."""
    facts = tags = 0
    for chunk in _chunks(sorted(set(seqs))):
        facts += session.execute(
            select(func.count()).select_from(LearningFact).where(LearningFact.seq.in_(chunk))
        ).scalar_one()
        tags += session.execute(
            select(func.count()).select_from(LearningFactTag).where(LearningFactTag.seq.in_(chunk))
        ).scalar_one()
    return {"learning_fact": facts, "learning_fact_tag": tags}


def delete_statements(session: Session, seqs: Sequence[int]) -> dict[str, int]:
    """Delete statements with their index rows and any facts left; counts per table."""
    counts = dict.fromkeys(
        ("statement_agent", "statement_activity", "statement_ref_term", "statement",
         "forwarding_delivery"), 0
    )  # fmt: skip
    for chunk in _chunks(sorted(set(seqs))):
        session.execute(delete(LearningFactTag).where(LearningFactTag.seq.in_(chunk)))
        session.execute(delete(LearningFact).where(LearningFact.seq.in_(chunk)))
        # Deliveries not yet forwarded must not carry the removed statements out.
        counts["forwarding_delivery"] += _rowcount(
            session.execute(
                delete(ForwardingDelivery).where(ForwardingDelivery.statement_seq.in_(chunk))
            )
        )
        for name, model in (
            ("statement_agent", StatementAgent),
            ("statement_activity", StatementActivity),
            ("statement_ref_term", StatementRefTerm),
        ):
            counts[name] += _rowcount(session.execute(delete(model).where(model.seq.in_(chunk))))
        counts["statement"] += _rowcount(
            session.execute(delete(Statement).where(Statement.seq.in_(chunk)))
        )
    return counts


def replace_index_rows(session: Session, seq: int, rows: IndexRows) -> None:
    """Replace every index row of a stored statement with ``rows``."""
    for model in (StatementAgent, StatementActivity, StatementRefTerm):
        session.execute(delete(model).where(model.seq == seq))
    add_index_rows(session, seq, rows)


def unreferenced_attachments(session: Session, sha2s: Iterable[str]) -> list[str]:
    """Those of ``sha2s`` that no stored statement lists among its attachments.

    Attachments have no reference table, so this searches statement payloads as text for
    the hashes (one scan for all of them); it runs only for hashes of removed statements.
    """
    wanted = sorted(set(sha2s))
    if not wanted:
        return []
    still_used: set[str] = set()
    for _seq, _id, text in _every_payload_text(session):
        if any(sha2 in text for sha2 in wanted):
            still_used.update(
                attachment.get("sha2", "")
                for attachment in orjson.loads(text).get("attachments") or ()
            )
    return [sha2 for sha2 in wanted if sha2 not in still_used]


def delete_attachments(session: Session, sha2s: Sequence[str]) -> int:
    removed = 0
    for chunk in _chunks(sorted(set(sha2s))):
        removed += _rowcount(session.execute(delete(Attachment).where(Attachment.sha2.in_(chunk))))
    return removed


def delete_agent_documents(session: Session, agent_keys: Iterable[str]) -> int:
    """Delete the state and agent profile documents of these agents."""
    keys = sorted(set(agent_keys))
    if not keys:
        return 0
    return _rowcount(
        session.execute(
            delete(Document).where(
                Document.kind.in_(AGENT_DOCUMENT_KINDS), Document.agent_key.in_(keys)
            )
        )
    )


def spellings(session: Session, agent_key_lower: str) -> set[str]:
    """Agent keys of the ``agent`` and ``document`` tables equal to ``agent_key_lower``
    ignoring case (e-mail addresses sent in another case). Both tables hold one row per
    identity or document, far fewer than statements."""
    found: set[str] = set()
    for column in (Agent.agent_key, Document.agent_key):
        rows = session.execute(
            select(column).distinct().where(func.lower(column) == agent_key_lower)
        )
        found.update(row[0] for row in rows)
    return found


def keys_with_prefix(session: Session, prefix: str) -> set[str]:
    """Every distinct agent key starting with ``prefix`` (e.g. ``mbox_sha1sum:``) in the
    ``agent`` and ``document`` tables and among those the statement index names (by
    their text in ``index_key``): a range read of each key index."""
    # Keys starting with the prefix sort between it and the prefix with its last
    # character incremented.
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    found: set[str] = set()
    for column in (Agent.agent_key, Document.agent_key):
        rows = session.execute(select(column).distinct().where(column >= prefix, column < upper))
        found.update(row[0] for row in rows)
    indexed = select(IndexKey.key).where(
        IndexKey.key >= prefix, IndexKey.key < upper, _names_agent(IndexKey.number)
    )
    found.update(row[0] for row in session.execute(indexed))
    return found


def _names_agent(number: Any) -> Any:
    return exists().where(StatementAgent.agent_number == number)


def _names_activity(number: Any) -> Any:
    return exists().where(StatementActivity.activity_number == number)


def delete_unnamed_agents(session: Session, agent_keys: Iterable[str]) -> int:
    """Delete the agent rows of those ``agent_keys`` that no stored statement names any
    more (the ``agent`` table records identities seen in statements)."""
    removed = 0
    for chunk in _chunks(sorted(set(agent_keys))):
        named = select(IndexKey.key).where(IndexKey.key.in_(chunk), _names_agent(IndexKey.number))
        removed += _rowcount(
            session.execute(
                delete(Agent).where(Agent.agent_key.in_(chunk), Agent.agent_key.not_in(named))
            )
        )
    return removed


def delete_unnamed_keys(session: Session, texts: Iterable[str]) -> int:
    """Delete the ``index_key`` rows of those agent keys and activity IRIs that no index
    row names any more, so that a removed agent's key leaves no text behind."""
    removed = 0
    for chunk in _chunks(sorted(set(texts))):
        removed += _rowcount(
            session.execute(
                delete(IndexKey).where(
                    IndexKey.key.in_(chunk),
                    ~_names_agent(IndexKey.number),
                    ~_names_activity(IndexKey.number),
                )
            )
        )
    return removed


def delete_agents(session: Session, agent_keys: Iterable[str]) -> int:
    keys = sorted(set(agent_keys))
    if not keys:
        return 0
    return _rowcount(session.execute(delete(Agent).where(Agent.agent_key.in_(keys))))
