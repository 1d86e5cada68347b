"""Persistence: SQLAlchemy models and the functions that read and write them.

Functions take a ``Session`` and never commit; services own transactions. SQLite and
PostgreSQL differ only in ``dialects`` and the model type map.
"""

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
