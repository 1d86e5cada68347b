"""dashboard covering indexes on facts, people per day and course progress

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:00:00

The dashboards' grouped scans of a large store spent most of their time reading wide
fact rows one random read at a time. These indexes hold every column those scans use,
so that they read index entries only: ``ix_learning_fact_scan`` (day first) replaces
``ix_learning_fact_day``; the activity and content indexes gain the columns their
rankings count; ``actor_day`` and ``course_progress`` get a person-ordered and a
(course, person)-ordered copy of their rows. Identifiers longer than 512 bytes in the
facts and rollups are first put under the bounded key that ingest now writes (start +
SHA-256), so that no index entry exceeds PostgreSQL's B-tree limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
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


KEY_BYTES = 512
KEY_COLUMNS = {
    "learning_fact": ("actor_key", "verb_id", "activity_id", "content_id", "space_id", "team",
                      "platform"),
    "daily_activity": ("verb_id", "team", "platform"),
    "actor_day": ("actor_key", "team"),
    "course_progress": ("course", "actor_key", "team"),
    "hourly_activity": ("team",),
    "content_author": ("content_id", "author_key"),
    "filter_value": ("value",),
}  # fmt: skip


def _bounded(value: str) -> str:
    # The rule of lrs.store.facts.bounded_key as of this revision.
    encoded = value.encode()
    if len(encoded) <= KEY_BYTES:
        return value
    digest = hashlib.sha256(encoded).hexdigest()
    return f"{encoded[: KEY_BYTES - len(digest) - 8].decode(errors='ignore')}#sha256:{digest}"


def _bound_long_keys() -> set[str]:
    """Rewrite long identifiers; returns the tables changed."""
    connection = op.get_bind()
    changed: set[str] = set()
    for table, columns in KEY_COLUMNS.items():
        for column in columns:
            # Characters never outnumber bytes: this finds every candidate cheaply.
            long_values = connection.execute(
                sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE length({column}) > :n"),
                {"n": KEY_BYTES // 4},
            ).scalars()
            for value in list(long_values):
                if _bounded(value) != value:
                    connection.execute(
                        sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),
                        {"new": _bounded(value), "old": value},
                    )
                    changed.add(table)
    return changed


def upgrade() -> None:
    changed = _bound_long_keys()
    if changed and op.get_bind().dialect.name == "postgresql":
        # CREATE INDEX also indexes the old versions of rewritten rows while any snapshot
        # might see them: commit the rewrite and vacuum those versions away first.
        with op.get_context().autocommit_block():
            for table in sorted(changed):
                op.execute(f"VACUUM {table}")
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
