"""Dashboard users: the people who log in to /dashboards/ (not xAPI credentials)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lrs.store.models import DashboardSession, DashboardUser


def by_username(session: Session, username: str) -> DashboardUser | None:
    return session.execute(
        select(DashboardUser).where(DashboardUser.username == username)
    ).scalar_one_or_none()


def by_id(session: Session, user_id: int) -> DashboardUser | None:
    return session.get(DashboardUser, user_id)


def add(
    session: Session, *, username: str, password_hash: str, role: str, now: dt.datetime
) -> DashboardUser:
    user = DashboardUser(username=username, password_hash=password_hash, role=role, created=now)
    session.add(user)
    session.flush()
    return user


def all_users(session: Session) -> list[DashboardUser]:
    return list(session.execute(select(DashboardUser).order_by(DashboardUser.username)).scalars())


def count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(DashboardUser)).scalar() or 0)


def add_session(
    session: Session, *, token_hash: str, user_id: int, now: dt.datetime, expires: dt.datetime
) -> None:
    session.add(
        DashboardSession(token_hash=token_hash, user_id=user_id, created=now, expires=expires)
    )
    session.flush()


def user_of_session(session: Session, token_hash: str, now: dt.datetime) -> DashboardUser | None:
    """The user of an unexpired session, in one lookup."""
    return session.execute(
        select(DashboardUser)
        .join(DashboardSession, DashboardSession.user_id == DashboardUser.id)
        .where(DashboardSession.token_hash == token_hash, DashboardSession.expires > now)
    ).scalar_one_or_none()


def end_session(session: Session, token_hash: str) -> None:
    session.execute(delete(DashboardSession).where(DashboardSession.token_hash == token_hash))


def end_sessions_of(session: Session, user_id: int) -> int:
    """End every session of a user; returns how many there were."""
    result = session.execute(delete(DashboardSession).where(DashboardSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def prune_sessions(session: Session, now: dt.datetime) -> None:
    session.execute(delete(DashboardSession).where(DashboardSession.expires <= now))


def live_sessions(session: Session, now: dt.datetime) -> dict[int, int]:
    """user id -> its unexpired sessions."""
    rows = session.execute(
        select(DashboardSession.user_id, func.count())
        .where(DashboardSession.expires > now)
        .group_by(DashboardSession.user_id)
    )
    return {int(user_id): int(n) for user_id, n in rows}


def by_subject(session: Session, subject: str) -> DashboardUser | None:
    return session.execute(
        select(DashboardUser).where(DashboardUser.subject == subject)
    ).scalar_one_or_none()
