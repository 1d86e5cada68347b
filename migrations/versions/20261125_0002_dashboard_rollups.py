"""dashboard rollups: content of a fact, fact tags and the daily activity rollup

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:00:00

Existing facts get ``content_id`` = their activity (the object of the statement) and the
daily rollup is filled from them; tags of facts stored before this revision are not
recovered.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_id", sa.Text(), nullable=True))
        batch_op.create_index(
            "ix_learning_fact_content_concept", ["content_id", "concept"], unique=False
        )
        batch_op.create_index("ix_learning_fact_concept_day", ["concept", "day"], unique=False)
    op.execute("UPDATE learning_fact SET content_id = activity_id")

    op.create_table(
        "learning_fact_tag",
        sa.Column("seq", SERIAL, nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["learning_fact.seq"],
            name=op.f("fk_learning_fact_tag_seq_learning_fact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", "tag", name=op.f("pk_learning_fact_tag")),
    )
    with op.batch_alter_table("learning_fact_tag", schema=None) as batch_op:
        batch_op.create_index("ix_learning_fact_tag_tag", ["tag"], unique=False)

    op.create_table(
        "daily_activity",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source_kind", sa.String(length=8), nullable=False),
        sa.Column("verb_id", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("concept", sa.String(length=32), nullable=False),
        sa.Column("statements", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "source_kind", "verb_id", "team", "platform", name=op.f("pk_daily_activity")
        ),
    )
    op.execute(
        "INSERT INTO daily_activity "
        "(day, source_kind, verb_id, team, platform, concept, statements) "
        "SELECT day, source_kind, verb_id, COALESCE(team, ''), COALESCE(platform, ''), "
        "MIN(concept), COUNT(*) FROM learning_fact "
        "GROUP BY day, source_kind, verb_id, COALESCE(team, ''), COALESCE(platform, '')"
    )


def downgrade() -> None:
    op.drop_table("daily_activity")
    with op.batch_alter_table("learning_fact_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_tag_tag")
    op.drop_table("learning_fact_tag")
    with op.batch_alter_table("learning_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_fact_concept_day")
        batch_op.drop_index("ix_learning_fact_content_concept")
        batch_op.drop_column("content_id")
