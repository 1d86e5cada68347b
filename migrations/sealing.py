"""What the data migrations that encrypt stored passwords share.

A revision that encrypts a column stored in clear by older versions rewrites each value
with the keys of LRS_FORWARDING_KEY, handed over by ``lrs.store.migrate.upgrade``: the
first key encrypts a value no key decrypts yet (Fernet, as ``lrs.services.sealing``);
with such values and no key it stops and says so, rather than leave them in clear. The
downgrade decrypts them again.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _keys() -> MultiFernet | None:
    keys = str(context.config.attributes.get("forwarding_key") or "")
    parts = [key.strip() for key in keys.split(",") if key.strip()]
    return MultiFernet([Fernet(key) for key in parts]) if parts else None


def seal(keys: MultiFernet, value: str) -> str:
    """``value`` encrypted under the first key, unless a key decrypts it already."""
    try:
        keys.decrypt(value.encode())
        return value
    except InvalidToken:
        return keys.encrypt(value.encode()).decode()


def unseal(keys: MultiFernet, value: str) -> str:
    """``value`` decrypted, or as it is when no key decrypts it (in clear already)."""
    try:
        return keys.decrypt(value.encode()).decode()
    except InvalidToken:
        return value


def rewrite(
    table: sa.TableClause,
    columns: list[str],
    change: Callable[[MultiFernet, str], str],
    no_key: str,
) -> None:
    """Apply ``change`` to every non-null value of ``columns`` of ``table`` (keyed by
    its ``id`` column); ``RuntimeError(no_key)`` when there are values and no key."""
    connection = op.get_bind()
    wanted = [table.c[name] for name in columns]
    rows = connection.execute(
        sa.select(table.c.id, *wanted).where(sa.or_(*(c.is_not(None) for c in wanted)))
    ).all()
    if not rows:
        return
    keys = _keys()
    if keys is None:
        raise RuntimeError(no_key)
    for row_id, *values in rows:
        connection.execute(
            table.update()
            .where(table.c.id == row_id)
            .values(
                {
                    name: None if value is None else change(keys, value)
                    for name, value in zip(columns, values, strict=True)
                }
            )
        )
