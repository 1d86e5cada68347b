"""The `lrs` command: serve, database upgrades and credentials (thin: parse, call, print)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
import orjson

from lrs.config import Settings
from lrs.services import credentials
from lrs.services.principal import OPERATOR, SCOPES
from lrs.store import migrate
from lrs.store.engine import Database


def _settings() -> Settings:
    return Settings.from_env(os.environ)


def _database(settings: Settings | None = None) -> Database:
    """The store of ``settings``; its connections are closed when the command ends."""
    database = Database((settings or _settings()).database_url)
    click.get_current_context().call_on_close(database.dispose)
    return database


def _upgrade(database: Database, settings: Settings | None = None) -> None:
    """Apply pending migrations; LRS_FORWARDING_KEY encrypts secrets stored in clear."""
    migrate.upgrade(database.engine, forwarding_key=(settings or _settings()).forwarding_key)


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
    database = _database(settings)
    _upgrade(database)
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
    database = _database()
    _upgrade(database)
    click.echo("database is up to date")


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrated schema differ."""
    database = _database()
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
    database = _database(settings)
    _upgrade(database)
    created = credentials.create(
        database, name=name, scopes=list(scopes), home_page=_home_page(settings), key=key
    )
    click.echo(f"key:    {created.key}\nsecret: {created.secret}")


@credentials_group.command("list")
def credentials_list() -> None:
    """List credentials (never their secrets)."""
    database = _database()
    for principal, created, revoked in credentials.listing(database):
        state = f"revoked {revoked:%Y-%m-%d}" if revoked else "active"
        scopes = ",".join(sorted(principal.scopes))
        click.echo(f"{principal.key}\t{principal.name}\t{scopes}\t{created:%Y-%m-%d}\t{state}")


@credentials_group.command("revoke")
@click.argument("key")
def credentials_revoke(key: str) -> None:
    """Revoke the credential with KEY."""
    database = _database()
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
    database = _database()
    _upgrade(database)
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

    database = _database()
    for user in users.listing(database):
        click.echo(f"{user.username}\t{user.role}")
    database.dispose()


# --- privacy and retention ----------------------------------------------------------------


def _print_receipt(receipt: Any) -> None:
    click.echo(orjson.dumps(receipt.as_json(), option=orjson.OPT_INDENT_2).decode())


@main.command()
@click.argument("agent_json")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
def forget(agent_json: str, dry_run: bool) -> None:
    """Erase the person AGENT_JSON (an xAPI Agent) everywhere; prints a JSON receipt.

    Removes every statement naming them (as actor, object, group member, instructor,
    team member, authority, also inside SubStatements), statements voiding those, their
    state and agent profile documents, their agent row, their dashboard facts and
    attachments no remaining statement uses. One transaction.
    """
    from lrs.errors import LRSError
    from lrs.services import privacy

    database = _database()
    try:
        agent = orjson.loads(agent_json)
        receipt = privacy.forget(database, OPERATOR, agent, dry_run=dry_run)
    except orjson.JSONDecodeError:
        click.echo("error: AGENT_JSON is not JSON", err=True)
        sys.exit(2)
    except LRSError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    finally:
        database.dispose()
    _print_receipt(receipt)


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
    from lrs.errors import LRSError
    from lrs.services import privacy

    database = _database()
    try:
        receipt = privacy.retention(
            database,
            OPERATOR,
            older_than=privacy.parse_age(older_than),
            dry_run=dry_run,
            batch_size=batch_size,
        )
    except LRSError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    finally:
        database.dispose()
    _print_receipt(receipt)


# --- import and demo ----------------------------------------------------------------------


