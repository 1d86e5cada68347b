"""Failed sign-ins per subject (credential key, dashboard user, client address)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from lrs.store.models import SignInFailure, table

_FAILURE = table(SignInFailure)
# Every authenticated request reads this: built once (building the query and its cache
# key cost more than running it), on the table rather than the ORM entity.
_BLOCKED_UNTIL = select(_FAILURE.c.blocked_until).where(
    _FAILURE.c.subject.in_(bindparam("subjects", expanding=True)),
    _FAILURE.c.blocked_until > bindparam("now", type_=_FAILURE.c.blocked_until.type),
)


def blocked_until(session: Session, subjects: list[str], now: dt.datetime) -> dt.datetime | None:
    """The latest time until which any of ``subjects`` is refused, if one is refused now."""
    rows = session.execute(_BLOCKED_UNTIL, {"subjects": subjects, "now": now}).scalars()
    return max((until for until in rows if until is not None), default=None)


def failure(session: Session, subject: str) -> SignInFailure | None:
    """The subject's row, locked for this transaction on PostgreSQL."""
    return session.execute(
        select(SignInFailure).where(SignInFailure.subject == subject).with_for_update()
    ).scalar_one_or_none()


def add(session: Session, subject: str, now: dt.datetime) -> SignInFailure:
    row = SignInFailure(subject=subject, failures=0, last_failed=now, blocked_until=None)
    session.add(row)
    session.flush()
    return row


def clear(session: Session, subject: str) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.subject == subject))


def prune(session: Session, quiet_since: dt.datetime, now: dt.datetime) -> None:
    """Forget subjects that failed last before ``quiet_since`` and are not refused now."""
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.last_failed < quiet_since,
            (SignInFailure.blocked_until.is_(None)) | (SignInFailure.blocked_until <= now),
        )
    )
