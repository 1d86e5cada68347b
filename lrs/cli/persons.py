"""`lrs persons list|show|merge|split|undo|suggest`: one person behind many identifiers."""

from __future__ import annotations

from typing import Any

import click
import orjson

from lrs.cli.common import call_service, main
from lrs.services.principal import OPERATOR


def _print(value: Any) -> None:
    click.echo(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


def _person_id(database: Any, person: str) -> int:
    """A person given by id or by one of its identifiers (``mbox:mailto:...``)."""
    from lrs.services import persons

    if person.isdigit():
        return int(person)
    found: int = persons.find(database, OPERATOR, person)["id"]
    return found


@main.group("persons")
def persons_group() -> None:
    """Persons: the human behind an LMS account, a blog's mbox, a wiki account... PERSON
    is a person id or one of its identifiers (mbox:mailto:..., account:HOMEPAGE|NAME)."""


@persons_group.command("list")
@click.option("--search", default="", help="Part of a name, team or identifier.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def list_persons(search: str, limit: int) -> None:
    """Persons with their identifiers and statement counts, by name."""
    from lrs.services import persons

    found = call_service(lambda db: persons.list_persons(db, OPERATOR, search=search, limit=limit))
    for person in found:
        keys = ", ".join(i["key"] for i in person["identifiers"])
        click.echo(f"{person['id']}\t{person['name'] or ''}\t{person['team'] or ''}\t"
                   f"{person['statements']}\t{keys}")  # fmt: skip


@persons_group.command()
@click.argument("person")
def show(person: str) -> None:
    """One person as JSON: identifiers, statement counts, merges and splits."""
    from lrs.services import persons

    _print(call_service(lambda db: persons.show(db, OPERATOR, _person_id(db, person))))


@persons_group.command()
@click.argument("keep")
@click.argument("others", nargs=-1, required=True)
def merge(keep: str, others: tuple[str, ...]) -> None:
    """Merge OTHERS into KEEP: their identifiers become KEEP's and the dashboards count
    one person from now on (past statements included)."""
    from lrs.services import persons

    def run(db: Any) -> Any:
        kept = _person_id(db, keep)
        result: Any = None
        for other in others:
            result = persons.merge(db, OPERATOR, kept, _person_id(db, other))
        return result

    _print(call_service(run))


@persons_group.command()
@click.argument("person")
@click.argument("identifiers", nargs=-1, required=True)
def split(person: str, identifiers: tuple[str, ...]) -> None:
    """Make IDENTIFIERS of PERSON a new person of their own; prints it."""
    from lrs.services import persons

    _print(
        call_service(
            lambda db: persons.split(db, OPERATOR, _person_id(db, person), list(identifiers))
        )
    )


@persons_group.command()
@click.argument("merge_id", type=int)
def undo(merge_id: int) -> None:
    """Undo the merge MERGE_ID (from `show`): split its identifiers off again as the
    person they were."""
    from lrs.services import persons

    _print(call_service(lambda db: persons.undo(db, OPERATOR, merge_id)))


@persons_group.command()
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="A mapping file (the importers' --mapping format) to apply to the "
              "identifiers already stored.")  # fmt: skip
@click.option("--apply", "confirm", is_flag=True, help="Merge every suggestion printed.")
def suggest(mapping: str | None, confirm: bool) -> None:
    """Merges worth confirming (same e-mail in any case, the mbox_sha1sum of a known
    mbox, same name and team, a mapping file), as JSON; --apply merges them all."""
    from pathlib import Path

    from lrs.services import persons
    from statements.sources import Identities, SourceError

    identities = None
    if mapping is not None:
        try:
            identities = Identities.load(Path(mapping).read_bytes(), mapping)
        except SourceError as error:
            raise click.ClickException(str(error)) from error

    def run(db: Any) -> Any:
        found = persons.suggest(db, OPERATOR, mapping=identities)
        if not confirm:
            return {"suggestions": found}
        return {"suggestions": found, "merged": persons.apply_suggestions(db, OPERATOR, found)}

    _print(call_service(run))


@persons_group.command("auto-merge")
def auto_merge() -> None:
    """Merge without asking what LRS_PERSONS_AUTO_MERGE_DOMAINS allows (the same address
    in a verified e-mail domain); nothing when it is empty. Prints the merges."""
    from lrs.cli.common import load_settings
    from lrs.services import persons

    domains = load_settings().persons_auto_merge_domains
    _print({"merged": call_service(lambda db: persons.auto_merge(db, OPERATOR, domains))})


@persons_group.command("set")
@click.argument("person")
@click.option("--name", default=None, help="The display name.")
@click.option("--team", default=None, help="The team; it wins over mapping files and statements.")
@click.option("--clear-team", is_flag=True, help="Remove the person's team.")
def set_person(person: str, name: str | None, team: str | None, clear_team: bool) -> None:
    """Set PERSON's display name or team; prints the person."""
    from lrs.services import persons

    _print(
        call_service(
            lambda db: persons.update(
                db, OPERATOR, _person_id(db, person), name=name, team=team, clear_team=clear_team
            )
        )
    )
