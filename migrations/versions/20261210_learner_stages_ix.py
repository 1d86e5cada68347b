"""learner stages index: each course's pairs with their stages and statements

Revision ID: 20261210_learner_stages_ix
Revises: 20261210_scored_fact_ix
Create Date: 2026-12-10 01:00:00

``ix_course_learner_stages`` indexes ``course_learner`` by course with the counts of each
stage and the statements, so that the all-time course funnel counts the people of each
stage per course from the index alone, in course order, instead of reading every pair's
row.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261210_learner_stages_ix"
down_revision: str | None = "20261210_scored_fact_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_learner", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_learner_stages",
            ["course", "enrolled", "started", "completed", "passed", "failed", "satisfied",
             "statements"],
            unique=False,
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("course_learner", schema=None) as batch_op:
        batch_op.drop_index("ix_course_learner_stages")
