"""pull course index: a course's completions with who and when, from the index alone

Revision ID: 20261207_pull_course_index
Revises: 20261207_pull_indexes
Create Date: 2026-12-07 11:00:00

``ix_learning_fact_course_concept`` also holds each fact's source kind, person and day,
so that who completed a set of courses and when ("who knows about X", "what to read
next") is read from the index without visiting the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261207_pull_course_index"
down_revision: str | None = "20261207_pull_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIDE = ["course_id", "concept", "source_kind", "actor_key", "day"]


def upgrade() -> None:
    op.drop_index("ix_learning_fact_course_concept", table_name="learning_fact")
    op.create_index("ix_learning_fact_course_concept", "learning_fact", WIDE)


def downgrade() -> None:
    op.drop_index("ix_learning_fact_course_concept", table_name="learning_fact")
    op.create_index("ix_learning_fact_course_concept", "learning_fact", ["course_id", "concept"])
