"""``data_version``: equal for two read transactions only when they see the same data.
Whatever writes (this process on the same connection, another connection, another
process's engine), the next read transaction answers another version, or None when it
cannot tell; with nothing written, the same one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import sqlalchemy as sa

from lrs.store.dialects import data_version
from lrs.store.engine import Database
from lrs.store.models import StoreFlag

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
COUNT = sa.select(sa.func.count()).select_from(StoreFlag)


def _version(database: Database) -> Hashable | None:
    with database.reading() as session:
        return data_version(session)


def _settled(database: Database) -> Hashable:
    """The version once known: on SQLite a connection's first read, or its first after a
    change, answers None."""
    version = _version(database)
    for _ in range(3):
        if version is not None:
            return version
        version = _version(database)
    raise AssertionError("data_version stays unknown with nothing written")


def _write(database: Database, name: str) -> None:
    with database.writing() as session:
        session.execute(sa.insert(StoreFlag).values(name=name, raised=NOW))


def test_the_version_stays_while_nothing_is_written(database: Database) -> None:
    version = _settled(database)
    if database.dialect == "sqlite":
        assert _version(database) == version
        assert _version(database) == version
        return
    # PostgreSQL's snapshot changes with a commit anywhere in the cluster (the other
    # tests' databases): the same version twice in a row at least once in a while.
    for _ in range(50):
        if _version(database) == version:
            return
        version = _version(database)
    raise AssertionError("the snapshot never stayed between two reads")


def test_a_write_of_this_process_changes_the_version(database: Database) -> None:
    # On SQLite the write uses the pooled connection the reads use, whose own
    # PRAGMA data_version a commit does not change.
    before = _settled(database)
    _write(database, "here")
    assert _version(database) != before
    after = _settled(database)
    assert after != before
    assert _version(database) == after


def test_a_write_of_another_process_changes_the_version(database: Database) -> None:
    before = _settled(database)
    other = Database(database.url)  # another engine and pool, as another process has
    try:
        _write(other, "elsewhere")
    finally:
        other.dispose()
    assert _version(database) != before
    assert _settled(database) != before


def test_a_write_between_two_reads_of_one_connection_changes_the_version(
    database: Database,
) -> None:
    """A read that started before a write and one that started after it never share a
    version, whichever pooled connection each uses."""
    before = _settled(database)
    with database.reading() as first, database.reading() as second:
        # Two connections checked out at once, each seen once.
        versions = {data_version(first), data_version(second)}
    _write(database, "between")
    with database.reading() as first, database.reading() as second:
        after = {data_version(first), data_version(second)}
    assert before not in after
    assert not (versions - {None}) & after


def test_what_the_transaction_reads_is_the_data_of_its_version(database: Database) -> None:
    """Read first, the version is of data no newer than what the transaction reads next:
    SQLite's read starts with it, PostgreSQL's statements each see their own newer
    snapshot, and the version read after a write differs in both cases."""
    _settled(database)
    with database.reading() as session:
        version = data_version(session)
        _write(database, "meanwhile")
        count = session.execute(COUNT).scalar_one()
    assert count == (0 if database.dialect == "sqlite" else 1)
    assert _version(database) != version
