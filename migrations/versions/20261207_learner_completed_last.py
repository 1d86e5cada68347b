"""learner completed last: the day of each learner's last completion of a course

Revision ID: 20261207_learner_completed_last
Revises: 20261207_content_contributor
Create Date: 2026-12-07 14:00:00

``course_learner`` gains ``completed_last``, the last day the person completed the
course (None: never), so that "who knows about X" reads its all-time course evidence
one stored row per learner. It is filled from ``course_progress``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_learner_completed_last"
down_revision: str | None = "20261207_content_contributor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_learner") as batch:
        batch.add_column(sa.Column("completed_last", sa.Date(), nullable=True))
    op.execute(
        "UPDATE course_learner SET completed_last = (SELECT MAX(p.day) FROM course_progress p "
        "WHERE p.course = course_learner.course AND p.actor_key = course_learner.actor_key "
        "AND p.completed > 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("course_learner") as batch:
        batch.drop_column("completed_last")
