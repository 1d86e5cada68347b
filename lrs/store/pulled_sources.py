"""Pulled sources and their schedule. Functions take a Session and never commit.

Claiming works as for forwarding deliveries: due sources are selected ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``) and stamped
with a claim token and a lease, so no two workers pull the same source at once, and a
source whose worker died is claimed again when its lease runs out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from lrs.store.models import PulledSource


def listing(session: Session) -> list[PulledSource]:
    return list(session.execute(select(PulledSource).order_by(PulledSource.id)).scalars())


def by_id(session: Session, source_id: int) -> PulledSource | None:
    return session.get(PulledSource, source_id)


def by_name(session: Session, name: str) -> PulledSource | None:
    return session.execute(
        select(PulledSource).where(PulledSource.name == name)
    ).scalar_one_or_none()


def add(session: Session, **fields: Any) -> PulledSource:
    counters = dict.fromkeys(
        ("failures", "last_read", "last_stored", "last_skipped", "last_rejected",
         "total_stored", "total_skipped", "total_rejected"), 0,
    )  # fmt: skip
    new = PulledSource(**{**counters, "state": {}, **fields})
    session.add(new)
    session.flush()
    return new


def remove(session: Session, source: PulledSource) -> None:
    session.delete(source)
    session.flush()


def _free(now: dt.datetime) -> Any:
    return or_(PulledSource.claim.is_(None), PulledSource.claimed_until < now)


def claim(
    session: Session,
    *,
    token: str,
    now: dt.datetime,
    lease: dt.timedelta,
    source_id: int | None = None,
    limit: int = 1,
) -> list[PulledSource]:
    """Claim due active sources (or the one ``source_id``, due or not) for ``token``."""
    if source_id is None:
        wanted = and_(PulledSource.active.is_(True), PulledSource.next_run <= now, _free(now))
    else:
        wanted = and_(PulledSource.id == source_id, _free(now))
    ids = list(
        session.execute(
            select(PulledSource.id)
            .where(wanted)
            .order_by(PulledSource.next_run, PulledSource.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not ids:
        return []
    session.execute(
        update(PulledSource)
        .where(PulledSource.id.in_(ids), wanted)
        .values(claim=token, claimed_until=now + lease, last_started=now)
    )
    return list(
        session.execute(
            select(PulledSource)
            .where(PulledSource.claim == token)
            .order_by(PulledSource.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def held(session: Session, source_id: int, token: str) -> PulledSource | None:
    """The source while ``token`` still holds its claim (locked for the update)."""
    return session.execute(
        select(PulledSource)
        .where(PulledSource.id == source_id, PulledSource.claim == token)
        .with_for_update()
    ).scalar_one_or_none()
