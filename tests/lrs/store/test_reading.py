"""A read transaction cannot write: on PostgreSQL it is BEGIN READ ONLY (it ends with
COMMIT, which keeps the connection's prepared statements), on SQLite it is rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lrs.store.engine import Database
from lrs.store.models import StoreFlag

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
COUNT = sa.select(sa.func.count()).select_from(StoreFlag)


def _flag(name: str) -> sa.Insert:
    return sa.insert(StoreFlag).values(name=name, raised=NOW)


def test_a_write_in_a_read_transaction_is_never_kept(database: Database) -> None:
    with database.reading() as session:
        before = session.execute(COUNT).scalar_one()
    if database.dialect == "postgresql":
        refused = pytest.raises(sa.exc.InternalError, match="read-only transaction")
        with refused, database.reading() as session:
            session.execute(_flag("written-while-reading"))
    else:
        with database.reading() as session:
            session.execute(_flag("written-while-reading"))
    # The connection goes back to the pool writable: the next write transaction writes.
    with database.writing() as session:
        session.execute(_flag("written"))
    with database.reading() as session:
        assert session.execute(COUNT).scalar_one() == before + 1
