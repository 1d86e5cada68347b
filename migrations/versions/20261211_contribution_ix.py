"""contribution index: each person's informal contributions by content, with their times

Revision ID: 20261211_contribution_ix
Revises: 20261210_knowledge_ix
Create Date: 2026-12-11 00:00:00

``ix_learning_fact_contributions`` indexes the informal contributions on content (a
partial index: a few facts in ten) by person and content with their time, team, kind
and concept, so that "completion to contribution" reads each person's contributions on
each piece of content from the index alone, grouped in index order: one row per
(person, content) with its times joined, instead of a row per contribution.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_contribution_ix"
down_revision: str | None = "20261210_knowledge_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's CONTRIBUTE at this revision.
CONTRIBUTIONS = sa.text(
    "concept IN ('authored', 'created', 'edited', 'commented', 'replied', 'asked', 'shared',"
    " 'tagged') AND source_kind = 'informal' AND content_id IS NOT NULL"
)
COLUMNS = ["actor_key", "content_id", "timestamp", "team", "source_kind", "concept"]


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_fact_contributions",
            COLUMNS,
            unique=False,
            sqlite_where=CONTRIBUTIONS,
            postgresql_where=CONTRIBUTIONS,
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_contributions")
