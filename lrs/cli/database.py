"""`lrs db`: schema upgrades and the check that models and schema agree."""

from __future__ import annotations

import sys

import click

from lrs.cli.common import main, open_database, upgrade


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def dbupgrade() -> None:
    """Apply every pending migration."""
    database = open_database()
    upgrade(database)
    click.echo("database is up to date")


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrated schema differ."""
    from lrs.store import migrate

    database = open_database()
    changes = migrate.pending_changes(database.engine)
    if changes:
        click.echo(f"schema differs from the models: {changes}", err=True)
        sys.exit(1)
    click.echo("schema matches the models")
