"""The `lrs` command: serve, database upgrades and credentials (thin: parse, call, print)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from lrs.config import Settings
from lrs.services import credentials
from lrs.services.principal import SCOPES
from lrs.store import migrate
from lrs.store.engine import Database


def _settings() -> Settings:
    return Settings.from_env(os.environ)


def _home_page(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> str:
    return settings.public_url or f"http://{host}:{port}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An xAPI Learning Record Store with dashboards. Settings come from LRS_* variables."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Upgrade the database, make sure a credential exists, and serve LRS + dashboards."""
    settings = _settings().with_secret_key()
    database = Database(settings.database_url)
    migrate.upgrade(database.engine)
    home_page = _home_page(settings, host, port)
    if settings.api_key and settings.api_secret:
        credentials.ensure(
            database, key=settings.api_key, secret=settings.api_secret, home_page=home_page
        )
        click.echo(f"xAPI credential {settings.api_key!r} (from LRS_API_KEY) is ready.")
    elif not credentials.has_any(database):
        created = credentials.create(
            database, name="first credential", scopes=["all"], home_page=home_page
        )
        click.echo("Created a first xAPI credential (shown once, keep it safe):")
        click.echo(f"  key:    {created.key}\n  secret: {created.secret}")
    database.dispose()
    base = f"http://{host}:{port}"
    click.echo(f"xAPI endpoint: {base}/xapi/   dashboards: {base}/dashboards/")
    # Workers must share one secret so that dashboard sessions survive across them.
    os.environ["LRS_SECRET_KEY"] = settings.secret_key
    _run_gunicorn(f"{host}:{port}", workers, threads)


def _run_gunicorn(bind: str, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from lrs.app import create_app

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("timeout", 120)

        def load(self) -> Any:
            return create_app()

    _Server().run()


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    database = Database(_settings().database_url)
    migrate.upgrade(database.engine)
    click.echo("database is up to date")


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrated schema differ."""
    database = Database(_settings().database_url)
    changes = migrate.pending_changes(database.engine)
    if changes:
        click.echo(f"schema differs from the models: {changes}", err=True)
        sys.exit(1)
    click.echo("schema matches the models")


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
    settings = _settings()
    database = Database(settings.database_url)
    migrate.upgrade(database.engine)
    created = credentials.create(
        database, name=name, scopes=list(scopes), home_page=_home_page(settings), key=key
    )
    click.echo(f"key:    {created.key}\nsecret: {created.secret}")


@credentials_group.command("list")
def credentials_list() -> None:
    """List credentials (never their secrets)."""
    database = Database(_settings().database_url)
    for principal, created, revoked in credentials.listing(database):
        state = f"revoked {revoked:%Y-%m-%d}" if revoked else "active"
        scopes = ",".join(sorted(principal.scopes))
        click.echo(f"{principal.key}\t{principal.name}\t{scopes}\t{created:%Y-%m-%d}\t{state}")


@credentials_group.command("revoke")
@click.argument("key")
def credentials_revoke(key: str) -> None:
    """Revoke the credential with KEY."""
    database = Database(_settings().database_url)
    credentials.revoke(database, key)
    click.echo(f"revoked {key}")


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
    database = Database(_settings().database_url)
    migrate.upgrade(database.engine)
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

    database = Database(_settings().database_url)
    for user in users.listing(database):
        click.echo(f"{user.username}\t{user.role}")
    database.dispose()
