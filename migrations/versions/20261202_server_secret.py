"""server secrets: random keys made once and shared by every worker through the database

Revision ID: 20261202_server_secret
Revises: 0006
Create Date: 2026-12-02 18:30:00

The first is the key that signs `more` paging tokens of GET /statements: every worker
and machine must verify what any other issued, and the database is what they share.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_server_secret"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secret")),
    )


def downgrade() -> None:
    op.drop_table("server_secret")
