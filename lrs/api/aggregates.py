"""GET /api/aggregates and /api/aggregates/<name>: the dashboards' numbers as JSON.

The registry maps a name to a pure query of ``lrs.insight``; the filters are
the dashboards' own URL filters (``from``, ``to``, ``range``, ``team``, ``kind``,
``platform``, ``verb``, ``activity``, ``person``), read by ``Filters.from_query``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.auth import current_principal, database
from lrs.errors import NotFound
from lrs.services import aggregates
from lrs.services.aggregates import Query
from lrs.xapi.parsing import reject_unknown

FILTER_PARAMS = ("from", "to", "range", "team", "kind", "platform", "verb", "activity", "person")
NAMES = (
    "summary", "statements_over_time", "active_people_over_time", "top_people",
    "top_activities", "top_verbs", "rhythm", "course_funnel", "score_distribution",
    "time_spent", "stalled", "contributions_over_time", "participation",
    "contribution_shares", "top_content", "response_times", "emerging_topics", "team_mix",
    "contribution_vs_results", "completion_to_contribution", "knowledge_flow",
)  # fmt: skip


@functools.cache
def registry() -> dict[str, Query]:
    """name -> query; only the queries that need nothing but (session, filters).

    Built on first use, so that the command line does not load pandas to export."""
    from lrs.insight import activity, convergence, courses, knowledge, people

    modules = (activity, convergence, courses, knowledge, people)
    found: dict[str, Query] = {}
    for name in NAMES:
        function = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
        if function is None:
            continue
        required = [
            p for p in inspect.signature(function).parameters.values()
            if p.default is inspect.Parameter.empty
        ]  # fmt: skip
        if len(required) == 2:
            found[name] = function
    return found


@bp.get("/aggregates")
def list_aggregates() -> Response:
    reject_unknown(request.args, ())
    return jsonify([{"name": n, "description": _doc(f)} for n, f in registry().items()])


@bp.get("/aggregates/<name>")
def aggregate(name: str) -> Response:
    from lrs.insight.filters import Filters

    query = registry().get(name)
    if query is None:
        raise NotFound(f"no aggregate named {name!r}; GET /api/aggregates lists them")
    reject_unknown(request.args, FILTER_PARAMS)
    filters = Filters.from_query(request.query_string.decode())
    columns, records = aggregates.compute(database(), current_principal(), query, filters)
    return jsonify({"name": name, "filters": _described(filters), "columns": columns,
                    "records": records})  # fmt: skip


def _doc(function: Any) -> str:
    return (inspect.getdoc(function) or "").split("\n")[0]


def _described(filters: Any) -> dict[str, Any]:
    return {k: (str(v) if v is not None else None) for k, v in vars(filters).items()}
