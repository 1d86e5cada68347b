"""Import cursors: where an importer stopped in one source, so that a re-run resumes there."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lrs.store.models import ImportCursor, Statement


def position(session: Session, source: str) -> str | None:
    """The position stored for ``source``, or None when it was never imported."""
    return session.execute(
        select(ImportCursor.position).where(ImportCursor.source == source)
    ).scalar_one_or_none()


def save_position(session: Session, source: str, value: str, now: dt.datetime) -> None:
    cursor = session.get(ImportCursor, source)
    if cursor is None:
        session.add(ImportCursor(source=source, position=value, updated=now))
    else:
        cursor.position = value
        cursor.updated = now


def forget(session: Session, source: str) -> None:
    session.execute(delete(ImportCursor).where(ImportCursor.source == source))


def statement_count(session: Session) -> int:
    """How many statements the store holds (voided ones included)."""
    return int(session.execute(select(func.count()).select_from(Statement)).scalar_one())
