"""content and tag rollups: informal facts per day and per month

Revision ID: 20261207_content_day
Revises: 20261207_learner_completed_last
Create Date: 2026-12-07 18:00:00

``content_day`` counts informal facts on content per (day, content, team, concept,
activity type), ``tag_day`` informal facts per (day, team, tag); ``content_month`` and
``tag_month`` hold the same sums per calendar month (keyed by its first day), so that
the knowledge page's rankings and emerging topics read whole months there and only the
days at a range's ends from the daily tables. All four are filled from the facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_content_day"
down_revision: str | None = "20261207_learner_completed_last"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT_KEY = ("content_id", "team", "concept", "activity_type")
TAG_KEY = ("team", "tag")
TYPE_CHARACTERS = 200


def _table(name: str, period: str, key: Sequence[str]) -> None:
    columns = {
        "content_id": sa.Column("content_id", sa.Text(), nullable=False),
        "team": sa.Column("team", sa.Text(), nullable=False),
        "concept": sa.Column("concept", sa.String(length=32), nullable=False),
        "activity_type": sa.Column("activity_type", sa.Text(), nullable=False),
        "tag": sa.Column("tag", sa.Text(), nullable=False),
    }
    op.create_table(
        name,
        sa.Column(period, sa.Date(), nullable=False),
        *[columns[column] for column in key],
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(period, *key, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    month = "date(day, 'start of month')"
    if postgresql:
        month = "CAST(date_trunc('month', day) AS DATE)"
    _table("content_day", "day", CONTENT_KEY)
    _table("content_month", "month", CONTENT_KEY)
    _table("tag_day", "day", TAG_KEY)
    _table("tag_month", "month", TAG_KEY)
    index = ("activity_type", "content_id", "team", "statements")
    with op.batch_alter_table("content_day", schema=None) as batch_op:
        batch_op.create_index("ix_content_day_concept", ["concept", "day", *index], unique=False)
    with op.batch_alter_table("content_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_content_month_concept", ["concept", "month", *index], unique=False
        )
    kind = f"substr(COALESCE(activity_type, ''), 1, {TYPE_CHARACTERS})"
    op.execute(
        "INSERT INTO content_day (day, content_id, team, concept, activity_type, statements) "
        f"SELECT day, content_id, COALESCE(team, ''), concept, {kind}, COUNT(*) "
        "FROM learning_fact WHERE source_kind = 'informal' AND content_id IS NOT NULL "
        f"GROUP BY day, content_id, COALESCE(team, ''), concept, {kind}"
    )
    op.execute(
        "INSERT INTO tag_day (day, team, tag, statements) "
        "SELECT f.day, COALESCE(f.team, ''), t.tag, COUNT(*) "
        "FROM learning_fact f JOIN learning_fact_tag t ON t.seq = f.seq "
        "WHERE f.source_kind = 'informal' GROUP BY f.day, COALESCE(f.team, ''), t.tag"
    )
    for daily, monthly, key in (("content_day", "content_month", CONTENT_KEY),
                                ("tag_day", "tag_month", TAG_KEY)):  # fmt: skip
        columns = ", ".join(key)
        op.execute(
            f"INSERT INTO {monthly} (month, {columns}, statements) "
            f"SELECT {month}, {columns}, SUM(statements) FROM {daily} "
            f"GROUP BY {month}, {columns}"
        )


def downgrade() -> None:
    for name in ("tag_month", "tag_day", "content_month", "content_day"):
        op.drop_table(name)
