"""`lrs credentials`: xAPI client credentials (create, list, revoke)."""

from __future__ import annotations

import click

from lrs.cli.common import authority_home, load_settings, main, open_database, upgrade
from lrs.services.principal import SCOPES


@main.group("credentials")
def credentials_group() -> None:
    """xAPI client credentials."""


@credentials_group.command("create")
@click.option("--name", required=True, help="Who the credential is for (shown as authority).")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    default=["statements/write", "statements/read/mine"],
    show_default=True,
    help="A scope; repeat for several.",
)
@click.option("--key", default=None, help="Use this key instead of a random one.")
def credentials_create(name: str, scopes: tuple[str, ...], key: str | None) -> None:
    """Create a credential and print its key and secret (the secret is shown once)."""
    from lrs.errors import LRSError
    from lrs.services import credentials

    settings = load_settings()
    database = open_database(settings)
    upgrade(database, settings)
    try:
        created = credentials.create(
            database, name=name, scopes=list(scopes), home_page=authority_home(settings), key=key
        )
    except LRSError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"key:    {created.key}\nsecret: {created.secret}")


@credentials_group.command("list")
def credentials_list() -> None:
    """List credentials (never their secrets)."""
    from lrs.services import credentials

    database = open_database()
    for principal, created, revoked in credentials.listing(database):
        state = f"revoked {revoked:%Y-%m-%d}" if revoked else "active"
        scopes = ",".join(sorted(principal.scopes))
        click.echo(f"{principal.key}\t{principal.name}\t{scopes}\t{created:%Y-%m-%d}\t{state}")


@credentials_group.command("revoke")
@click.argument("key")
def credentials_revoke(key: str) -> None:
    """Revoke the credential with KEY."""
    from lrs.services import credentials

    database = open_database()
    credentials.revoke(database, key)
    click.echo(f"revoked {key}")
