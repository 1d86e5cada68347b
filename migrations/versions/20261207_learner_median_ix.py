"""course learner medians indexes: the pairs with a score, and with seconds

Revision ID: 20261207_learner_median_ix
Revises: 20261207_contribution_tag
Create Date: 2026-12-07 23:00:00

``ix_course_learner_scored`` and ``ix_course_learner_timed`` hold, in course order,
only the (course, person) rows of ``course_learner`` with a best score, or with
seconds of either kind: the all-time course funnel's median score and time, and the
time spent per course, read them instead of every learner's row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_learner_median_ix"
down_revision: str | None = "20261207_contribution_tag"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCORED = sa.text("best_score IS NOT NULL")
TIMED = sa.text("seconds != 0 OR attempt_seconds != 0")


def upgrade() -> None:
    op.create_index(
        "ix_course_learner_scored",
        "course_learner",
        ["course", "best_score"],
        sqlite_where=SCORED,
        postgresql_where=SCORED,
    )
    op.create_index(
        "ix_course_learner_timed",
        "course_learner",
        ["course", "seconds", "attempt_seconds", "actor_key"],
        sqlite_where=TIMED,
        postgresql_where=TIMED,
    )


def downgrade() -> None:
    op.drop_index("ix_course_learner_timed", table_name="course_learner")
    op.drop_index("ix_course_learner_scored", table_name="course_learner")
