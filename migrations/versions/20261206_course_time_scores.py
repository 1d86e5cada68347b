"""course progress: attempt seconds and best score per day, course and person

Revision ID: 20261206_course_time_scores
Revises: 20261206_statement_json_text
Create Date: 2026-12-06 13:30:00

``course_progress`` gains ``attempt_seconds`` (the ``result.duration`` of completed,
passed, failed and mastered statements, which course exports without sessions carry)
and ``best_score`` (the best scaled score of a pass or fail), so that the courses page
can give the median time spent and the mean and median score per course from the
rollup. Its rows are recounted from the facts, and its covering index rebuilt with the
new columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_course_time_scores"
down_revision: str | None = "20261206_statement_json_text"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENROLLED = "'registered'"
STARTED = "'launched', 'initialized', 'attempted', 'progressed', 'resumed', 'terminated'"
COMPLETED = "'completed', 'satisfied', 'passed', 'mastered', 'waived'"
PASSED = "'passed', 'mastered'"
FAILED = "'failed'"
SESSION_END = "'terminated', 'abandoned'"
ATTEMPT_END = "'completed', 'passed', 'failed', 'mastered'"
JUDGED = "'passed', 'mastered', 'failed'"
OLD_INDEX = ["course", "actor_key", "day", "team", "enrolled", "started", "completed",
             "passed", "failed", "statements", "timed", "seconds", "actor_name"]  # fmt: skip
NEW_INDEX = [*OLD_INDEX[:-1], "attempt_seconds", "best_score", "actor_name"]


def upgrade() -> None:
    op.drop_index("ix_course_progress_course_actor", table_name="course_progress")
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempt_seconds", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("best_score", sa.Float(), nullable=True))
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.alter_column("attempt_seconds", server_default=None)
    op.execute("DELETE FROM course_progress")
    op.execute(
        "INSERT INTO course_progress (day, course, actor_key, team, actor_name, statements, "
        "enrolled, started, completed, passed, failed, timed, seconds, attempt_seconds, "
        "best_score) "
        "SELECT day, COALESCE(space_id, activity_id), actor_key, COALESCE(team, ''), "
        "MAX(actor_name), COUNT(*), "
        + ", ".join(
            f"SUM(CASE WHEN concept IN ({concepts}) THEN 1 ELSE 0 END)"
            for concepts in (ENROLLED, STARTED, COMPLETED, PASSED, FAILED)
        )
        + f", SUM(CASE WHEN concept IN ({SESSION_END}) AND duration_seconds IS NOT NULL "
        "THEN 1 ELSE 0 END), "
        f"COALESCE(SUM(CASE WHEN concept IN ({SESSION_END}) THEN duration_seconds END), 0.0), "
        f"COALESCE(SUM(CASE WHEN concept IN ({ATTEMPT_END}) THEN duration_seconds END), 0.0), "
        f"MAX(CASE WHEN concept IN ({JUDGED}) THEN score_scaled END) "
        "FROM learning_fact WHERE source_kind = 'formal' "
        "AND COALESCE(space_id, activity_id) IS NOT NULL "
        "GROUP BY day, COALESCE(space_id, activity_id), actor_key, COALESCE(team, '')"
    )
    op.create_index("ix_course_progress_course_actor", "course_progress", NEW_INDEX)


def downgrade() -> None:
    op.drop_index("ix_course_progress_course_actor", table_name="course_progress")
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.drop_column("best_score")
        batch_op.drop_column("attempt_seconds")
    op.create_index("ix_course_progress_course_actor", "course_progress", OLD_INDEX)
