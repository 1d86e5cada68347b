"""`lrs export`: statements out as NDJSON, CSV or Parquet, with the filters of GET /statements."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
import orjson

from lrs.cli.common import main, open_database
from lrs.services.principal import OPERATOR
from lrs.store.engine import Database

if TYPE_CHECKING:
    from lrs.services.exports import ExportSpec


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "csv", "parquet"]),
    default="ndjson",
    show_default=True,
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
@click.option(
    "--kind",
    "--source-kind",
    "source_kind",
    type=click.Choice(["formal", "informal", "other"]),
    default=None,
    help="Only formal, informal or other statements (--source-kind: its old name).",
)
@click.option("--include-voided", is_flag=True, help="Include voided statements (backups).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default stdout).")
def export_command(fmt: Any, output: str | None, related_activities: bool,
                   related_agents: bool, descending: bool, include_voided: bool,
                   **filters: Any) -> None:  # fmt: skip
    """Export statements as NDJSON (lossless, re-importable), CSV or Parquet, streamed."""
    from lrs.errors import LRSError
    from lrs.services import exports
    from lrs.services.statement_filters import StatementFilters, timestamp
    from statements import StatementError

    # An export writes no dashboard fact: the classification rules are not loaded.
    database = open_database(classifies=False)
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
        out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        # The progress bar shows on a terminal only: elsewhere neither the count it
        # would be given (a query over every matching statement) nor tqdm is needed.
        with _progress(database, spec) as progress:
            for chunk in exports.export(database, OPERATOR, spec, progress=progress):
                out.write(chunk)
        if output:
            out.close()
    except (LRSError, StatementError) as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()


@contextmanager
def _progress(database: Database, spec: ExportSpec) -> Iterator[Callable[[int], object] | None]:
    """tqdm's ``update`` of a progress bar on standard error when it is a terminal, else
    None."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    from lrs.services import exports

    total = exports.count(database, OPERATOR, spec)
    with tqdm(total=total, unit=" statements", file=sys.stderr) as bar:
        yield bar.update


def _json_option(value: str, option: str) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        raise click.BadParameter("not JSON", param_hint=option) from None
