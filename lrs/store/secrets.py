"""Server secrets: random values made once per store and read by every worker.

Functions take a Session and never commit; the calling service owns the transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lrs.store.dialects import insert_ignore
from lrs.store.models import ServerSecret


def get_or_create(session: Session, name: str, candidate: str) -> str:
    """The secret called ``name``; ``candidate`` becomes it when there is none yet.

    Concurrent first callers race on the primary key: the insert of all but one is
    ignored, and every caller reads back the one that won.
    """
    row = {"name": name, "value": candidate, "created": dt.datetime.now(dt.UTC)}
    insert_ignore(session, ServerSecret.__table__, [row])  # type: ignore[arg-type]
    return session.execute(select(ServerSecret.value).where(ServerSecret.name == name)).scalar_one()
