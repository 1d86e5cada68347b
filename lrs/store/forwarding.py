"""Forwarding rules and the delivery outbox. Functions take a Session and never commit.

Claiming is safe with several processes: due rows are selected ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite ignores the clause and serialises writers with its
``BEGIN IMMEDIATE`` instead) and stamped with a claim token and a lease, so no two
workers deliver the same row, and a row whose worker died is claimed again when its
lease runs out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from lrs.store import payloads
from lrs.store.models import ForwardingDelivery, ForwardingRule, Statement, table

PENDING, DELIVERING, DELIVERED, FAILED = "pending", "delivering", "delivered", "failed"
STATUSES = (PENDING, DELIVERING, DELIVERED, FAILED)


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with what is needed to send it."""

    id: int
    rule_id: int
    statement_id: str
    attempts: int
    payload: str


def rules(session: Session, *, active_only: bool = False) -> list[ForwardingRule]:
    statement = select(ForwardingRule).order_by(ForwardingRule.id)
    if active_only:
        statement = statement.where(ForwardingRule.active.is_(True))
    return list(session.execute(statement).scalars())


def rule(session: Session, rule_id: int) -> ForwardingRule | None:
    return session.get(ForwardingRule, rule_id)


def rule_by_name(session: Session, name: str) -> ForwardingRule | None:
    return session.execute(
        select(ForwardingRule).where(ForwardingRule.name == name)
    ).scalar_one_or_none()


def add_rule(session: Session, **fields: Any) -> ForwardingRule:
    new = ForwardingRule(**fields)
    session.add(new)
    session.flush()
    return new


def remove_rule(session: Session, rule_id: int) -> None:
    session.execute(delete(ForwardingDelivery).where(ForwardingDelivery.rule_id == rule_id))
    session.execute(delete(ForwardingRule).where(ForwardingRule.id == rule_id))


def enqueue(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert outbox rows (rule_id, statement_seq, statement_id, created, next_attempt)."""
    if rows:
        values = [{"status": PENDING, "attempts": 0, **row} for row in rows]
        session.execute(insert(table(ForwardingDelivery)), values)


def claim(
    session: Session, *, token: str, now: dt.datetime, lease: dt.timedelta, limit: int
) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries of active rules for ``token``."""
    due = or_(
        and_(ForwardingDelivery.status == PENDING, ForwardingDelivery.next_attempt <= now),
        and_(ForwardingDelivery.status == DELIVERING, ForwardingDelivery.claimed_until < now),
    )
    active = select(ForwardingRule.id).where(ForwardingRule.active.is_(True))
    ids = list(
        session.execute(
            select(ForwardingDelivery.id)
            .where(due, ForwardingDelivery.rule_id.in_(active))
            .order_by(ForwardingDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not ids:
        return []
    session.execute(
        update(ForwardingDelivery)
        .where(ForwardingDelivery.id.in_(ids), due)
        .values(status=DELIVERING, claim=token, claimed_until=now + lease)
    )
    rows = session.execute(
        select(
            ForwardingDelivery.id,
            ForwardingDelivery.rule_id,
            ForwardingDelivery.statement_id,
            ForwardingDelivery.attempts,
            payloads.as_text(Statement.payload).label("payload"),
        )
        .join(Statement, Statement.seq == ForwardingDelivery.statement_seq)
        .where(ForwardingDelivery.claim == token, ForwardingDelivery.status == DELIVERING)
        .order_by(ForwardingDelivery.id)
    )
    return [Claimed(r.id, r.rule_id, r.statement_id, r.attempts, r.payload) for r in rows]


def mark_delivered(session: Session, ids: Sequence[int], token: str, now: dt.datetime) -> None:
    session.execute(
        update(ForwardingDelivery)
        .where(ForwardingDelivery.id.in_(ids), ForwardingDelivery.claim == token)
        .values(
            status=DELIVERED,
            attempts=ForwardingDelivery.attempts + 1,
            delivered=now,
            claim=None,
            claimed_until=None,
            last_error=None,
        )
    )


def mark_attempt_failed(
    session: Session,
    ids: Sequence[int],
    token: str,
    *,
    error: str,
    next_attempt: dt.datetime | None,
) -> None:
    """Count a failed attempt: back to pending at ``next_attempt``, or failed for good."""
    session.execute(
        update(ForwardingDelivery)
        .where(ForwardingDelivery.id.in_(ids), ForwardingDelivery.claim == token)
        .values(
            status=FAILED if next_attempt is None else PENDING,
            attempts=ForwardingDelivery.attempts + 1,
            next_attempt=next_attempt or ForwardingDelivery.next_attempt,
            claim=None,
            claimed_until=None,
            last_error=error[:2000],
        )
    )


def deliveries(
    session: Session, *, status: str | None, rule_id: int | None, limit: int
) -> list[ForwardingDelivery]:
    statement = select(ForwardingDelivery).order_by(ForwardingDelivery.id.desc()).limit(limit)
    if status is not None:
        statement = statement.where(ForwardingDelivery.status == status)
    if rule_id is not None:
        statement = statement.where(ForwardingDelivery.rule_id == rule_id)
    return list(session.execute(statement).scalars())


def delivery(session: Session, delivery_id: int) -> ForwardingDelivery | None:
    return session.get(ForwardingDelivery, delivery_id)


def replay(session: Session, ids: Sequence[int] | None, now: dt.datetime) -> int:
    """Put failed deliveries (these ``ids``, or all) back in the queue; how many."""
    statement = update(ForwardingDelivery).where(ForwardingDelivery.status == FAILED)
    if ids is not None:
        statement = statement.where(ForwardingDelivery.id.in_(list(ids)))
    result = session.execute(
        statement.values(status=PENDING, attempts=0, next_attempt=now, last_error=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ForwardingDelivery.status, func.count()).group_by(ForwardingDelivery.status)
    )
    return {status: int(n) for status, n in rows}
