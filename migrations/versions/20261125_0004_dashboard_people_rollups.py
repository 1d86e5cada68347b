"""dashboard rollups: people and course progress per day, content authors, filter values

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:00:00

``actor_day`` counts facts per (day, person, team), ``course_progress`` formal facts per
(day, course, person, team), ``hourly_activity`` facts per (day, hour, team);
``content_author`` names the first author of each piece of content and ``filter_value``
holds the filter bar's distinct values. All are filled from the existing facts.
``ix_learning_fact_timestamp_seq`` and ``ix_learning_fact_team_timestamp`` serve the
Explorer's newest-first order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRIBUTE = "'asked', 'authored', 'commented', 'created', 'edited', 'replied', 'shared', 'tagged'"
REACT = "'bookmarked', 'liked'"
AUTHORING = "'authored', 'created', 'asked'"
ENROLLED = "'registered'"
STARTED = "'launched', 'initialized', 'attempted', 'progressed', 'resumed', 'terminated'"
COMPLETED = "'completed', 'satisfied', 'passed', 'mastered', 'waived'"
PASSED = "'passed', 'mastered'"
FAILED = "'failed'"
SESSION_END = "'terminated', 'abandoned'"


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index("ix_learning_fact_timestamp_seq", ["timestamp", "seq"], unique=False)
        batch_op.create_index(
            "ix_learning_fact_team_timestamp", ["team", "timestamp", "seq"], unique=False
        )

    op.create_table(
        "actor_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=True),
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.Column("formal", sa.BigInteger(), nullable=False),
        sa.Column("informal", sa.BigInteger(), nullable=False),
        sa.Column("contributions", sa.BigInteger(), nullable=False),
        sa.Column("reactions", sa.BigInteger(), nullable=False),
        sa.Column("scores", sa.BigInteger(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "actor_key", "team", name=op.f("pk_actor_day")),
    )
    with op.batch_alter_table("actor_day", schema=None) as batch_op:
        batch_op.create_index("ix_actor_day_team_day", ["team", "day", "actor_key"], unique=False)
    op.execute(
        "INSERT INTO actor_day (day, actor_key, team, actor_name, statements, formal, "
        "informal, contributions, reactions, scores, score_sum) "
        "SELECT day, actor_key, COALESCE(team, ''), MAX(actor_name), COUNT(*), "
        "SUM(CASE WHEN source_kind = 'formal' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN source_kind = 'informal' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN source_kind = 'informal' AND concept IN ({CONTRIBUTE}) "
        "THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN source_kind = 'informal' AND concept IN ({REACT}) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN source_kind = 'formal' AND score_scaled IS NOT NULL THEN 1 ELSE 0 END), "
        "COALESCE(SUM(CASE WHEN source_kind = 'formal' THEN score_scaled END), 0.0) "
        "FROM learning_fact GROUP BY day, actor_key, COALESCE(team, '')"
    )

    op.create_table(
        "course_progress",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.Text(), nullable=True),
        *[
            sa.Column(name, sa.BigInteger(), nullable=False)
            for name in (
                "statements",
                "enrolled",
                "started",
                "completed",
                "passed",
                "failed",
                "timed",
            )
        ],
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "course", "actor_key", "team", name=op.f("pk_course_progress")
        ),
    )
    op.execute(
        "INSERT INTO course_progress (day, course, actor_key, team, actor_name, statements, "
        "enrolled, started, completed, passed, failed, timed, seconds) "
        "SELECT day, COALESCE(space_id, activity_id), actor_key, COALESCE(team, ''), "
        "MAX(actor_name), COUNT(*), "
        + ", ".join(
            f"SUM(CASE WHEN concept IN ({concepts}) THEN 1 ELSE 0 END)"
            for concepts in (ENROLLED, STARTED, COMPLETED, PASSED, FAILED)
        )
        + f", SUM(CASE WHEN concept IN ({SESSION_END}) AND duration_seconds IS NOT NULL "
        "THEN 1 ELSE 0 END), "
        f"COALESCE(SUM(CASE WHEN concept IN ({SESSION_END}) THEN duration_seconds END), 0.0) "
        "FROM learning_fact WHERE source_kind = 'formal' "
        "AND COALESCE(space_id, activity_id) IS NOT NULL "
        "GROUP BY day, COALESCE(space_id, activity_id), actor_key, COALESCE(team, '')"
    )

    op.create_table(
        "hourly_activity",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "weekday", "hour", "team", name=op.f("pk_hourly_activity")),
    )
    op.execute(
        "INSERT INTO hourly_activity (day, weekday, hour, team, statements) "
        "SELECT day, weekday, hour, COALESCE(team, ''), COUNT(*) FROM learning_fact "
        "GROUP BY day, weekday, hour, COALESCE(team, '')"
    )

    op.create_table(
        "content_author",
        sa.Column("content_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("author_key", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_content_author")),
    )
    op.execute(
        "INSERT INTO content_author (content_id, seq, author_key, at) "
        "SELECT f.activity_id, f.seq, f.actor_key, f.timestamp FROM learning_fact f "
        "JOIN (SELECT activity_id, MIN(seq) AS seq FROM learning_fact "
        f"WHERE concept IN ({AUTHORING}) AND activity_id IS NOT NULL GROUP BY activity_id) "
        "first ON f.seq = first.seq"
    )

    op.create_table(
        "filter_value",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "value", name=op.f("pk_filter_value")),
    )
    for dimension, value, label, condition in (
        ("team", "team", "team", "team <> ''"),
        ("platform", "platform", "platform", "platform <> ''"),
        ("verb", "verb_id", "concept", "1 = 1"),
        ("activity", "activity_id", "activity_name", "1 = 1"),
    ):
        op.execute(
            "INSERT INTO filter_value (dimension, value, label, statements) "
            f"SELECT '{dimension}', {value}, MAX({label}), COUNT(*) FROM learning_fact "
            f"WHERE {value} IS NOT NULL AND {condition} GROUP BY {value}"
        )


def downgrade() -> None:
    op.drop_table("filter_value")
    op.drop_table("content_author")
    op.drop_table("course_progress")
    op.drop_table("hourly_activity")
    with op.batch_alter_table("actor_day", schema=None) as batch_op:
        batch_op.drop_index("ix_actor_day_team_day")
    op.drop_table("actor_day")
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_team_timestamp")
        batch_op.drop_index("ix_learning_fact_timestamp_seq")
