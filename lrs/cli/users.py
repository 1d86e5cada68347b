"""`lrs users`: people who sign in to the dashboards, and their roles."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from lrs.cli.common import main, open_database, upgrade

if TYPE_CHECKING:
    from lrs.services.users import User

ROLE_HELP = (
    "admin: everything, and manages users; manager: the facts of the --team(s) given; "
    "member: only the facts of the --person given."
)


@main.group("users")
def users_group() -> None:
    """Dashboard users (people who sign in at /dashboards/; not xAPI credentials)."""


def _role_options(command: click.decorators.FC) -> click.decorators.FC:
    command = click.option(
        "--person",
        default=None,
        help="A member's person: its id or key, one of its identifiers, or an email address.",
    )(command)
    command = click.option(
        "--team", "teams", multiple=True, help="A manager's team (repeat for several)."
    )(command)
    return click.option(
        "--role",
        type=click.Choice(["admin", "manager", "member"]),
        required=True,
        help=ROLE_HELP,
    )(command)


@users_group.command("create")
@click.option("--username", required=True, help="The login name.")
@_role_options
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (automation)."
)
def users_create(
    username: str, role: str, teams: tuple[str, ...], person: str | None, password_stdin: bool
) -> None:
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
        user = users.create(
            database,
            username=username,
            password=password,
            role=users.Role(role, teams=teams, person=person),
        )
    except LRSError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()
    click.echo(f"created dashboard user {user.username!r} ({_described(user)})")


@users_group.command("set-role")
@click.argument("username")
@_role_options
def users_set_role(username: str, role: str, teams: tuple[str, ...], person: str | None) -> None:
    """Give USERNAME another role (teams, person); signs the user out everywhere."""
    from lrs.errors import LRSError
    from lrs.services import users

    database = open_database()
    upgrade(database)
    try:
        user = users.set_role(
            database, username=username, role=users.Role(role, teams=teams, person=person)
        )
    except LRSError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()
    click.echo(f"{user.username!r} is now {_described(user)}")


def _described(user: User) -> str:
    if user.role == "manager":
        return f"manager of {', '.join(user.teams)}"
    if user.role == "member":
        who = user.person_name or user.person_key or "a person no longer known"
        return f"member: {who} ({user.person_identifier})"
    return user.role


@users_group.command("list")
def users_list() -> None:
    """List dashboard users with their roles, teams or person."""
    from lrs.services import users

    database = open_database()
    try:
        for user in users.listing(database):
            click.echo(f"{user.username}\t{_described(user)}")
    finally:
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
