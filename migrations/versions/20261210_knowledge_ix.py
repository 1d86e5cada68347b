"""knowledge indexes: informal work per day by concept, content use by pair

Revision ID: 20261210_knowledge_ix
Revises: 20261210_learner_stages_ix
Create Date: 2026-12-10 01:00:00

``ix_daily_activity_kind_day`` indexes ``daily_activity`` by source kind, day and
concept with the other filter columns and the count, so that the knowledge page's
contributions over time read the informal rows from the index alone, in day order,
instead of every row of the table. ``ix_content_use_month_pair`` indexes
``content_use_month`` by (content, person) with the first read and last response, so
that "most reused" groups the pairs from the index alone instead of reading each row.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261210_knowledge_ix"
down_revision: str | None = "20261210_learner_stages_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAILY_KIND_DAY = ["source_kind", "day", "concept", "team", "platform", "verb_id", "statements"]
USE_PAIR = ["content_id", "actor_key", "month", "team", "first_read", "last_response"]


def upgrade() -> None:
    with op.batch_alter_table("daily_activity", schema=None) as batch_op:
        batch_op.create_index("ix_daily_activity_kind_day", DAILY_KIND_DAY, unique=False)
    with op.batch_alter_table("content_use_month", schema=None) as batch_op:
        batch_op.create_index("ix_content_use_month_pair", USE_PAIR, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("content_use_month", schema=None) as batch_op:
        batch_op.drop_index("ix_content_use_month_pair")
    with op.batch_alter_table("daily_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_activity_kind_day")