def _print_summary(summary: Any, *, shown: int = 20) -> None:
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
    from lrs.services import imports

    @import_group.command(kind, help=summary_help)
    @click.argument("source")
    @click.option("--mapping", type=click.Path(dir_okay=False), help="Account mapping (CSV/JSON).")
    @click.option(
        "--batch-size",
        default=imports.DEFAULT_BATCH_SIZE,
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

        settings = _settings()
        database = _database(settings)
        _upgrade(database)
        try:
            with tqdm(unit=" records", desc=kind, disable=None, file=sys.stderr) as bar:
                summary = imports.import_source(
                    database, kind, source, home_page=_home_page(settings), mapping=mapping,
                    base_url=base_url, encoding=encoding, batch_size=batch_size,
                    restart=restart, xapi_version=xapi_version, progress=bar.update,
                )  # fmt: skip
        except LRSError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(1)
        finally:
            database.dispose()
        _print_summary(summary)
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
    help="Last day of the history (default: a fixed date, so demos are identical).",
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

    settings = _settings()
    database = _database(settings)
    _upgrade(database)
    home_page = _home_page(settings, host, port)
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
            _print_summary(result.summary)
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


# --- export ----------------------------------------------------------------------------------


@main.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["ndjson", "csv"]), default="ndjson", show_default=True
)
@click.option("--agent", default=None, help='Agent JSON, e.g. \'{"mbox": "mailto:a@b.org"}\'.')
@click.option("--verb", default=None, help="Verb IRI.")
@click.option("--activity", default=None, help="Activity IRI.")
@click.option("--registration", default=None, type=click.UUID, help="Registration UUID.")
@click.option("--related-activities", is_flag=True, help="Match the activity in any role.")
@click.option("--related-agents", is_flag=True, help="Match the agent in any role.")
@click.option("--since", default=None, help="Only statements stored after this ISO 8601 time.")
@click.option("--until", default=None, help="Only statements stored at or before this time.")
@click.option("--descending", is_flag=True, help="Newest first (default: storage order).")
@click.option("--source-kind", type=click.Choice(["formal", "informal", "other"]), default=None)
@click.option("--include-voided", is_flag=True, help="Include voided statements (backups).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default stdout).")
def export_command(fmt: Any, output: str | None, related_activities: bool,
                   related_agents: bool, descending: bool, include_voided: bool,
                   **filters: Any) -> None:  # fmt: skip
    """Export statements as NDJSON (lossless, re-importable) or CSV, streamed."""
    from tqdm import tqdm

    from lrs.errors import LRSError
    from lrs.services import exports
    from lrs.services.statement_filters import StatementFilters, timestamp
    from statements import StatementError

    database = _database()
    try:
        agent, registration = filters["agent"], filters["registration"]
        statement_filters = StatementFilters(
            agent=None if agent is None else _json_option(agent, "--agent"),
            verb=filters["verb"],
            activity=filters["activity"],
            registration=None if registration is None else str(registration),
            related_activities=related_activities,
            related_agents=related_agents,
            since=timestamp(filters["since"], "since"),
            until=timestamp(filters["until"], "until"),
            ascending=not descending,
        )
        query = statement_filters.query(exports.AGENT_RULES, include_voided=include_voided)
        spec = exports.ExportSpec(query=query, source_kind=filters["source_kind"], fmt=fmt)
        total = exports.count(database, OPERATOR, spec)
        out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        newline = b"\n" if fmt == "ndjson" else b"\r\n"
        with tqdm(total=total, unit=" statements", disable=None, file=sys.stderr) as bar:
            chunks = exports.export(database, OPERATOR, spec)
            if fmt == "csv":
                out.write(next(chunks))  # the header line
            for chunk in chunks:
                out.write(chunk)
                bar.update(chunk.count(newline))
        if output:
            out.close()
    except (LRSError, StatementError) as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()


def _json_option(value: str, option: str) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        raise click.BadParameter("not JSON", param_hint=option) from None


# --- forwarding ------------------------------------------------------------------------------


@main.group("forwarding")
def forwarding_group() -> None:
    """Forward matching statements to another xAPI LRS or a signed webhook."""


def _forwarding_call(call: Any) -> Any:
    from lrs.errors import LRSError

    database = _database()
    try:
        return call(database)
    except LRSError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()


