"""`lrs import ...` and `lrs demo`: outside records and the demo organisation in."""

from __future__ import annotations

import sys
from typing import Any

import click

from lrs.cli.common import authority_home, load_settings, main, open_database, upgrade
from lrs.cli.server import serve

# ``lrs.services.imports.DEFAULT_BATCH_SIZE``, not imported with the command (a test holds
# them equal): importing the service at start would cost every command its imports.
DEFAULT_BATCH_SIZE = 500


def print_summary(summary: Any, *, shown: int = 20) -> None:
    click.echo(
        f"{summary.source}: read {summary.read}, stored {summary.stored}, "
        f"skipped {summary.skipped} (already there), rejected {len(summary.rejected)}"
    )
    for rejection in summary.rejected[:shown]:
        click.echo(f"  rejected {rejection.where}: {rejection.reason}", err=True)
    if len(summary.rejected) > shown:
        click.echo(f"  ... and {len(summary.rejected) - shown} more rejections", err=True)


@main.group("import")
def import_group() -> None:
    """Import blogs, wikis, course records or NDJSON statements (file path or URL).

    Re-importing a source stores nothing twice, and a run resumes where the last stopped.
    """


def _import_command(kind: str, summary_help: str) -> None:
    @import_group.command(kind, help=summary_help)
    @click.argument("source")
    @click.option("--mapping", type=click.Path(dir_okay=False), help="Account mapping (CSV/JSON).")
    @click.option(
        "--batch-size",
        default=DEFAULT_BATCH_SIZE,
        show_default=True,
        type=click.IntRange(1, 10_000),
        help="Statements stored per transaction.",
    )
    @click.option("--base-url", default=None, help="Base URL of the source, when it has none.")
    @click.option("--encoding", default=None, help="Text encoding (CSV/NDJSON; default UTF-8).")
    @click.option("--restart", is_flag=True, help="Ignore where the previous run stopped.")
    @click.option(
        "--xapi-version",
        default="1.0.3",
        show_default=True,
        type=click.Choice(["1.0.3", "2.0.0"]),
        help="Rules for statements without one.",
    )
    def command(source: str, mapping: str | None, batch_size: int, base_url: str | None,
                encoding: str | None, restart: bool, xapi_version: str) -> None:  # fmt: skip
        from tqdm import tqdm

        from lrs.errors import LRSError
        from lrs.services import imports

        settings = load_settings()
        database = open_database(settings)
        upgrade(database, settings)
        try:
            with tqdm(unit=" records", desc=kind, disable=None, file=sys.stderr) as bar:
                summary = imports.import_source(
                    database, kind, source, home_page=authority_home(settings), mapping=mapping,
                    base_url=base_url, encoding=encoding, batch_size=batch_size,
                    restart=restart, xapi_version=xapi_version, progress=bar.update,
                )  # fmt: skip
        except LRSError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(1)
        finally:
            database.dispose()
        print_summary(summary)
        if summary.error:
            click.echo(f"error: {source}: {summary.error}", err=True)
        if summary.failed:
            sys.exit(1)


_import_command("blog", "Import an Atom/RSS blog feed or a WordPress comment feed.")
_import_command("wiki", "Import a MediaWiki XML export or recent-changes API JSON.")
_import_command("courses", "Import a course-records CSV (learner, course, module, event, ...).")
_import_command("statements", "Import xAPI statements from an NDJSON file (one per line).")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--people", default=300, show_default=True, type=click.IntRange(5, 100_000))
@click.option("--days", default=365, show_default=True, type=click.IntRange(14, 3650))
@click.option("--seed", default=2024, show_default=True, type=int, help="Random seed.")
@click.option(
    "--end",
    "end",
    default=None,
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day of the history (default: today, UTC, so that recent ranges have data).",
)
@click.option(
    "--serve/--no-serve",
    "and_serve",
    default=True,
    show_default=True,
    help="Serve LRS + dashboards afterwards, like `lrs serve`.",
)
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, people: int, days: int, seed: int,
         end: Any, and_serve: bool) -> None:  # fmt: skip
    """Fill an empty database with a demo organisation, then serve it."""
    from tqdm import tqdm

    from lrs.services import imports

    settings = load_settings()
    database = open_database(settings)
    upgrade(database, settings)
    home_page = authority_home(settings, host, port)
    with tqdm(unit=" statements", desc="demo", disable=None, file=sys.stderr) as bar:
        result = imports.load_demo(
            database, people=people, days=days, seed=seed, home_page=home_page,
            end=end.date() if end else None, progress=bar.update,
        )  # fmt: skip
    if result.filled:
        rate = result.statements / result.seconds if result.seconds else 0.0
        click.echo(
            f"demo organisation: {people} people, {days} days: {result.statements} statements "
            f"in {result.seconds:.1f} s ({rate:.0f} statements/s)"
        )
        if result.summary.rejected:
            print_summary(result.summary)
    else:
        click.echo(f"the database holds {result.statements} statements already; left as it is")
    key_secret = imports.demo_credential(database, home_page=home_page, create=result.filled)
    login = imports.demo_login(database)
    database.dispose()
    click.echo(f"dashboards login: {login[0]} / {login[1]}")
    if key_secret is not None:
        click.echo(f"xAPI credential: key {key_secret[0]} / secret {key_secret[1]}")
    if and_serve:
        ctx.invoke(serve, host=host, port=port)
