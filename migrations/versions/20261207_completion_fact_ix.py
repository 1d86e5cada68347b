"""completion fact index: the completions of courses by person and course

Revision ID: 20261207_completion_fact_ix
Revises: 20261207_actor_month_scores
Create Date: 2026-12-08 00:00:00

``ix_learning_fact_completions`` indexes the completions of courses (a partial index) by
person, course, day and team, so that contribution against results counts the courses
each person completed in a range from the index alone instead of scanning the courses'
index for the completion concepts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_completion_fact_ix"
down_revision: str | None = "20261207_actor_month_scores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's COMPLETED at this revision.
COMPLETIONS = sa.text(
    "concept IN ('completed', 'satisfied', 'passed', 'mastered', 'waived') "
    "AND course_id IS NOT NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_fact_completions",
            ["actor_key", "course_id", "day", "team"],
            unique=False,
            sqlite_where=COMPLETIONS,
            postgresql_where=COMPLETIONS,
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_completions")