@forwarding_group.command("add")
@click.option("--name", required=True, help="A unique name for the rule.")
@click.option("--kind", type=click.Choice(["xapi", "webhook"]), required=True)
@click.option("--url", required=True, help="xAPI endpoint (…/xapi/) or webhook URL.")
@click.option("--username", default=None, help="xAPI target: Basic auth user (key).")
@click.option("--password-env", default=None, help="xAPI target: variable holding the password.")
@click.option("--secret-env", default=None, help="Webhook: variable holding the HMAC secret.")
@click.option("--xapi-version", type=click.Choice(["1.0.3", "2.0.0"]), default="2.0.0")
@click.option("--verb", "verbs", multiple=True, help="Only this verb IRI (repeatable).")
@click.option("--activity-type", "activity_types", multiple=True, help="Only this type.")
@click.option(
    "--source-kind", "source_kinds", multiple=True,
    type=click.Choice(["formal", "informal", "other"]), help="Only this source kind.",
)  # fmt: skip
def forwarding_add(password_env: str | None, secret_env: str | None, **values: Any) -> None:
    """Add a forwarding rule (secrets are read from environment variables, not argv)."""
    from lrs.services import forwarding

    values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    values["password"] = os.environ.get(password_env) if password_env else None
    values["secret"] = os.environ.get(secret_env) if secret_env else None
    box = forwarding.SecretBox(_settings().forwarding_key)
    rule = _forwarding_call(lambda db: forwarding.create_rule(db, OPERATOR, values, box=box))
    click.echo(f"added rule {rule['id']} {rule['name']!r} -> {rule['url']}")


@forwarding_group.command("list")
def forwarding_list() -> None:
    """List forwarding rules and their delivery counts."""
    from lrs.services import forwarding

    for rule in _forwarding_call(lambda db: forwarding.list_rules(db, OPERATOR)):
        state = "active" if rule["active"] else "inactive"
        filters = ",".join(rule["verbs"] + rule["activity_types"] + rule["source_kinds"])
        click.echo(f"{rule['id']}\t{rule['name']}\t{rule['kind']}\t{rule['url']}\t{state}"
                   f"\t{filters or '(all statements)'}")  # fmt: skip


@forwarding_group.command("remove")
@click.argument("rule_id", type=int)
def forwarding_remove(rule_id: int) -> None:
    """Remove a rule and its deliveries."""
    from lrs.services import forwarding

    _forwarding_call(lambda db: forwarding.remove_rule(db, OPERATOR, rule_id))
    click.echo(f"removed rule {rule_id}")


@forwarding_group.command("failed")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
def forwarding_failed(limit: int) -> None:
    """List failed deliveries, newest first."""
    from lrs.services import forwarding

    found = _forwarding_call(
        lambda db: forwarding.list_deliveries(db, OPERATOR, status="failed", limit=limit)
    )
    for d in found:
        click.echo(f"{d['id']}\trule {d['rule_id']}\t{d['statement_id']}\t"
                   f"{d['attempts']} attempts\t{d['last_error']}")  # fmt: skip


