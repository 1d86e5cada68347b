"""contribution tag: the tags of each piece of content's contributions

Revision ID: 20261207_contribution_tag
Revises: 20261207_answer_index
Create Date: 2026-12-07 23:00:00

``contribution_tag`` holds, per piece of content, the tags of its informal
contributions (posts, edits, comments, replies, shares, taggings), so that "completion
to contribution" reads each content's topic there instead of joining every
contribution to its tags. It is filled from the facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_contribution_tag"
down_revision: str | None = "20261207_answer_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary.CONTRIBUTE at this revision.
CONTRIBUTE = ("authored", "created", "edited", "commented", "replied", "asked", "shared", "tagged")


def upgrade() -> None:
    op.create_table(
        "contribution_tag",
        sa.Column("content_id", sa.Text(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "tag", name=op.f("pk_contribution_tag")),
    )
    concepts = ", ".join(f"'{concept}'" for concept in CONTRIBUTE)
    op.execute(
        "INSERT INTO contribution_tag (content_id, tag) SELECT DISTINCT f.content_id, t.tag "
        "FROM learning_fact f JOIN learning_fact_tag t ON t.seq = f.seq "
        f"WHERE f.source_kind = 'informal' AND f.concept IN ({concepts}) "
        "AND f.content_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("contribution_tag")
