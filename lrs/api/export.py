"""GET /api/export/statements: the statements matching xAPI filters, streamed as NDJSON,
CSV or Parquet. The filters are read with the same parameter rules as GET /xapi/statements."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, request, stream_with_context

from lrs.api import bp
from lrs.auth import current_principal
from lrs.errors import BadRequest
from lrs.http.context import database
from lrs.http.params import boolean, reject_unknown, statement_filters
from lrs.services import exports
from lrs.services.exports import ExportSpec

EXPORT_PARAMS = (
    "agent", "verb", "activity", "registration", "related_activities", "related_agents",
    "since", "until", "ascending", "kind", "source_kind", "include_voided", "format",
)  # fmt: skip
KIND_ALIAS = "source_kind"
"""The old name of ``kind`` (formal, informal or other), still accepted: the dashboards'
URLs, /api/aggregates and ``lrs export --kind`` all say ``kind``."""
MIMETYPES = {
    "ndjson": "application/x-ndjson",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
}


@bp.get("/export/statements")
def export_statements() -> Response:
    spec = parse_export(request.args)
    chunks = exports.export(database(), current_principal(), spec)
    response = Response(stream_with_context(chunks), mimetype=MIMETYPES[spec.fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="statements.{spec.fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def parse_export(params: Mapping[str, str]) -> ExportSpec:
    """The export a query string asks for; 400 when wrong."""
    reject_unknown(params, EXPORT_PARAMS)
    fmt = params.get("format", "ndjson")
    if fmt not in exports.FORMATS:
        raise BadRequest("format must be ndjson, csv or parquet", "format")
    # Exports run in storage order unless asked otherwise: what a re-import wants.
    filters = statement_filters(params, ascending=True)
    include_voided = boolean(params.get("include_voided"), "include_voided")
    query = filters.query(exports.AGENT_RULES, include_voided=include_voided)
    return ExportSpec(query=query, source_kind=_kind(params), fmt=fmt)


def _kind(params: Mapping[str, str]) -> str | None:
    """``kind``, or its old name ``source_kind``; a 400 naming the parameter sent when
    the value is not formal, informal or other, or when both are sent and differ."""
    kind, old = params.get("kind"), params.get(KIND_ALIAS)
    if kind is not None and old is not None and kind != old:
        raise BadRequest(f"kind and {KIND_ALIAS} (its old name) differ: send kind only", "kind")
    name, value = ("kind", kind) if kind is not None else (KIND_ALIAS, old)
    if value is not None and value not in exports.SOURCE_KINDS:
        raise BadRequest(f"{name} must be formal, informal or other", name)
    return value
