"""Storage: bytes per stored statement, and which tables and indexes hold them.

PostgreSQL reports the size of the whole database and of each relation; SQLite the size
of its file (with its write-ahead log) and, where the ``dbstat`` table is compiled in,
the pages of each table and index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

TOP = 8


def measure_storage(url: str) -> dict[str, Any]:
    """Bytes per statement of the store at ``url``, with the largest parts."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM statement")).scalar_one()
            if engine.dialect.name == "postgresql":
                total, parts = _postgresql(connection)
            else:
                total, parts = _sqlite(connection, url)
    finally:
        engine.dispose()
    per = max(1, count)
    return {
        "statements": count,
        "bytes": total,
        "bytes_per_statement": round(total / per),
        "largest": {name: round(size / per) for name, size in parts[:TOP]},
    }


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


def _sqlite(connection: sa.Connection, url: str) -> tuple[int, list[tuple[str, int]]]:
    path = Path(sa.make_url(url).database or "")
    total = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    try:
        rows = connection.execute(
            sa.text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        ).all()
    except sa.exc.OperationalError:  # built without SQLITE_ENABLE_DBSTAT_VTAB
        rows = []
    return total, [(row[0], int(row[1])) for row in rows]
