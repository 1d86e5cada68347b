"""statements: the payload is JSON text on PostgreSQL too

Revision ID: 20261206_statement_json_text
Revises: 20261206_seal_source_secrets
Create Date: 2026-12-06 13:40:00

JSONB keeps a binary form that costs more room than the text (about 10 % of a typical
statement) and is rendered back to text on every export; the store never looks into a
payload in SQL. SQLite already keeps JSON as text: nothing changes there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261206_statement_json_text"
down_revision: str | None = "20261206_seal_source_secrets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE statement ALTER COLUMN payload TYPE json USING payload::json")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE statement ALTER COLUMN payload TYPE jsonb USING payload::jsonb")
