"""store: tables keyed by their values without rowid on SQLite (rollups, tags, ref terms)

Revision ID: 20261212_rollups_without_rowid
Revises: 20261212_content_response
Create Date: 2026-12-12 09:00:00

A rollup, a tag table or a StatementRef's inherited terms is keyed by the values of its
row (a day, a person, a piece of content...). SQLite kept each as a table of rows by
rowid beside its primary key's index, a second copy of the key of every row; without
rowid the table is that key's B-tree alone. Each table is rebuilt from its own
definition with ``WITHOUT ROWID`` added, its rows copied in key order and its indexes
made again as they were. PostgreSQL has no rowid: nothing changes there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261212_rollups_without_rowid"
down_revision: str | None = "20261212_content_response"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "statement_ref_term",
    "learning_fact_tag",
    "daily_activity",
    "actor_day",
    "actor_informal_month",
    "actor_month",
    "course_progress",
    "course_learner",
    "registration_course",
    "hourly_activity",
    "content_day",
    "content_month",
    "content_use_month",
    "tag_day",
    "tag_month",
    "activity_day",
    "activity_month",
    "content_author",
    "content_tag",
    "completion_tag",
    "contribution_tag",
    "content_contributor",
    "filter_value",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TABLES:
            _rebuild(name, with_rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TABLES:
            _rebuild(name, with_rowid=True)


def _rebuild(name: str, *, with_rowid: bool) -> None:
    """Make ``name`` again from its own definition, with or without rowid."""
    bind = op.get_bind()
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).scalar_one()
    indexes = (
        bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (name,),
        )
        .scalars()
        .all()
    )
    key = [
        column
        for _, column in sorted(
            (row[5], row[1])
            for row in bind.exec_driver_sql(f'PRAGMA table_info("{name}")')
            if row[5]
        )
    ]
    columns = create[create.index("(") : create.rindex(")") + 1]
    temporary = f"_alembic_tmp_{name}"
    op.execute(f'CREATE TABLE "{temporary}" {columns}{"" if with_rowid else " WITHOUT ROWID"}')
    order = ", ".join(f'"{column}"' for column in key)
    op.execute(f'INSERT INTO "{temporary}" SELECT * FROM "{name}" ORDER BY {order}')
    op.execute(f'DROP TABLE "{name}"')
    op.execute(f'ALTER TABLE "{temporary}" RENAME TO "{name}"')
    for sql in indexes:
        op.execute(sql)
