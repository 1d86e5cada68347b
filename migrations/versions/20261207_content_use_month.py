"""content use per month: each person's reads and responses on a piece of content

Revision ID: 20261207_content_use_month
Revises: 20261207_learner_done_index
Create Date: 2026-12-07 22:30:00

``content_use_month`` holds, per piece of content, person, team and calendar month,
the person's reads of informal content and their edits, comments and replies on it,
with the first day they read it and the last day they responded to it in the month, so
that "most reused" reads whole months there instead of every view. It is filled from
the facts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_content_use_month"
down_revision: str | None = "20261207_learner_done_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# statements.vocabulary's CONSUME, EDITING and RESPONDING at this revision.
CONSUME = "'viewed', 'paused', 'seeked', 'interacted', 'navigated', 'searched', 'attended'"
RESPONSES = "'edited', 'commented', 'replied'"


def upgrade() -> None:
    op.create_table(
        "content_use_month",
        sa.Column("content_id", sa.Text(), nullable=False),
        sa.Column("actor_key", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("reads", sa.BigInteger(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.Column("first_read", sa.Date(), nullable=True),
        sa.Column("last_response", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint(
            "content_id", "actor_key", "team", "month", name=op.f("pk_content_use_month")
        ),
    )
    with op.batch_alter_table("content_use_month", schema=None) as batch_op:
        batch_op.create_index(
            "ix_content_use_month_month",
            ["month", "content_id", "actor_key", "team", "first_read", "last_response"],
            unique=False,
        )
    month = "date(day, 'start of month')"
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS DATE)"
    op.execute(
        "INSERT INTO content_use_month (content_id, actor_key, team, month, reads, responses, "
        "first_read, last_response) SELECT content_id, actor_key, COALESCE(team, ''), "
        f"{month}, SUM(CASE WHEN concept IN ({CONSUME}) THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN concept IN ({RESPONSES}) THEN 1 ELSE 0 END), "
        f"MIN(CASE WHEN concept IN ({CONSUME}) THEN day END), "
        f"MAX(CASE WHEN concept IN ({RESPONSES}) THEN day END) "
        "FROM learning_fact WHERE source_kind = 'informal' AND content_id IS NOT NULL "
        f"AND concept IN ({CONSUME}, {RESPONSES}) "
        f"GROUP BY content_id, actor_key, COALESCE(team, ''), {month}"
    )


def downgrade() -> None:
    op.drop_table("content_use_month")
