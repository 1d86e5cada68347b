"""Stored xAPI credentials (the secret is only ever kept as a bcrypt hash)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lrs.store.models import Credential


def by_key(session: Session, key: str) -> Credential | None:
    return session.execute(select(Credential).where(Credential.key == key)).scalar_one_or_none()


def all_credentials(session: Session) -> list[Credential]:
    return list(session.execute(select(Credential).order_by(Credential.id)).scalars())


def add(
    session: Session,
    *,
    key: str,
    secret_hash: str,
    name: str,
    scopes: list[str],
    authority: dict[str, Any],
    now: dt.datetime,
) -> Credential:
    credential = Credential(
        key=key,
        secret_hash=secret_hash,
        name=name,
        scopes=scopes,
        authority=authority,
        created=now,
        revoked=None,
    )
    session.add(credential)
    session.flush()
    return credential


def count_active(session: Session) -> int:
    rows = session.execute(select(Credential.id).where(Credential.revoked.is_(None))).all()
    return len(rows)


def current_hash(session: Session, credential_id: int) -> str | None:
    """The stored secret hash of an active credential; None once it is revoked or gone.

    One primary-key lookup: every authenticated request makes it.
    """
    return session.execute(
        select(Credential.secret_hash).where(
            Credential.id == credential_id, Credential.revoked.is_(None)
        )
    ).scalar_one_or_none()
