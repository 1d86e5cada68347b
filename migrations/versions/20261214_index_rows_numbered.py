"""statements: agent and activity index rows hold numbers, their texts kept once in index_key

Revision ID: 20261214_index_rows_numbered
Revises: 20261213_statement_payload_zlib
Create Date: 2026-12-14 09:00:00

Each row of ``statement_agent`` and ``statement_activity`` held the agent key or the
activity IRI and the role as text, and each of their index entries held them again. They
now hold the key's number (``lrs.store.keys.key_number``, a 64-bit hash computed in
Python) and the role's small code; ``index_key`` keeps each text once under its number.
The old tables are renamed, their rows copied into the new ones in batches of the
primary key's order, and then dropped; the downgrade copies them back the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

from lrs.store.keys import ROLE_CODES, ROLES, key_number

revision: str = "20261214_index_rows_numbered"
down_revision: str | None = "20261213_statement_payload_zlib"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

# table, text column, number column
TABLES = (
    ("statement_agent", "agent_key", "agent_number"),
    ("statement_activity", "activity_id", "activity_number"),
)


def upgrade() -> None:
    op.create_table(
        "index_key",
        sa.Column(
            "number",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_index_key")),
        sa.UniqueConstraint("key", name=op.f("uq_index_key_key")),
    )
    index_key = sa.table("index_key", sa.column("number"), sa.column("key"))
    record = _insert_new(index_key)
    for name, text, number in TABLES:
        old = _set_aside(name)
        _create(name, number, sa.BigInteger(), sa.SmallInteger())
        source = sa.table(old, sa.column("seq"), sa.column(text), sa.column("role"))
        target = sa.table(name, sa.column("seq"), sa.column(number), sa.column("role"))
        for rows in _batches(source, [text, "seq", "role"]):
            keys = {key_number(row[0]): row[0] for row in rows}
            op.get_bind().execute(record, [{"number": n, "key": keys[n]} for n in sorted(keys)])
            op.get_bind().execute(
                target.insert(),
                [
                    {"seq": seq, number: key_number(key), "role": ROLE_CODES[role]}
                    for key, seq, role in rows
                ],
            )
        op.drop_table(old)


def downgrade() -> None:
    index_key = sa.table("index_key", sa.column("number"), sa.column("key"))
    for name, text, number in TABLES:
        old = _set_aside(name)
        _create(name, text, sa.Text(), sa.String(24))
        source = sa.table(old, sa.column("seq"), sa.column(number), sa.column("role"))
        target = sa.table(name, sa.column("seq"), sa.column(text), sa.column("role"))
        for rows in _batches(source, [number, "seq", "role"]):
            wanted = sorted({row[0] for row in rows})
            keys = dict(
                op.get_bind()
                .execute(
                    sa.select(index_key.c.number, index_key.c.key).where(
                        index_key.c.number.in_(wanted)
                    )
                )
                .all()
            )
            op.get_bind().execute(
                target.insert(),
                [{"seq": seq, text: keys[n], "role": ROLES[role]} for n, seq, role in rows],
            )
        op.drop_table(old)
    op.drop_table("index_key")


def _set_aside(name: str) -> str:
    """Rename a table to ``<name>_old``, with the names of its key and indexes, which the
    new table takes (index names are the schema's, not the table's)."""
    old = f"{name}_old"
    op.drop_index(f"ix_{name}_seq", table_name=name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {name} RENAME CONSTRAINT pk_{name} TO pk_{old}")
        op.execute(f"ALTER TABLE {name} RENAME CONSTRAINT fk_{name}_seq_statement TO fk_{old}_seq")
    op.rename_table(name, old)
    return old


def _create(name: str, key: str, key_type: Any, role_type: Any) -> None:
    op.create_table(
        name,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(key, key_type, nullable=False),
        sa.Column("role", role_type, nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["statement.seq"], name=op.f(f"fk_{name}_seq_statement"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(key, "seq", "role", name=op.f(f"pk_{name}")),
        sqlite_with_rowid=False,
    )
    op.create_index(f"ix_{name}_seq", name, ["seq"])


def _batches(source: Any, key: list[str]) -> Any:
    """The rows of ``source`` in batches, in the order of its primary key ``key``."""
    columns = [source.c[column] for column in key]
    after: Any = None
    while True:
        query = sa.select(*columns).order_by(*columns).limit(BATCH)
        if after is not None:
            query = query.where(sa.tuple_(*columns) > sa.tuple_(*after))
        rows = [tuple(row) for row in op.get_bind().execute(query)]
        if not rows:
            return
        yield rows
        after = rows[-1]


def _insert_new(index_key: Any) -> Any:
    """An insert of texts that skips those recorded already; another text under a
    number already taken breaks the primary key and stops the migration."""
    dialect = postgresql if op.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(index_key).on_conflict_do_nothing(index_elements=["key"])
