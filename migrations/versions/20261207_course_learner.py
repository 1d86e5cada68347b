"""course learner: per (course, person) counts over all days

Revision ID: 20261207_course_learner
Revises: 20261206_vocabulary_courses
Create Date: 2026-12-07 09:00:00

``course_learner`` holds, per course and person, the sums of their ``course_progress``
rows over all days (stages, statements, timed seconds, best score, team, first and last
day), so that the all-time course questions read one row per learner instead of
grouping one row per learner and day. It is filled from ``course_progress``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_course_learner"
down_revision: str | None = "20261206_vocabulary_courses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = ("statements", "enrolled", "started", "completed", "passed", "failed", "satisfied",
           "timed")  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "course_learner",
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=True),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTED],
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("attempt_seconds", sa.Float(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("course", "actor_key", name=op.f("pk_course_learner")),
    )
    op.execute(
        "INSERT INTO course_learner (course, actor_key, team, actor_name, "
        + ", ".join(COUNTED)
        + ", seconds, attempt_seconds, best_score, first_day, last_day) "
        "SELECT course, actor_key, MAX(team), MAX(actor_name), "
        + ", ".join(f"SUM({name})" for name in COUNTED)
        + ", SUM(seconds), SUM(attempt_seconds), MAX(best_score), MIN(day), MAX(day) "
        "FROM course_progress GROUP BY course, actor_key"
    )


def downgrade() -> None:
    op.drop_table("course_learner")
