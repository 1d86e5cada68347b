"""pull indexes: a person's facts by day with what they were on, and facts by tag

Revision ID: 20261207_pull_indexes
Revises: 20261207_course_learner
Create Date: 2026-12-07 10:00:00

``ix_learning_fact_actor_day`` also holds the source kind, concept and content of each
fact, so that what a set of people read or wrote from a day on ("what to read next",
a person's timeline) is read from the index alone. ``ix_learning_fact_tag_tag`` finds
the facts of a tag ("who knows about X") without scanning every tag.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261207_pull_indexes"
down_revision: str | None = "20261207_course_learner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIDE = ["actor_key", "day", "source_kind", "concept", "content_id"]


def upgrade() -> None:
    op.drop_index("ix_learning_fact_actor_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_actor_day", "learning_fact", WIDE)
    op.create_index("ix_learning_fact_tag_tag", "learning_fact_tag", ["tag", "seq"])


def downgrade() -> None:
    op.drop_index("ix_learning_fact_tag_tag", table_name="learning_fact_tag")
    op.drop_index("ix_learning_fact_actor_day", table_name="learning_fact")
    op.create_index("ix_learning_fact_actor_day", "learning_fact", ["actor_key", "day"])
