"""Attachment contents, content-addressed by SHA-2: stored once, shared by statements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lrs.store.dialects import insert_ignore
from lrs.store.models import Attachment


@dataclass(frozen=True)
class AttachmentContent:
    sha2: str
    content_type: str
    content: bytes


def save(session: Session, attachments: Sequence[AttachmentContent]) -> None:
    insert_ignore(
        session,
        Attachment.__table__,  # type: ignore[arg-type]
        [
            {
                "sha2": a.sha2,
                "content_type": a.content_type,
                "length": len(a.content),
                "content": a.content,
            }
            for a in {a.sha2: a for a in attachments}.values()
        ],
    )


def load(session: Session, sha2s: Iterable[str]) -> dict[str, AttachmentContent]:
    wanted = list(set(sha2s))
    if not wanted:
        return {}
    rows = session.execute(select(Attachment).where(Attachment.sha2.in_(wanted))).scalars()
    return {row.sha2: AttachmentContent(row.sha2, row.content_type, row.content) for row in rows}
