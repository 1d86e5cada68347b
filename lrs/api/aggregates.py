"""GET /api/aggregates and /api/aggregates/<name>: the dashboards' numbers as JSON or CSV.

Every entry of the read side's registry (``lrs.insight.registry``) is listed and can be
run; the filters are the dashboards' own (``from``, ``to``, ``range``, ``team``, ``kind``,
``platform``, ``verb``, ``activity``, ``person``), read strictly, plus the entry's own
typed parameters (``limit``, ``days``...); ``format=csv`` answers the same records as a
CSV file. A credential reads everything; a signed-in dashboards user (its session
cookie) reads within its role's scope. The registry is imported on first use, so that
the command line does not load pandas to export.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.auth import current_principal, session_readable
from lrs.errors import BadRequest
from lrs.http.access import api_scoped
from lrs.http.context import database
from lrs.http.params import reject_unknown
from lrs.services import aggregates

FORMATS = ("json", "csv")


@bp.get("/aggregates")
@session_readable
def list_aggregates() -> Response:
    from lrs.insight.registry import AGGREGATES

    reject_unknown(request.args, ())
    return jsonify([entry.describe() for entry in AGGREGATES.values()])


@bp.get("/aggregates/<name>")
@session_readable
def aggregate(name: str) -> Response:
    from lrs.insight import filters, registry

    entry = registry.get(name)
    own = (p.name for p in entry.parameters)
    reject_unknown(request.args, (*filters.PARAMETERS, *own, "format"))
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}", "format")
    chosen = api_scoped(filters.Filters.parse(request.args))
    values = entry.parse(request.args)
    columns, records = aggregates.compute(
        database(), current_principal(), entry.bind(chosen, values)
    )
    if fmt == "csv":
        return _csv(name, columns, records)
    return jsonify({"name": name, "filters": chosen.described(), "parameters": values,
                    "columns": columns, "records": records})  # fmt: skip


def _csv(name: str, columns: list[str], records: list[dict[str, Any]]) -> Response:
    """The same records as CSV, through the product's one CSV writer."""
    response = Response(aggregates.csv_file(columns, records), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