@forwarding_group.command("replay")
@click.argument("delivery_id", type=int, required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every failed delivery.")
def forwarding_replay(delivery_id: int | None, replay_all: bool) -> None:
    """Queue a failed delivery (or --all of them) again."""
    from lrs.services import forwarding

    if (delivery_id is None) == (not replay_all):
        raise click.UsageError("give a DELIVERY_ID or --all")
    count = _forwarding_call(lambda db: forwarding.replay(db, OPERATOR, delivery_id))
    click.echo(f"replayed {count} deliveries")


@forwarding_group.command("deliver")
def forwarding_deliver() -> None:
    """Deliver what is due now, once (the server's worker does this continuously)."""
    from lrs.services import forwarding

    settings = _settings()
    box = forwarding.SecretBox(settings.forwarding_key)
    report = _forwarding_call(
        lambda db: forwarding.deliver_due(
            db,
            box,
            timeout=settings.forwarding_timeout_seconds,
            max_attempts=settings.forwarding_max_attempts,
        )
    )
    click.echo(f"delivered {report.delivered}, retrying {report.retried}, failed {report.failed}")


@forwarding_group.command("generate-key")
def forwarding_generate_key() -> None:
    """Print a new random key for LRS_FORWARDING_KEY."""
    from lrs.services import forwarding

    click.echo(forwarding.generate_key())


@forwarding_group.command("rotate-key")
def forwarding_rotate_key() -> None:
    """Encrypt every stored password and secret again under the first LRS_FORWARDING_KEY.

    Put the new key first and keep the old ones after it (comma separated), run this,
    then remove the old keys.
    """
    from lrs.services import forwarding

    box = forwarding.SecretBox(_settings().forwarding_key)
    if not box.has_keys:
        raise click.ClickException("LRS_FORWARDING_KEY is not set")
    count = _forwarding_call(lambda db: forwarding.rotate_key(db, OPERATOR, box=box))
    click.echo(f"re-encrypted {count} passwords and secrets under the first key")


# --- sources pulled on a schedule -------------------------------------------------------------


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

    username, _, password = (credential or "").partition(":")
    if password_env:
        password = os.environ.get(password_env, "")
    options: dict[str, Any] = {"base_url": base_url, "xapi_version": xapi_version}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--filter {item!r}: use NAME=VALUE")
        options[key.strip()] = value
    parts = urlsplit(url)
    values = {
        "kind": kind, "url": url, "every": every, "mapping": mapping, "options": options,
        "name": name or f"{kind} {parts.netloc}{parts.path}"[:128], "active": not paused,
        "username": username or None, "password": password or None,
    }  # fmt: skip
    added = _forwarding_call(lambda db: sources.add_source(db, None, values))
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

    for source in _forwarding_call(lambda db: sources.list_sources(db, None)):
        click.echo(_source_line(source))


@sources_group.command("show")
@click.argument("source")
def sources_show(source: str) -> None:
    """A source (by id or name) as JSON: schedule, cursor-free settings and counts."""
    from lrs.services import sources

    found = _forwarding_call(lambda db: sources.get_source(db, None, source))
    click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())


@sources_group.command("pause")
@click.argument("source")
def sources_pause(source: str) -> None:
    """Stop running a source on its schedule."""
    from lrs.services import sources

    found = _forwarding_call(lambda db: sources.set_active(db, None, source, False))
    click.echo(f"paused source {found['id']} {found['name']!r}")


@sources_group.command("resume")
@click.argument("source")
def sources_resume(source: str) -> None:
    """Run a paused source on its schedule again (at once first)."""
    from lrs.services import sources

    found = _forwarding_call(lambda db: sources.set_active(db, None, source, True))
    click.echo(f"resumed source {found['id']} {found['name']!r}")


@sources_group.command("remove")
@click.argument("source")
def sources_remove(source: str) -> None:
    """Remove a source (the statements it stored stay)."""
    from lrs.services import sources

    _forwarding_call(lambda db: sources.remove_source(db, None, source))
    click.echo(f"removed source {source}")


@sources_group.command("run")
@click.argument("source", required=False)
@click.option("--due", is_flag=True, help="Run every source that is due (for cron).")
def sources_run(source: str | None, due: bool) -> None:
    """Run SOURCE now (paused or not), or --due ones; print what each run stored."""
    from lrs.services import sources

    if (source is None) == (not due):
        raise click.UsageError("give a SOURCE or --due")
    settings = _settings()
    home_page = _home_page(settings)
    timeout = settings.sources_timeout_seconds

    def call(db: Database) -> list[sources.RunReport]:
        migrate.upgrade(db.engine)
        if source is None:
            return sources.run_due(db, home_page=home_page, timeout=timeout, limit=1000)
        return [sources.run_source(db, None, source, home_page=home_page, timeout=timeout)]

    reports = _forwarding_call(call)
    for report in reports:
        counts = f"stored {report.stored}, skipped {report.skipped}, rejected {report.rejected}"
        click.echo(f"{report.source}: {report.status}, read {report.read}, {counts}")
        for rejection in (report.rejections or [])[:20]:
            click.echo(f"  rejected {rejection.where}: {rejection.reason}", err=True)
        if report.error:
            click.echo(f"error: {report.source}: {report.error}", err=True)
    if any(report.status != "ok" for report in reports):
        sys.exit(1)


if __name__ == "__main__":
    main()
