"""`lrs export`: statements out as NDJSON, CSV or Parquet, with the filters of GET /statements."""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

from lrs.cli.common import main, open_database
from lrs.services.principal import OPERATOR


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
    from tqdm import tqdm

    from lrs.errors import LRSError
    from lrs.services import exports
    from lrs.services.statement_filters import StatementFilters, timestamp
    from statements import StatementError

    database = open_database()
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
        # The progress bar shows on a terminal only (tqdm's disable=None): elsewhere the
        # count it would be given, a query over every matching statement, is not made.
        shown = sys.stderr.isatty()
        total = exports.count(database, OPERATOR, spec) if shown else None
        out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        with tqdm(total=total, unit=" statements", disable=not shown, file=sys.stderr) as bar:
            for chunk in exports.export(database, OPERATOR, spec, progress=bar.update):
                out.write(chunk)
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
