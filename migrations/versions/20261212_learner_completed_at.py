"""learner completed at: each learner's first completion of a course, over all days

Revision ID: 20261212_learner_completed_at
Revises: 20261211_progress_measured_ix
Create Date: 2026-12-12 00:00:00

``course_learner`` gains the time of the pair's first completion on the course itself
(``completed_at``) and on it or any part (``part_completed_at``), the least of its
``course_progress`` days', and the greatest name of its days with a completion
(``completed_name``), filled from ``course_progress``; a partial index of the pairs that
completed holds them, in (course, person) order, so that the all-time "completion to
contribution" reads each learner's first completion instead of grouping every day's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261212_learner_completed_at"
down_revision: str | None = "20261211_progress_measured_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPLETED = sa.text("completed > 0")
COLUMNS = ["course", "actor_key", "completed_at", "part_completed_at", "completed_name"]


def _days(value: str) -> str:
    return (
        f"(SELECT {value} FROM course_progress p WHERE p.course = course_learner.course "
        "AND p.actor_key = course_learner.actor_key AND p.completed > 0)"
    )


def upgrade() -> None:
    with op.batch_alter_table("course_learner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("part_completed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("completed_name", sa.Text(), nullable=True))
    op.execute(
        f"UPDATE course_learner SET completed_at = {_days('MIN(p.completed_at)')}, "
        f"part_completed_at = {_days('MIN(p.part_completed_at)')}, "
        f"completed_name = {_days('MAX(p.actor_name)')} WHERE completed > 0"
    )
    op.create_index(
        "ix_course_learner_completed",
        "course_learner",
        COLUMNS,
        sqlite_where=COMPLETED,
        postgresql_where=COMPLETED,
    )


def downgrade() -> None:
    op.drop_index("ix_course_learner_completed", table_name="course_learner")
    with op.batch_alter_table("course_learner", schema=None) as batch_op:
        batch_op.drop_column("completed_name")
        batch_op.drop_column("part_completed_at")
        batch_op.drop_column("completed_at")
