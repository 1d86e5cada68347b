"""actor month scores: each person's name, contributions and scores per month

Revision ID: 20261207_actor_month_scores
Revises: 20261207_actor_month
Create Date: 2026-12-07 23:55:00

``actor_month`` also sums ``actor_day``'s name (the greatest), informal contributions
and formal scores, so that contribution against results reads whole months there and
only the days at a range's ends from ``actor_day``. The table is a rollup: it is made
again with the new columns in its index and filled from ``actor_day``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_actor_month_scores"
down_revision: str | None = "20261207_actor_month"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("statements", "formal", "informal")
MORE = ("actor_name", "contributions", "scores", "score_sum")


def _create(columns: tuple[str, ...]) -> None:
    types = {"actor_name": sa.Text(), "score_sum": sa.Float()}
    op.create_table(
        "actor_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        *[
            sa.Column(name, types.get(name, sa.BigInteger()), nullable=name == "actor_name")
            for name in columns
        ],
        sa.PrimaryKeyConstraint("month", "actor_key", "team", name=op.f("pk_actor_month")),
    )
    with op.batch_alter_table("actor_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_actor_month_actor", ["actor_key", "month", "team", *columns], unique=False
        )
    month = "date(day, 'start of month')"
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS DATE)"
    sums = ", ".join(f"MAX({c})" if c == "actor_name" else f"SUM({c})" for c in columns)
    op.execute(
        f"INSERT INTO actor_month (month, actor_key, team, {', '.join(columns)}) "
        f"SELECT {month}, actor_key, team, {sums} FROM actor_day "
        f"GROUP BY {month}, actor_key, team"
    )


def upgrade() -> None:
    op.drop_table("actor_month")
    _create((*COUNTS, *MORE))


def downgrade() -> None:
    op.drop_table("actor_month")
    _create(COUNTS)
