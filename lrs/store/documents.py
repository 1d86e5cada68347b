"""State, activity profile and agent profile documents.

One table holds the three kinds; a document is addressed by a ``DocumentKey`` whose
absent parts are empty strings (so that the unique key holds on both databases).
Functions take a Session and never commit: the calling service owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from lrs.store.models import Document

Kind = Literal["state", "activity_profile", "agent_profile"]


@dataclass(frozen=True)
class DocumentKey:
    """Where a document lives; ``document_id`` is empty when addressing a set of them."""

    kind: Kind
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""
    document_id: str = ""


def _in_set(key: DocumentKey) -> list[ColumnElement[bool]]:
    # A set without a registration spans every registration (xAPI-Communication 2.3:
    # "activity + agent [+ registration if specified]").
    conditions = [
        Document.kind == key.kind,
        Document.activity_id == key.activity_id,
        Document.agent_key == key.agent_key,
    ]
    if key.registration:
        conditions.append(Document.registration == key.registration)
    return conditions


def get(session: Session, key: DocumentKey, *, for_update: bool = False) -> Document | None:
    """The document at ``key``; ``for_update`` locks its row until the transaction ends."""
    query = select(Document).where(
        Document.kind == key.kind,
        Document.activity_id == key.activity_id,
        Document.agent_key == key.agent_key,
        Document.registration == key.registration,
        Document.document_id == key.document_id,
    )
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def list_ids(
    session: Session, key: DocumentKey, since: dt.datetime | None
) -> list[tuple[str, dt.datetime]]:
    """Ids and newest update times of the documents of a set, updated after ``since``
    (exclusive) if given."""
    query = select(Document.document_id, Document.updated).where(*_in_set(key))
    if since is not None:
        query = query.where(Document.updated > since)
    newest: dict[str, dt.datetime] = {}
    for row in session.execute(query.order_by(Document.document_id)):
        newest[row.document_id] = max(row.updated, newest.get(row.document_id, row.updated))
    return list(newest.items())


def save(
    session: Session,
    key: DocumentKey,
    existing: Document | None,
    *,
    content: bytes,
    content_type: str,
    etag: str,
    updated: dt.datetime,
) -> None:
    """Replace ``existing`` (the row at ``key``, when there is one) or insert a new row."""
    if existing is None:
        existing = Document(
            kind=key.kind,
            activity_id=key.activity_id,
            agent_key=key.agent_key,
            registration=key.registration,
            document_id=key.document_id,
        )
        session.add(existing)
    existing.content = content
    existing.content_type = content_type
    existing.etag = etag
    existing.updated = updated
    session.flush()


def remove(session: Session, document: Document) -> None:
    session.delete(document)
    session.flush()


def remove_set(session: Session, key: DocumentKey) -> None:
    """Delete every document of a set (all states of an activity, agent, registration)."""
    session.execute(delete(Document).where(*_in_set(key)))
