"""Stored xAPI credentials (the secret is only ever kept as a bcrypt hash)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from lrs.store.models import Credential, SignInFailure, table

_CREDENTIAL = table(Credential)
_FAILURE = table(SignInFailure)
# Every authenticated request reads these: built once, on the tables.
_CURRENT_HASH = select(_CREDENTIAL.c.secret_hash).where(
    _CREDENTIAL.c.id == bindparam("id"), _CREDENTIAL.c.revoked.is_(None)
)
# A remembered sign-in's whole check in one statement: until when the address
# backs off (null: it does not now) and the credential's hash while it is active.
_STANDING = select(
    select(func.max(_FAILURE.c.blocked_until))
    .where(
        _FAILURE.c.subject == bindparam("subject"),
        _FAILURE.c.blocked_until > bindparam("now", type_=_FAILURE.c.blocked_until.type),
    )
    .scalar_subquery(),
    _CURRENT_HASH.scalar_subquery(),
)


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
    hashed: str | None = session.execute(_CURRENT_HASH, {"id": credential_id}).scalar_one_or_none()
    return hashed


def standing(
    session: Session, credential_id: int, subject: str, now: dt.datetime
) -> tuple[dt.datetime | None, str | None]:
    """In one statement: the latest time until which ``subject`` is refused (None when
    it is not refused at ``now``), and the stored secret hash of the credential while it
    is active (None once it is revoked or gone). One subject, compared by equality: an
    expanding IN list is rewritten by SQLAlchemy at every execution."""
    row = session.execute(_STANDING, {"subject": subject, "now": now, "id": credential_id}).one()
    return row[0], row[1]
