"""answer index: each piece of content's comments and replies in time order

Revision ID: 20261207_answer_index
Revises: 20261207_authored_index
Create Date: 2026-12-07 23:20:00

``ix_learning_fact_answers`` indexes the comments and replies (a partial index) by
their content, time and person, so that the response times find each post's first
answer by someone other than its author in a few index entries instead of grouping
every answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_answer_index"
down_revision: str | None = "20261207_authored_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's RESPONDING at this revision.
ANSWERS = sa.text("concept IN ('commented', 'replied')")


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_fact_answers",
            ["content_id", "timestamp", "actor_key"],
            unique=False,
            sqlite_where=ANSWERS,
            postgresql_where=ANSWERS,
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_answers")
