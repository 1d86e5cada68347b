"""Storage: bytes per stored statement, and which tables and indexes hold them.

PostgreSQL reports the size of the whole database and of each relation; SQLite the pages
its file uses once the write-ahead log is checkpointed into it (the log itself is a
work area that SQLite reuses, up to gigabytes after a burst of writes under readers,
not what the statements take: it is reported apart) and, where the ``dbstat`` table is
compiled in, the pages of each table and index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

TOP = 8


def measure_storage(url: str) -> dict[str, Any]:
    """Bytes per statement of the store at ``url``, with the largest parts (and, on
    SQLite, the write-ahead log's bytes left after the checkpoint)."""
    engine = sa.create_engine(url)
    wal = 0
    try:
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM statement")).scalar_one()
            if engine.dialect.name == "postgresql":
                total, parts = _postgresql(connection)
            else:
                total, parts = _sqlite(connection)
                wal = _wal_bytes(url)
    finally:
        engine.dispose()
    per = max(1, count)
    return {
        "statements": count,
        "bytes": total,
        "bytes_per_statement": round(total / per),
        "largest": {name: round(size / per) for name, size in parts[:TOP]},
        **({"wal_bytes": wal} if wal else {}),
    }


def stored_bytes(url: str) -> int:
    """What the store at ``url`` takes: PostgreSQL's database, SQLite's pages in use."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                return _postgresql(connection)[0]
            return _sqlite_pages(connection)
    finally:
        engine.dispose()


def _postgresql(connection: sa.Connection) -> tuple[int, list[tuple[str, int]]]:
    total = connection.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
    rows = connection.execute(
        sa.text(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 't') "
            "ORDER BY 2 DESC"
        )
    ).all()
    return int(total or 0), [(row[0], int(row[1])) for row in rows]


def _sqlite(connection: sa.Connection) -> tuple[int, list[tuple[str, int]]]:
    total = _sqlite_pages(connection)
    try:
        rows = connection.execute(
            sa.text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        ).all()
    except sa.exc.OperationalError:  # built without SQLITE_ENABLE_DBSTAT_VTAB
        rows = []
    return total, [(row[0], int(row[1])) for row in rows]


def _sqlite_pages(connection: sa.Connection) -> int:
    """The bytes of the pages in use once the log is checkpointed into the file (a
    server's open readers may hold part of it back: then the log's newest pages are
    left out, a lower bound); free pages are left out too, as SQLite reuses them."""
    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
    free = connection.exec_driver_sql("PRAGMA freelist_count").scalar_one()
    size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
    return int((pages - free) * size)


def _wal_bytes(url: str) -> int:
    wal = Path(f"{sa.make_url(url).database or ''}-wal")
    return wal.stat().st_size if wal.exists() else 0
