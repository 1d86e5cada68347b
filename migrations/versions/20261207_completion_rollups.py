"""completion rollups: first completions per course day, contributions' content

Revision ID: 20261207_completion_rollups
Revises: 20261207_content_day
Create Date: 2026-12-07 19:00:00

``course_progress`` gains the time of the first completion on the course itself
(``completed_at``) and on it or any part (``part_completed_at``), filled from the facts,
and a partial index of the rows that count a completion, in (course, person) order.
``ix_learning_fact_concept_day`` gains ``content_id``, so that contributions are read
with their content from the index alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_completion_rollups"
down_revision: str | None = "20261207_content_day"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPLETED = "'completed', 'satisfied', 'passed', 'mastered', 'waived'"
CONCEPT = ["concept", "day", "source_kind", "team", "actor_key", "timestamp", "seq"]
COMPLETIONS = ["course", "actor_key", "day", "team", "completed_at", "part_completed_at",
               "actor_name"]  # fmt: skip


def _first(on_course: bool) -> str:
    own = "AND f.activity_id = f.course_id " if on_course else ""
    return (
        "(SELECT MIN(f.timestamp) FROM learning_fact f WHERE f.course_id = course_progress.course "
        f"AND f.concept IN ({COMPLETED}) AND f.source_kind = 'formal' "
        "AND f.actor_key = course_progress.actor_key AND f.day = course_progress.day "
        f"AND COALESCE(f.team, '') = course_progress.team {own})"
    )


def upgrade() -> None:
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("part_completed_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        f"UPDATE course_progress SET completed_at = {_first(True)}, "
        f"part_completed_at = {_first(False)} WHERE completed > 0"
    )
    completed = sa.text("completed > 0")
    op.create_index(
        "ix_course_progress_completions",
        "course_progress",
        COMPLETIONS,
        sqlite_where=completed,
        postgresql_where=completed,
    )
    op.drop_index("ix_learning_fact_concept_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_concept_day", "learning_fact", [*CONCEPT, "content_id"])


def downgrade() -> None:
    op.drop_index("ix_learning_fact_concept_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_concept_day", "learning_fact", CONCEPT)
    op.drop_index("ix_course_progress_completions", table_name="course_progress")
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.drop_column("part_completed_at")
        batch_op.drop_column("completed_at")
