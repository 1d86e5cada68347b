"""What every `lrs` command shares: the group itself, settings from the environment,
the database (closed when the command ends, migrated on request) and the home page of
credential authorities."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import click

from lrs.config import Settings
from lrs.store.engine import Database
from statements.vocabulary import NO_RULES, Rules

T = TypeVar("T")


def load_settings() -> Settings:
    """The settings of this command, from the LRS_* environment variables."""
    return Settings.from_env(os.environ)


def open_database(settings: Settings | None = None, *, classifies: bool = True) -> Database:
    """The store of ``settings`` (with its classification rules); its connections are
    closed when the command ends. A command that makes no dashboard fact (an export)
    passes ``classifies=False``: the rules are then neither read nor checked."""
    settings = settings or load_settings()
    rules = _rules(settings) if classifies else NO_RULES
    database = Database.from_settings(settings)
    database.rules = rules
    click.get_current_context().call_on_close(database.dispose)
    return database


def _rules(settings: Settings) -> Rules:
    from lrs.errors import LRSError
    from lrs.services import classification

    try:
        return classification.load_rules(settings.classification_rules)
    except LRSError as error:
        raise click.ClickException(error.message) from error


def upgrade(database: Database, settings: Settings | None = None) -> None:
    """Apply pending migrations; LRS_FORWARDING_KEY encrypts secrets stored in clear."""
    from lrs.store import migrate

    migrate.upgrade(database.engine, forwarding_key=(settings or load_settings()).forwarding_key)


def authority_home(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> str:
    return settings.public_url or f"http://{host}:{port}"


def call_service(call: Callable[[Database], T]) -> T:
    """``call(database)``, our errors shown as a command-line error (exit status 1)."""
    from lrs.errors import LRSError

    database = open_database()
    try:
        return call(database)
    except LRSError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An xAPI Learning Record Store with dashboards. Settings come from LRS_* variables."""
