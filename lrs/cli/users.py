"""`lrs users`: people who sign in to the dashboards."""

from __future__ import annotations

import sys

import click

from lrs.cli.common import main, open_database, upgrade


@main.group("users")
def users_group() -> None:
    """Dashboard users (people who sign in at /dashboards/; not xAPI credentials)."""


@users_group.command("create")
@click.option("--username", required=True, help="The login name.")
@click.option(
    "--role",
    type=click.Choice(["viewer", "admin"]),
    default="viewer",
    show_default=True,
    help="What the user may do.",
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (automation)."
)
def users_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a dashboard user; prompts for the password unless --password-stdin."""
    from lrs.errors import LRSError
    from lrs.services import users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = open_database()
    upgrade(database)
    try:
        user = users.create(database, username=username, password=password, role=role)
    except LRSError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()
    click.echo(f"created dashboard user {user.username!r} ({user.role})")


@users_group.command("list")
def users_list() -> None:
    """List dashboard users and their roles."""
    from lrs.services import users

    database = open_database()
    for user in users.listing(database):
        click.echo(f"{user.username}\t{user.role}")
    database.dispose()


@users_group.command("end-sessions")
@click.argument("username")
def users_end_sessions(username: str) -> None:
    """Sign USERNAME out of the dashboards everywhere (every session, every worker)."""
    from lrs.errors import LRSError
    from lrs.services import users

    database = open_database()
    try:
        ended = users.end_sessions(database, username)
    except LRSError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()
    click.echo(f"ended {ended} session(s) of {username!r}")
