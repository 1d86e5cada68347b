"""`lrs sources`: blogs, wikis, other LRSs and course CSVs pulled on a schedule."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
import orjson

from lrs.cli.common import authority_home, call_service, load_settings, main, upgrade
from lrs.services.principal import OPERATOR
from lrs.store.engine import Database


@main.group("sources")
def sources_group() -> None:
    """Blogs, wikis, other LRSs and course CSVs pulled on a schedule by the server."""


@sources_group.command("add")
@click.argument("kind", type=click.Choice(["blog", "wiki", "lrs", "courses"]))
@click.option("--url", required=True, help="Feed, api.php, xAPI endpoint or CSV URL.")
@click.option("--name", default=None, help="A unique name (default: KIND HOST/PATH).")
@click.option("--every", default="15m", show_default=True, help="Interval: 30s, 15m, 1h, 1d.")
@click.option("--mapping", default=None, help="Account mapping (CSV/JSON path or URL).")
@click.option(
    "--credential", default=None,
    help="USER:PASSWORD for Basic auth at the source (or USER with --password-env).",
)  # fmt: skip
@click.option("--password-env", default=None, help="Variable holding the source's password.")
@click.option("--base-url", default=None, help="Base URL of a blog or course catalogue.")
@click.option("--xapi-version", type=click.Choice(["1.0.3", "2.0.0"]), default=None,
              help="lrs: the version to speak to the other LRS (default 1.0.3).")  # fmt: skip
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="NAME=VALUE",
    help="lrs: a statement filter such as verb=IRI or activity=IRI (repeatable).",
)
@click.option("--paused", is_flag=True, help="Add it paused (run it with `lrs sources run`).")
def sources_add(
    kind: str, url: str, name: str | None, every: str, mapping: str | None,
    credential: str | None, password_env: str | None, base_url: str | None,
    xapi_version: str | None, filters: tuple[str, ...], paused: bool,
) -> None:  # fmt: skip
    """Add a source; the server's sources worker runs it at once and then every --every."""
    from urllib.parse import urlsplit

    from lrs.services import sources
    from lrs.services.sealing import SecretBox

    username, _, password = (credential or "").partition(":")
    if password_env:
        password = os.environ.get(password_env, "")
    options: dict[str, Any] = {"base_url": base_url, "xapi_version": xapi_version}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--filter {item!r}: use NAME=VALUE")
        options[key.strip()] = value
    if mapping and not mapping.startswith(("http://", "https://")):
        mapping = os.path.abspath(mapping)  # the server's workers read it from elsewhere
    parts = urlsplit(url)
    values = {
        "kind": kind, "url": url, "every": every, "mapping": mapping, "options": options,
        "name": name or f"{kind} {parts.netloc}{parts.path}"[:128], "active": not paused,
        "username": username or None, "password": password or None,
    }  # fmt: skip
    box = SecretBox(load_settings().forwarding_key)
    added = call_service(lambda db: sources.add_source(db, OPERATOR, values, box=box))
    click.echo(f"added source {added['id']} {added['name']!r} ({kind}, every "
               f"{added['every_seconds']} s) -> {added['url']}")  # fmt: skip


def _source_line(source: dict[str, Any]) -> str:
    state = "paused" if not source["active"] else source["last_status"] or "new"
    last, totals = source["last_run"], source["totals"]
    return (f"{source['id']}\t{source['name']}\t{source['kind']}\t{state}\t"
            f"last {source['last_finished'] or '-'}\tnext {source['next_run']}\t"
            f"stored {last['stored']}/{totals['stored']} skipped {last['skipped']} "
            f"rejected {last['rejected']}"
            + (f"\terror: {source['last_error']}" if source["last_error"] else ""))  # fmt: skip


@sources_group.command("list")
def sources_list() -> None:
    """One line a source: state, last and next run, statements of the last run / in all."""
    from lrs.services import sources

    for source in call_service(lambda db: sources.list_sources(db, OPERATOR)):
        click.echo(_source_line(source))


@sources_group.command("show")
@click.argument("source")
def sources_show(source: str) -> None:
    """A source (by id or name) as JSON: schedule, cursor-free settings and counts."""
    from lrs.services import sources

    found = call_service(lambda db: sources.get_source(db, OPERATOR, source))
    click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())


@sources_group.command("pause")
@click.argument("source")
def sources_pause(source: str) -> None:
    """Stop running a source on its schedule."""
    from lrs.services import sources

    found = call_service(lambda db: sources.set_active(db, OPERATOR, source, False))
    click.echo(f"paused source {found['id']} {found['name']!r}")


@sources_group.command("resume")
@click.argument("source")
def sources_resume(source: str) -> None:
    """Run a paused source on its schedule again (at once first)."""
    from lrs.services import sources

    found = call_service(lambda db: sources.set_active(db, OPERATOR, source, True))
    click.echo(f"resumed source {found['id']} {found['name']!r}")


@sources_group.command("remove")
@click.argument("source")
def sources_remove(source: str) -> None:
    """Remove a source (the statements it stored stay)."""
    from lrs.services import sources

    call_service(lambda db: sources.remove_source(db, OPERATOR, source))
    click.echo(f"removed source {source}")


@sources_group.command("run")
@click.argument("source", required=False)
@click.option("--due", is_flag=True, help="Run every source that is due (for cron).")
def sources_run(source: str | None, due: bool) -> None:
    """Run SOURCE now (paused or not), or --due ones; print what each run stored."""
    from lrs.services import sources
    from lrs.services.sealing import SecretBox

    if (source is None) == (not due):
        raise click.UsageError("give a SOURCE or --due")
    settings = load_settings()
    home_page = authority_home(settings)
    timeout = settings.sources_timeout_seconds
    box = SecretBox(settings.forwarding_key)

    def call(db: Database) -> list[sources.RunReport]:
        upgrade(db, settings)
        if source is None:
            return sources.run_due(db, box=box, home_page=home_page, timeout=timeout, limit=1000)
        return [
            sources.run_source(db, OPERATOR, source, box=box, home_page=home_page, timeout=timeout)
        ]

    reports = call_service(call)
    for report in reports:
        counts = f"stored {report.stored}, skipped {report.skipped}, rejected {report.rejected}"
        click.echo(f"{report.source}: {report.status}, read {report.read}, {counts}")
        for rejection in (report.rejections or [])[:20]:
            click.echo(f"  rejected {rejection.where}: {rejection.reason}", err=True)
        if report.error:
            click.echo(f"error: {report.source}: {report.error}", err=True)
    if any(report.status != "ok" for report in reports):
        sys.exit(1)
