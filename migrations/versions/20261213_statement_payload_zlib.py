"""statements: the payload is stored compressed (``lrs.store.payloads``)

Revision ID: 20261213_statement_payload_zlib
Revises: 20261212_rollups_without_rowid
Create Date: 2026-12-13 09:00:00

A statement's JSON text took most of its row (about a kilobyte; PostgreSQL compresses
no value under about 2 KB). It is now kept as bytes: the same text compressed with zlib
against a dictionary of xAPI's words, a third of its size. The stored statements are
rewritten in batches of seq into a new column, which then takes the old one's place;
the text of each is kept exactly. The rows rewritten leave their old versions as free
space, which the database reuses for new statements (``VACUUM`` on SQLite, ``VACUUM
FULL statement`` on PostgreSQL give it back to the file system).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from lrs.store import payloads

revision: str = "20261213_statement_payload_zlib"
down_revision: str | None = "20261212_rollups_without_rowid"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    _rewrite(sa.LargeBinary(), lambda text: payloads.encode_text(text.encode()), "X''")


def downgrade() -> None:
    _rewrite(sa.JSON(), payloads.text_of, "'{}'")


def _rewrite(new_type: sa.types.TypeEngine[Any], convert: Callable[[Any], Any], empty: str) -> None:
    """Every payload converted into a new column of ``new_type``, which then replaces it
    (``empty``: SQLite's default for the new column, which it adds NOT NULL only with one;
    every row is filled)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "statement",
        sa.Column(
            "payload_new",
            new_type,
            nullable=not sqlite,
            server_default=sa.text(empty) if sqlite else None,
        ),
    )
    statement = sa.table(
        "statement",
        sa.column("seq", sa.BigInteger()),
        sa.column("payload", sa.LargeBinary()),
        sa.column("payload_new", sa.LargeBinary()),
    )
    # A JSON column is read as its text, exactly as stored (PostgreSQL's driver would
    # parse it), and written from text.
    compressing = isinstance(new_type, sa.LargeBinary)
    payload = sa.cast(statement.c.payload, sa.Text) if compressing else statement.c.payload
    value: Any = sa.bindparam("value", type_=None if compressing else sa.Text)
    if not compressing and not sqlite:
        value = sa.cast(value, new_type)
    update = statement.update().where(statement.c.seq == sa.bindparam("key"))
    update = update.values(payload_new=value)
    after = 0
    while True:
        rows = (
            op.get_bind()
            .execute(
                sa.select(statement.c.seq, payload)
                .where(statement.c.seq > after)
                .order_by(statement.c.seq)
                .limit(BATCH)
            )
            .all()
        )
        if not rows:
            break
        op.get_bind().execute(update, [{"key": seq, "value": convert(old)} for seq, old in rows])
        after = rows[-1][0]
    op.execute("ALTER TABLE statement DROP COLUMN payload")
    op.execute("ALTER TABLE statement RENAME COLUMN payload_new TO payload")
    if not sqlite:
        op.execute("ALTER TABLE statement ALTER COLUMN payload SET NOT NULL")
