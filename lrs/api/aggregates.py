"""GET /api/aggregates and /api/aggregates/<name>: the dashboards' numbers as JSON.

Every entry of the read side's registry (``lrs.insight.registry``) is listed and can be
run; the filters are the dashboards' own (``from``, ``to``, ``range``, ``team``, ``kind``,
``platform``, ``verb``, ``activity``, ``person``), read strictly, plus the entry's own
typed parameters (``limit``, ``days``...). The registry is imported on first use, so that
the command line does not load pandas to export.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.auth import current_principal, database
from lrs.services import aggregates
from lrs.xapi.parsing import reject_unknown


@bp.get("/aggregates")
def list_aggregates() -> Response:
    from lrs.insight.registry import AGGREGATES

    reject_unknown(request.args, ())
    return jsonify([entry.describe() for entry in AGGREGATES.values()])


@bp.get("/aggregates/<name>")
def aggregate(name: str) -> Response:
    from lrs.insight import filters, registry

    entry = registry.get(name)
    reject_unknown(request.args, (*filters.PARAMETERS, *(p.name for p in entry.parameters)))
    chosen = filters.Filters.parse(request.args)
    values = entry.parse(request.args)
    columns, records = aggregates.compute(
        database(), current_principal(), entry.bind(chosen, values)
    )
    return jsonify({"name": name, "filters": chosen.described(), "parameters": values,
                    "columns": columns, "records": records})  # fmt: skip
