"""GET /api/export/statements: the statements matching xAPI filters, streamed as NDJSON or
CSV. The filters are parsed here with the xAPI parameter rules and reused by `lrs export`."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, request, stream_with_context

from lrs.api import bp
from lrs.auth import current_principal, database
from lrs.errors import BadRequest
from lrs.services import exports
from lrs.services.exports import ExportSpec
from lrs.store.statements import StatementQuery
from lrs.xapi.parsing import boolean, parse_json, reject_unknown, timestamp, uuid_value
from statements import validate_agent, validate_iri

EXPORT_PARAMS = (
    "agent", "verb", "activity", "registration", "related_activities", "related_agents",
    "since", "until", "ascending", "source_kind", "include_voided", "format",
)  # fmt: skip
MIMETYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv"}


@bp.get("/export/statements")
def export_statements() -> Response:
    spec = parse_export(request.args)
    chunks = exports.export(database(), current_principal(), spec)
    response = Response(stream_with_context(chunks), mimetype=MIMETYPES[spec.fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="statements.{spec.fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def parse_export(params: Mapping[str, str]) -> ExportSpec:
    """The export a query string (or the command line's options) asks for; 400 when wrong."""
    reject_unknown(params, EXPORT_PARAMS)
    fmt = params.get("format", "ndjson")
    if fmt not in exports.FORMATS:
        raise BadRequest("format must be ndjson or csv", "format")
    agent_key = None
    if "agent" in params:
        agent_key = validate_agent(parse_json(params["agent"], "agent"), "2.0.0")
    for name in ("verb", "activity"):
        if name in params:
            validate_iri(params[name], name)
    query = StatementQuery(
        agent_key=agent_key,
        verb_id=params.get("verb"),
        activity_id=params.get("activity"),
        registration=uuid_value(params.get("registration"), "registration"),
        related_activities=boolean(params.get("related_activities"), "related_activities"),
        related_agents=boolean(params.get("related_agents"), "related_agents"),
        since=timestamp(params.get("since"), "since"),
        until=timestamp(params.get("until"), "until"),
        include_voided=boolean(params.get("include_voided"), "include_voided"),
        # Exports run in storage order unless asked otherwise: what a re-import wants.
        ascending="ascending" not in params or boolean(params["ascending"], "ascending"),
    )
    return ExportSpec(query=query, source_kind=params.get("source_kind"), fmt=fmt)
