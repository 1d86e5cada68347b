"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from lrs.store import migrate
from lrs.store.engine import Database


def test_migrated_schema_matches_the_models(database: Database) -> None:
    assert migrate.pending_changes(database.engine) == []


def test_history_is_linear(database: Database) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(database.engine))
    assert len(script.get_heads()) == 1


def test_upgrade_is_idempotent(database: Database) -> None:
    migrate.upgrade(database.engine)
    assert migrate.pending_changes(database.engine) == []
