"""vocabulary courses: the course of each fact, cmi5 satisfied, registrations' courses

Facts get ``course_id`` (the course found in the statement, its context or its
registration), ``named_course`` and ``base_kind`` (what the vocabulary alone says, for
re-applying an administrator's rules) and ``opens_registration`` (the first fact of a
registration: an enrolment), course progress a ``satisfied`` count. Existing facts get
the course their object or space is, when that is a course activity; ``lrs reclassify``
recomputes every fact and rollup with the current vocabulary.

Revision ID: 20261206_vocabulary_courses
Revises: 20261206_index_rows_keyed
Create Date: 2026-12-06 13:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_vocabulary_courses"
down_revision: str | None = "20261206_index_rows_keyed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OLD_PROGRESS = ("course", "actor_key", "day", "team", "enrolled", "started", "completed",
                "passed", "failed", "statements", "timed", "seconds", "attempt_seconds",
                "best_score", "actor_name")  # fmt: skip
# The concepts of each course stage when this migration was written.
STAGES = {
    "enrolled": "concept = 'registered' OR opens_registration",
    "started": "concept IN ('launched', 'initialized', 'attempted', 'progressed', 'resumed', "
    "'terminated')",
    "completed": "concept IN ('completed', 'satisfied', 'passed', 'mastered', 'waived')",
    "passed": "concept IN ('passed', 'mastered')",
    "failed": "concept = 'failed'",
    "satisfied": "concept = 'satisfied'",
}
TIMED = "concept IN ('terminated', 'abandoned') AND duration_seconds IS NOT NULL"
ATTEMPT_END = "concept IN ('completed', 'passed', 'failed', 'mastered')"
JUDGED = "concept IN ('passed', 'mastered', 'failed')"
COURSE_TYPES = (
    "http://adlnet.gov/expapi/activities/course",
    "https://w3id.org/xapi/cmi5/activitytype/course",
    "https://w3id.org/xapi/cmi5/activities/course",
    "http://id.tincanapi.com/activitytype/lms/course",
)


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("course_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("named_course", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("base_kind", sa.String(length=8), server_default="other", nullable=False)
        )
        batch_op.add_column(
            sa.Column("opens_registration", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index("ix_learning_fact_course_concept", ["course_id", "concept"])
        batch_op.create_index("ix_learning_fact_registration", ["registration", "seq"])
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("satisfied", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.drop_index("ix_course_progress_course_actor")
        batch_op.create_index("ix_course_progress_course_actor", [*OLD_PROGRESS, "satisfied"])
    op.create_table(
        "registration_course",
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("seq", SERIAL, nullable=False),
        sa.PrimaryKeyConstraint("registration", name=op.f("pk_registration_course")),
    )
    facts = sa.table(
        "learning_fact",
        sa.column("activity_id", sa.String()),
        sa.column("activity_type", sa.String()),
        sa.column("space_id", sa.String()),
        sa.column("course_id", sa.String()),
        sa.column("named_course", sa.String()),
        sa.column("source_kind", sa.String()),
        sa.column("base_kind", sa.String()),
        sa.column("seq", sa.BigInteger()),
        sa.column("registration", sa.String()),
        sa.column("opens_registration", sa.Boolean()),
    )
    firsts = (
        sa.select(sa.func.min(facts.c.seq))
        .where(facts.c.registration.is_not(None))
        .group_by(facts.c.registration)
    )
    op.execute(facts.update().where(facts.c.seq.in_(firsts)).values(opens_registration=True))
    courses = sa.select(facts.c.activity_id).where(facts.c.activity_type.in_(COURSE_TYPES))
    op.execute(
        facts.update()
        .where(facts.c.activity_type.in_(COURSE_TYPES))
        .values(course_id=facts.c.activity_id)
    )
    op.execute(
        facts.update()
        .where(facts.c.course_id.is_(None), facts.c.space_id.in_(courses.scalar_subquery()))
        .values(course_id=facts.c.space_id)
    )
    op.execute(facts.update().values(named_course=facts.c.course_id, base_kind=facts.c.source_kind))


def downgrade() -> None:
    op.drop_table("registration_course")
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_course_progress_course_actor")
        batch_op.create_index("ix_course_progress_course_actor", list(OLD_PROGRESS))
        batch_op.drop_column("satisfied")
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_registration")
        batch_op.drop_index("ix_learning_fact_course_concept")
        batch_op.drop_column("opens_registration")
        batch_op.drop_column("base_kind")
        batch_op.drop_column("named_course")
        batch_op.drop_column("course_id")
