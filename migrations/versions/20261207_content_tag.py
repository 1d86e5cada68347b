"""content tag: the tags each piece of content is written with

Revision ID: 20261207_content_tag
Revises: 20261207_user_roles
Create Date: 2026-12-07 12:00:00

``content_tag`` holds, per piece of content, the tags of its informal authoring and
editing facts, so that "what to read next" matches its graduates' writings to a
course's topic without joining every writing fact to its tags. It is filled from the
facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_content_tag"
down_revision: str | None = "20261207_user_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary.WRITING at this revision.
WRITING = ("authored", "created", "asked", "edited")


def upgrade() -> None:
    op.create_table(
        "content_tag",
        sa.Column("content_id", sa.Text(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "tag", name=op.f("pk_content_tag")),
    )
    concepts = ", ".join(f"'{concept}'" for concept in WRITING)
    op.execute(
        "INSERT INTO content_tag (content_id, tag) SELECT DISTINCT f.content_id, t.tag "
        "FROM learning_fact f JOIN learning_fact_tag t ON t.seq = f.seq "
        f"WHERE f.source_kind = 'informal' AND f.concept IN ({concepts}) "
        "AND f.content_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("content_tag")
