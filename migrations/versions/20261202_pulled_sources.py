"""pulled sources: blogs, wikis, other LRSs and course CSVs pulled on a schedule

Revision ID: 20261202_pulled_sources
Revises: 20261202_server_secret
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_pulled_sources"
down_revision: str | None = "20261202_server_secret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pulled_source",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=True),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("next_run", MOMENT, nullable=False),
        sa.Column("claim", sa.String(length=36), nullable=True),
        sa.Column("claimed_until", MOMENT, nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_started", MOMENT, nullable=True),
        sa.Column("last_finished", MOMENT, nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_read", sa.Integer(), nullable=False),
        sa.Column("last_stored", sa.Integer(), nullable=False),
        sa.Column("last_skipped", sa.Integer(), nullable=False),
        sa.Column("last_rejected", sa.Integer(), nullable=False),
        sa.Column("total_stored", sa.BigInteger(), nullable=False),
        sa.Column("total_skipped", sa.BigInteger(), nullable=False),
        sa.Column("total_rejected", sa.BigInteger(), nullable=False),
        sa.Column("created", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulled_source")),
        sa.UniqueConstraint("name", name=op.f("uq_pulled_source_name")),
    )
    with op.batch_alter_table("pulled_source", schema=None) as batch_op:
        batch_op.create_index("ix_pulled_source_active_next", ["active", "next_run"])


def downgrade() -> None:
    with op.batch_alter_table("pulled_source", schema=None) as batch_op:
        batch_op.drop_index("ix_pulled_source_active_next")
    op.drop_table("pulled_source")
