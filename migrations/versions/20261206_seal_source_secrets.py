"""pulled sources' passwords encrypted at rest

Revision ID: 20261206_seal_source_secrets
Revises: 20261206_persons
Create Date: 2026-12-06 13:30:00

Sources stored before this revision hold ``password`` in clear. The upgrade encrypts it
with the first key of LRS_FORWARDING_KEY (Fernet), as 20261202_seal_forwarding_secrets
did for forwarding rules; a value that a key already decrypts is left as it is. With
such values and no key the upgrade stops and says so. The downgrade decrypts them again.
No schema change: the column stays text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migrations.sealing import rewrite, seal, unseal

revision: str = "20261206_seal_source_secrets"
down_revision: str | None = "20261206_persons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES = sa.table(
    "pulled_source",
    sa.column("id", sa.Integer()),
    sa.column("password", sa.Text()),
)
NO_KEY = (
    "sources hold passwords in clear: set LRS_FORWARDING_KEY (make a key with "
    "`lrs forwarding generate-key`) and upgrade again, so that they are encrypted"
)


def upgrade() -> None:
    rewrite(SOURCES, ["password"], seal, NO_KEY)


def downgrade() -> None:
    rewrite(SOURCES, ["password"], unseal, NO_KEY)
