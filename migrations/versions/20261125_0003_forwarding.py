"""forwarding: rules and the delivery outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "forwarding_rule",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("xapi_version", sa.String(length=16), nullable=False),
        sa.Column("verbs", JSON, nullable=False),
        sa.Column("activity_types", JSON, nullable=False),
        sa.Column("source_kinds", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forwarding_rule")),
        sa.UniqueConstraint("name", name=op.f("uq_forwarding_rule_name")),
    )
    op.create_table(
        "forwarding_delivery",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("rule_id", SERIAL, nullable=False),
        sa.Column("statement_seq", SERIAL, nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim", sa.String(length=36), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_seq"],
            ["statement.seq"],
            name=op.f("fk_forwarding_delivery_statement_seq_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forwarding_delivery")),
    )
    with op.batch_alter_table("forwarding_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_forwarding_delivery_status_next", ["status", "next_attempt"])
        batch_op.create_index("ix_forwarding_delivery_rule_status", ["rule_id", "status"])
        batch_op.create_index("ix_forwarding_delivery_claim", ["claim"])
        batch_op.create_index("ix_forwarding_delivery_statement_seq", ["statement_seq"])


def downgrade() -> None:
    with op.batch_alter_table("forwarding_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_forwarding_delivery_statement_seq")
        batch_op.drop_index("ix_forwarding_delivery_claim")
        batch_op.drop_index("ix_forwarding_delivery_rule_status")
        batch_op.drop_index("ix_forwarding_delivery_status_next")
    op.drop_table("forwarding_delivery")
    op.drop_table("forwarding_rule")
