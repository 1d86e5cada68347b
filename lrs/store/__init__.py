"""Persistence: SQLAlchemy models and the functions that read and write them.

Functions take a ``Session`` and never commit; services own transactions. SQLite and
PostgreSQL differ only in ``dialects`` and the model type map.

The names of ``__all__`` are imported when first used, not with the package: importing
one module of the store (as every ``lrs`` command does) does not import the others, nor
alembic for ``upgrade``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrs.store import activities, attachments, credentials, facts, statements
    from lrs.store.engine import Database
    from lrs.store.migrate import pending_changes, upgrade

__all__ = [
    "Database",
    "activities",
    "attachments",
    "credentials",
    "facts",
    "pending_changes",
    "statements",
    "upgrade",
]

_HOMES = {"Database": "engine", "pending_changes": "migrate", "upgrade": "migrate"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
