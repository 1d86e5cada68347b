"""statements: agent and activity index rows keyed by (key, seq, role), without rowid on SQLite

Revision ID: 20261206_index_rows_keyed
Revises: 20261206_course_time_scores
Create Date: 2026-12-06 14:00:00

The (key, seq, role) index was a second copy of every index row beside the table and its
(seq, key, role) primary key. It becomes the primary key, and a narrow index on seq
serves deletes and StatementRef inheritance. SQLite keeps the tables without rowid, as
their key alone: each row is stored twice instead of three times there, and its
(seq, key, role) copy on PostgreSQL shrinks to the seq.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261206_index_rows_keyed"
down_revision: str | None = "20261206_course_time_scores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table, key column, old index
TABLES = (
    ("statement_agent", "agent_key", "ix_statement_agent_key_seq"),
    ("statement_activity", "activity_id", "ix_statement_activity_id_seq"),
)


def upgrade() -> None:
    for name, key, old_index in TABLES:
        _rekey(name, [key, "seq", "role"], drop=old_index, with_rowid=False)
        op.create_index(f"ix_{name}_seq", name, ["seq"])


def downgrade() -> None:
    for name, key, old_index in TABLES:
        op.drop_index(f"ix_{name}_seq", table_name=name)
        _rekey(name, ["seq", key, "role"], drop=None, with_rowid=True)
        op.create_index(old_index, name, [key, "seq", "role"])


def _rekey(name: str, columns: list[str], *, drop: str | None, with_rowid: bool) -> None:
    with op.batch_alter_table(
        name, recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ) as batch:
        if drop is not None:
            batch.drop_index(drop)
        batch.drop_constraint(f"pk_{name}", type_="primary")
        batch.create_primary_key(f"pk_{name}", columns)
