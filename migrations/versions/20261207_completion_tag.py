"""completion tag: the tags of each course's completions per day and team

Revision ID: 20261207_completion_tag
Revises: 20261207_actor_informal_month
Create Date: 2026-12-07 23:10:00

``completion_tag`` holds, per day, course, team (``""``: none) and tag, the tags of the
formal completions (completed, passed...) on the course, so that "completion to
contribution" reads a course's topic within a range there instead of joining every
completion to its tags. It is filled from the facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_completion_tag"
down_revision: str | None = "20261207_actor_informal_month"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary.COMPLETED at this revision.
COMPLETED = ("completed", "satisfied", "passed", "mastered", "waived")


def upgrade() -> None:
    op.create_table(
        "completion_tag",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", "course", "team", "tag", name=op.f("pk_completion_tag")),
    )
    concepts = ", ".join(f"'{concept}'" for concept in COMPLETED)
    op.execute(
        "INSERT INTO completion_tag (day, course, team, tag) "
        "SELECT DISTINCT f.day, f.course_id, COALESCE(f.team, ''), t.tag "
        "FROM learning_fact f JOIN learning_fact_tag t ON t.seq = f.seq "
        f"WHERE f.source_kind = 'formal' AND f.concept IN ({concepts}) "
        "AND f.course_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("completion_tag")
