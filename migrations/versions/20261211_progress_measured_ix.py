"""course progress measured index: the rows with a score or seconds, by course and person

Revision ID: 20261211_progress_measured_ix
Revises: 20261211_contribution_ix
Create Date: 2026-12-11 02:00:00

``ix_course_progress_measured`` holds, in (course, person, day) order, only the rows of
``course_progress`` with a best score or seconds of either kind, with those values: the
course funnel and time spent over a day range group each pair's best score and time from
it alone instead of reading every row of the range.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_progress_measured_ix"
down_revision: str | None = "20261211_contribution_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEASURED = sa.text("best_score IS NOT NULL OR seconds != 0 OR attempt_seconds != 0")


def upgrade() -> None:
    op.create_index(
        "ix_course_progress_measured",
        "course_progress",
        ["course", "actor_key", "day", "team", "best_score", "seconds", "attempt_seconds"],
        sqlite_where=MEASURED,
        postgresql_where=MEASURED,
    )


def downgrade() -> None:
    op.drop_index("ix_course_progress_measured", table_name="course_progress")
