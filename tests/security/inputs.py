"""What the input-class property tests share: how many examples, and counting rows."""

from __future__ import annotations

import sqlalchemy as sa

from lrs.store.engine import Database

# Examples per property and database: a few hundred requests, seconds per run.
EXAMPLES = 100


def stored_count(database: Database, table: str = "statement") -> int:
    with database.engine.connect() as connection:
        count: int = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        return count
