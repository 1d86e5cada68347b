"""actor informal month: each person's informal facts, contributions and reactions per month

Revision ID: 20261207_actor_informal_month
Revises: 20261207_learner_stalled_ix
Create Date: 2026-12-07 23:30:00

``actor_informal_month`` sums ``actor_day``'s informal counts per calendar month,
person and team (rows with informal facts only), so that the knowledge page's
participation and contributors read whole months there and only the days at a range's
ends from ``actor_day``. It is filled from ``actor_day``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_actor_informal_month"
down_revision: str | None = "20261207_learner_stalled_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actor_informal_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("informal", sa.BigInteger(), nullable=False),
        sa.Column("contributions", sa.BigInteger(), nullable=False),
        sa.Column("reactions", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "actor_key", "team", name=op.f("pk_actor_informal_month")),
    )
    with op.batch_alter_table("actor_informal_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_actor_informal_month_actor",
            ["actor_key", "month", "team", "informal", "contributions", "reactions"],
            unique=False,
        )
    month = "date(day, 'start of month')"
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS DATE)"
    op.execute(
        "INSERT INTO actor_informal_month (month, actor_key, team, informal, contributions, "
        f"reactions) SELECT {month}, actor_key, team, SUM(informal), SUM(contributions), "
        f"SUM(reactions) FROM actor_day WHERE informal > 0 GROUP BY {month}, actor_key, team"
    )


def downgrade() -> None:
    op.drop_table("actor_informal_month")
