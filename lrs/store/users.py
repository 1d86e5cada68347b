"""Dashboard users: the people who log in to /dashboards/ (not xAPI credentials)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lrs.store.models import DashboardUser


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
