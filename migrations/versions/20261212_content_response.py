"""content response: each person's answers, edits and reactions per piece of content

Revision ID: 20261212_content_response
Revises: 20261212_learner_completed_at
Create Date: 2026-12-12 01:00:00

``content_response`` counts, per (piece of content, person) over all days, the facts
that answer, edit or react to it (of any source kind), filled from the facts, so that
the all-time knowledge flow reads a row per person and content instead of a fact per
like.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261212_content_response"
down_revision: str | None = "20261212_learner_completed_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's RESPONSES at this revision.
RESPONSES = "'commented', 'replied', 'edited', 'liked', 'voted', 'bookmarked', 'followed'"


def upgrade() -> None:
    op.create_table(
        "content_response",
        sa.Column("content_id", sa.Text(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "actor_key", name=op.f("pk_content_response")),
    )
    op.execute(
        "INSERT INTO content_response (content_id, actor_key, responses) "
        "SELECT content_id, actor_key, COUNT(*) FROM learning_fact "
        f"WHERE concept IN ({RESPONSES}) AND content_id IS NOT NULL "
        "GROUP BY content_id, actor_key"
    )


def downgrade() -> None:
    op.drop_table("content_response")
