"""content contributor: per (content, person) their writings, edits and comments

Revision ID: 20261207_content_contributor
Revises: 20261207_content_tag
Create Date: 2026-12-07 13:00:00

``content_contributor`` holds, per piece of content and person, the posts, pages or
questions they wrote on it, their edits, comments and replies, and the last day of
their writing and of their comments, so that "who knows about X" reads its all-time
evidence one row per person and content. It is filled from the facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_content_contributor"
down_revision: str | None = "20261207_content_tag"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's AUTHORING, EDITING and RESPONDING at this revision.
AUTHORING = "'authored', 'created', 'asked'"
EDITING = "'edited'"
RESPONDING = "'commented', 'replied'"


def upgrade() -> None:
    op.create_table(
        "content_contributor",
        sa.Column("content_id", sa.Text(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("wrote", sa.BigInteger(), nullable=False),
        sa.Column("edited", sa.BigInteger(), nullable=False),
        sa.Column("commented", sa.BigInteger(), nullable=False),
        sa.Column("written_last", sa.Date(), nullable=True),
        sa.Column("commented_last", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("content_id", "actor_key", name=op.f("pk_content_contributor")),
    )
    op.execute(
        "INSERT INTO content_contributor (content_id, actor_key, wrote, edited, commented, "
        "written_last, commented_last) SELECT content_id, actor_key, "
        f"SUM(CASE WHEN concept IN ({AUTHORING}) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN concept IN ({EDITING}) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN concept IN ({RESPONDING}) THEN 1 ELSE 0 END), "
        f"MAX(CASE WHEN concept IN ({AUTHORING}, {EDITING}) THEN day END), "
        f"MAX(CASE WHEN concept IN ({RESPONDING}) THEN day END) "
        "FROM learning_fact WHERE source_kind = 'informal' AND content_id IS NOT NULL "
        f"AND concept IN ({AUTHORING}, {EDITING}, {RESPONDING}) GROUP BY content_id, actor_key"
    )


def downgrade() -> None:
    op.drop_table("content_contributor")
