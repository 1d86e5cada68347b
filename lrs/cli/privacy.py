"""`lrs forget` and `lrs retention`: erasure of a person and of old statements."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
import orjson

from lrs.cli.common import main, open_database
from lrs.services.principal import OPERATOR
from lrs.store.engine import Database


def _erase(call: Callable[[Database], Any]) -> None:
    """Run an erasure and print its receipt as JSON; our errors exit with status 2."""
    from lrs.errors import LRSError

    database = open_database()
    try:
        receipt = call(database)
    except LRSError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    finally:
        database.dispose()
    click.echo(orjson.dumps(receipt.as_json(), option=orjson.OPT_INDENT_2).decode())


@main.command()
@click.argument("agent_json", required=False)
@click.option("--person", type=int, help="A person id (`lrs persons list`): erase every "
              "identifier of that person.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
def forget(agent_json: str | None, person: int | None, dry_run: bool) -> None:
    """Erase the person AGENT_JSON (an xAPI Agent), or --person ID with every identifier
    of that person, everywhere; prints a JSON receipt.

    Removes every statement naming them (as actor, object, group member, instructor,
    team member, authority, also inside SubStatements), statements voiding those, their
    state and agent profile documents, their agent row, their person, their dashboard
    facts and attachments no remaining statement uses. One transaction.
    """
    from lrs.services import privacy

    if (agent_json is None) == (person is None):
        click.echo("error: give either AGENT_JSON or --person", err=True)
        sys.exit(2)
    if person is not None:
        chosen = person
        _erase(lambda database: privacy.forget_person(database, OPERATOR, chosen, dry_run=dry_run))
        return
    try:
        agent = orjson.loads(agent_json or "")
    except orjson.JSONDecodeError:
        click.echo("error: AGENT_JSON is not JSON", err=True)
        sys.exit(2)
    _erase(lambda database: privacy.forget(database, OPERATOR, agent, dry_run=dry_run))


@main.command()
@click.option("--older-than", required=True, help="Age such as 365d, 12w or 48h.")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Statements removed per transaction.",
)
def retention(older_than: str, dry_run: bool, batch_size: int) -> None:
    """Drop statements stored before now minus --older-than; prints a JSON receipt.

    Works oldest first in batches, each one transaction that leaves the store consistent
    (statements voiding dropped ones, inherited index rows, facts and rollups,
    attachments). Run it with --dry-run first.
    """
    from lrs.services import privacy

    _erase(
        lambda database: privacy.retention(
            database,
            OPERATOR,
            older_than=privacy.parse_age(older_than),
            dry_run=dry_run,
            batch_size=batch_size,
        )
    )
