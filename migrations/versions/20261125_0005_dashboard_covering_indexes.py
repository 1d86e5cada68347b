"""dashboard covering indexes on facts, people per day and course progress

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:00:00

The dashboards' grouped scans of a large store spent most of their time reading wide
fact rows one random read at a time. These indexes hold every column those scans use,
so that they read index entries only: ``ix_learning_fact_scan`` (day first) replaces
``ix_learning_fact_day``; the activity and content indexes gain the columns their
rankings count; ``actor_day`` and ``course_progress`` get a person-ordered and a
(course, person)-ordered copy of their rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCAN = ["day", "team", "source_kind", "concept", "activity_id", "content_id", "actor_key"]
ACTIVITY = ["activity_id", "source_kind", "actor_key"]
CONTENT = ["content_id", "concept", "source_kind", "actor_key", "day", "team"]
ACTOR_DAY = ["actor_key", "day", "team", "statements", "formal", "informal", "contributions",
             "reactions", "scores", "score_sum", "actor_name"]  # fmt: skip
COURSE_PROGRESS = ["course", "actor_key", "day", "team", "enrolled", "started", "completed",
                   "passed", "failed", "statements", "timed", "seconds", "actor_name"]  # fmt: skip


def upgrade() -> None:
    op.drop_index("ix_learning_fact_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_scan", "learning_fact", SCAN)
    op.drop_index("ix_learning_fact_activity", table_name="learning_fact")
    op.create_index("ix_learning_fact_activity", "learning_fact", ACTIVITY)
    op.drop_index("ix_learning_fact_content_concept", table_name="learning_fact")
    op.create_index("ix_learning_fact_content_concept", "learning_fact", CONTENT)
    op.create_index("ix_actor_day_actor", "actor_day", ACTOR_DAY)
    op.create_index("ix_course_progress_course_actor", "course_progress", COURSE_PROGRESS)


def downgrade() -> None:
    op.drop_index("ix_course_progress_course_actor", table_name="course_progress")
    op.drop_index("ix_actor_day_actor", table_name="actor_day")
    op.drop_index("ix_learning_fact_content_concept", table_name="learning_fact")
    op.create_index("ix_learning_fact_content_concept", "learning_fact", ["content_id", "concept"])
    op.drop_index("ix_learning_fact_activity", table_name="learning_fact")
    op.create_index("ix_learning_fact_activity", "learning_fact", ["activity_id"])
    op.drop_index("ix_learning_fact_scan", table_name="learning_fact")
    op.create_index("ix_learning_fact_day", "learning_fact", ["day"])
