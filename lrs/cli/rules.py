"""`lrs rules` and `lrs reclassify`: what the classification rules change in the stored
facts, applying them, and recomputing every fact after a vocabulary upgrade."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from lrs.cli.common import call_service, load_settings, main

if TYPE_CHECKING:
    from lrs.services.classification import Change
    from statements.vocabulary import Rules


@main.group()
def rules() -> None:
    """Classification rules (LRS_CLASSIFICATION_RULES) on the stored statements."""


def _rules(path: str | None) -> Rules:
    from lrs.errors import LRSError
    from lrs.services import classification

    try:
        return classification.load_rules(path or load_settings().classification_rules)
    except LRSError as error:
        raise click.ClickException(error.message) from error


def _print(change: Change, verb: str) -> None:
    for (old, new), count in sorted(change.changes.items()):
        click.echo(f"{old} -> {new}: {count}")
    click.echo(f"{change.total} facts {verb} kind, {change.courses} {verb} course")


@rules.command("preview")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def preview(path: str | None) -> None:
    """Count what the rules (PATH, else LRS_CLASSIFICATION_RULES) would change."""
    from lrs.services import classification

    chosen = _rules(path)
    _print(call_service(lambda db: classification.preview(db, chosen)), "would change")


@rules.command("apply")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def apply(path: str | None) -> None:
    """Apply the rules to every stored fact and recount the dashboards."""
    from lrs.services import classification

    chosen = _rules(path)
    _print(call_service(lambda db: classification.apply(db, chosen)), "changed")


@main.command()
def reclassify() -> None:
    """Recompute every dashboard fact from its statement (current vocabulary and rules)."""
    from tqdm import tqdm

    from lrs.services import classification

    chosen = _rules(None)
    with tqdm(unit=" statements", desc="reclassify", disable=None, file=sys.stderr) as bar:

        def step(count: int) -> None:
            bar.update(count)

        read = call_service(lambda db: classification.reclassify(db, chosen, step))
    click.echo(f"{read} statements reclassified")
