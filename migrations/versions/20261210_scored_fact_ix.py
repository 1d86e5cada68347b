"""scored fact index: the facts with a scaled score by kind, day and team

Revision ID: 20261210_scored_fact_ix
Revises: 20261208_activity_day
Create Date: 2026-12-10 00:00:00

``ix_learning_fact_scored`` indexes the facts with a scaled score (a partial index) by
source kind, day and team, with the score, so that the courses' score distribution
reads those few facts from the index alone instead of every formal fact's entry of
``ix_learning_fact_kind_day``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261210_scored_fact_ix"
down_revision: str | None = "20261208_activity_day"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCORED = sa.text("score_scaled IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_fact_scored",
            ["source_kind", "day", "team", "score_scaled"],
            unique=False,
            sqlite_where=SCORED,
            postgresql_where=SCORED,
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_scored")
