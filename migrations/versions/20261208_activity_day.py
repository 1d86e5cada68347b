"""activity rollups: facts per day and per month, activity and source kind

Revision ID: 20261208_activity_day
Revises: 20261207_completion_fact_ix
Create Date: 2026-12-08 01:00:00

``activity_day`` counts the facts about each activity per (day, activity, source
kind), ``activity_month`` the same per calendar month (keyed by its first day): the
overview's distinct activities and most used activities over a range of days read
whole months there and only the days at the range's ends from the daily table, instead
of a fact per statement. Both are filled from the facts. ``ix_learning_fact_activity``
ends with the day, so that the people of the few activities ranked are counted over a
range of days from the index alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_activity_day"
down_revision: str | None = "20261207_completion_fact_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(name: str, period: str) -> None:
    op.create_table(
        name,
        sa.Column(period, sa.Date(), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=8), nullable=False),
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(period, "activity_id", "source_kind", name=op.f(f"pk_{name}")),
    )


ACTIVITY = ["activity_id", "source_kind", "actor_key"]
ACTIVITY_DAY = ["activity_id", "source_kind", "actor_key", "day"]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    month = "date(day, 'start of month')"
    if postgresql:
        month = "CAST(date_trunc('month', day) AS DATE)"
    _table("activity_day", "day")
    _table("activity_month", "month")
    op.execute(
        "INSERT INTO activity_day (day, activity_id, source_kind, statements) "
        "SELECT day, activity_id, source_kind, COUNT(*) FROM learning_fact "
        "WHERE activity_id IS NOT NULL GROUP BY day, activity_id, source_kind"
    )
    op.execute(
        "INSERT INTO activity_month (month, activity_id, source_kind, statements) "
        f"SELECT {month}, activity_id, source_kind, SUM(statements) FROM activity_day "
        f"GROUP BY {month}, activity_id, source_kind"
    )
    op.drop_index("ix_learning_fact_activity", table_name="learning_fact")
    op.create_index("ix_learning_fact_activity", "learning_fact", ACTIVITY_DAY)


def downgrade() -> None:
    op.drop_index("ix_learning_fact_activity", table_name="learning_fact")
    op.create_index("ix_learning_fact_activity", "learning_fact", ACTIVITY)
    for name in ("activity_month", "activity_day"):
        op.drop_table(name)
