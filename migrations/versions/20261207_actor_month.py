"""actor month: each person's facts, formal and informal, per month

Revision ID: 20261207_actor_month
Revises: 20261207_completion_tag
Create Date: 2026-12-07 23:40:00

``actor_month`` sums ``actor_day``'s facts, formal and informal facts per calendar
month, person and team, so that the people picker and the most active people read whole
months there and only the days at a range's ends from ``actor_day``. It is filled from
``actor_day``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_actor_month"
down_revision: str | None = "20261207_completion_tag"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actor_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.Column("formal", sa.BigInteger(), nullable=False),
        sa.Column("informal", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "actor_key", "team", name=op.f("pk_actor_month")),
    )
    with op.batch_alter_table("actor_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_actor_month_actor",
            ["actor_key", "month", "team", "statements", "formal", "informal"],
            unique=False,
        )
    month = "date(day, 'start of month')"
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS DATE)"
    op.execute(
        "INSERT INTO actor_month (month, actor_key, team, statements, formal, informal) "
        f"SELECT {month}, actor_key, team, SUM(statements), SUM(formal), SUM(informal) "
        f"FROM actor_day GROUP BY {month}, actor_key, team"
    )


def downgrade() -> None:
    op.drop_table("actor_month")
