"""course learner stalled index: the pairs that started and never completed

Revision ID: 20261207_learner_stalled_ix
Revises: 20261207_learner_median_ix
Create Date: 2026-12-07 23:10:00

``ix_course_learner_stalled`` holds the (course, person) rows of ``course_learner``
that started and never completed, by last day: the all-time stalled learners read a
page of them, longest idle first, and their count from the index alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_learner_stalled_ix"
down_revision: str | None = "20261207_learner_median_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STALLED = sa.text("started > 0 AND completed = 0")


def upgrade() -> None:
    op.create_index(
        "ix_course_learner_stalled",
        "course_learner",
        ["last_day", "actor_key", "course", "actor_name", "team"],
        sqlite_where=STALLED,
        postgresql_where=STALLED,
    )


def downgrade() -> None:
    op.drop_index("ix_course_learner_stalled", table_name="course_learner")
