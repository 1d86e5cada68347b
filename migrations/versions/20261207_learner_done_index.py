"""learner completions index: who completed a set of courses, from the index alone

Revision ID: 20261207_learner_done_index
Revises: 20261207_completion_rollups
Create Date: 2026-12-07 15:00:00

``ix_course_learner_completions`` holds, per course, its learners' completions with
their passes and last completion day, so that "who knows about X" reads the learners
who completed its courses without visiting the many who only started them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261207_learner_done_index"
down_revision: str | None = "20261207_completion_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["course", "completed", "actor_key", "passed", "completed_last"]


def upgrade() -> None:
    op.create_index("ix_course_learner_completions", "course_learner", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_course_learner_completions", table_name="course_learner")
