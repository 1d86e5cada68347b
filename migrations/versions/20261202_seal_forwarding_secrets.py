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

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

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


def _keys() -> MultiFernet | None:
    keys = str(context.config.attributes.get("forwarding_key") or "")
    parts = [key.strip() for key in keys.split(",") if key.strip()]
    return MultiFernet([Fernet(key) for key in parts]) if parts else None


def _rewrite(change: Callable[[MultiFernet, str], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(RULES.c.id, RULES.c.password, RULES.c.secret).where(
            sa.or_(RULES.c.password.is_not(None), RULES.c.secret.is_not(None))
        )
    ).all()
    if not rows:
        return
    keys = _keys()
    if keys is None:
        raise RuntimeError(NO_KEY)
    for rule_id, password, secret in rows:
        connection.execute(
            RULES.update()
            .where(RULES.c.id == rule_id)
            .values(
                password=None if password is None else change(keys, password),
                secret=None if secret is None else change(keys, secret),
            )
        )


def _seal(keys: MultiFernet, value: str) -> str:
    try:
        keys.decrypt(value.encode())
        return value  # encrypted already
    except InvalidToken:
        return keys.encrypt(value.encode()).decode()


def _open(keys: MultiFernet, value: str) -> str:
    try:
        return keys.decrypt(value.encode()).decode()
    except InvalidToken:
        return value  # in clear already


def upgrade() -> None:
    _rewrite(_seal)


def downgrade() -> None:
    _rewrite(_open)
