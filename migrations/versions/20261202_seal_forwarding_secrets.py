"""forwarding passwords and webhook secrets encrypted at rest

Revision ID: 20261202_seal_forwarding_secrets
Revises: 20261202_pulled_sources
Create Date: 2026-12-02 18:45:00

Rules stored before this revision hold ``password`` and ``secret`` in clear. The upgrade
encrypts them with the first key of LRS_FORWARDING_KEY (Fernet), handed over by
``lrs.store.migrate.upgrade``; a value that a key already decrypts is left as it is. With
such values and no key the upgrade stops and says so, rather than leave them in clear.
The downgrade decrypts them again. No schema change: both columns stay text.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migrations.sealing import rewrite, seal, unseal

revision: str = "20261202_seal_forwarding_secrets"
down_revision: str | None = "20261202_pulled_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = sa.table(
    "forwarding_rule",
    sa.column("id", sa.Integer()),
    sa.column("password", sa.Text()),
    sa.column("secret", sa.Text()),
)
NO_KEY = (
    "forwarding rules hold passwords or secrets in clear: set LRS_FORWARDING_KEY (make a key "
    "with `lrs forwarding generate-key`) and upgrade again, so that they are encrypted"
)


def upgrade() -> None:
    rewrite(RULES, ["password", "secret"], seal, NO_KEY)


def downgrade() -> None:
    rewrite(RULES, ["password", "secret"], unseal, NO_KEY)
