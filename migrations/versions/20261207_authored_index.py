"""authored index: informal posts, pages and questions with their time, index only

Revision ID: 20261207_authored_index
Revises: 20261207_content_use_month
Create Date: 2026-12-07 23:00:00

``ix_learning_fact_authored`` indexes the informal facts that write a post, page or
question (a partial index: a few facts in a hundred) with their day, team, person,
activity and time, so that the response times read them from the index alone instead
of one fact row each.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_authored_index"
down_revision: str | None = "20261207_content_use_month"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's AUTHORING at this revision.
AUTHORED = sa.text("concept IN ('authored', 'created', 'asked') AND source_kind = 'informal'")
COLUMNS = ["concept", "source_kind", "day", "team", "actor_key", "activity_id", "timestamp"]


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_fact_authored",
            COLUMNS,
            unique=False,
            sqlite_where=AUTHORED,
            postgresql_where=AUTHORED,
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_authored")
