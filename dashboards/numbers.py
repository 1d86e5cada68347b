""" "Download the numbers": every chart's CSV, from the registry entry it is drawn from.

``CHARTS`` names, per graph, the registry entry (and its parameters) behind it; the
link under the chart carries the page's filters, and the route answers with the same
file as ``GET /api/aggregates/<name>?format=csv`` under those filters (one writer,
``lrs.services.aggregates.csv_file``), for the signed-in user instead of a credential,
within what the user's role may see.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, request

from lrs.http import context
from lrs.http.access import scoped
from lrs.insight import registry
from lrs.insight.filters import PARAMETERS, Filters
from lrs.services import aggregates

ROUTE = "/dashboards/numbers"

CHARTS: dict[str, tuple[str, Mapping[str, str]]] = {
    "overview-over-time": ("statements_over_time", {}),
    "overview-mix": ("summary", {}),
    "overview-people-over-time": ("active_people_over_time", {}),
    "overview-rhythm": ("rhythm", {}),
    "overview-top-people": ("top_people", {}),
    "overview-top-activities": ("top_activities", {}),
    "overview-top-verbs": ("top_verbs", {}),
    "courses-funnel": ("course_funnel", {}),
    "courses-rates": ("course_funnel", {}),
    "courses-scores": ("score_distribution", {}),
    "courses-time": ("time_spent", {}),
    "courses-stalled": ("stalled", {}),
    "knowledge-contributions": ("contributions_over_time", {}),
    "knowledge-participation": ("participation", {}),
    "knowledge-top-read-posts": ("top_content", {"metric": "read", "content": "posts"}),
    "knowledge-top-read-pages": ("top_content", {"metric": "read", "content": "pages"}),
    **{
        f"knowledge-top-{metric}": ("top_content", {"metric": metric})
        for metric in ("edited", "reused", "discussed")
    },
    "knowledge-contributors": ("top_contributors", {}),
    "knowledge-response": ("response_times", {}),
    "knowledge-topics": ("emerging_topics", {}),
    "convergence-mix": ("team_mix", {}),
    "convergence-scatter": ("contribution_vs_results", {}),
    "convergence-course-to-contribution": ("completion_to_contribution", {}),
    "convergence-contributors": ("contributors_and_courses", {}),
    "convergence-network": ("knowledge_flow", {}),
    "people-timeline": ("statements_over_time", {}),
    "me-timeline": ("my_timeline", {}),
    "me-contributions": ("my_contributions", {}),
    "experts-ranking": ("experts", {}),
    "next-reading": ("read_next", {}),
}
"""Graph (or table) id -> (registry entry, parameters it is drawn with)."""


def href(chart_id: str, query: str) -> str | None:
    """The CSV link of ``chart_id`` under the page's URL ``query``."""
    if chart_id not in CHARTS:
        return None
    name, fixed = CHARTS[chart_id]
    entry = registry.get(name)
    wanted = {p.name for p in entry.parameters} | set(PARAMETERS)
    kept = {k: v for k, v in parse_qsl(query.lstrip("?")) if k in wanted and v}
    values = urlencode({**kept, **fixed})
    # A fixed path (the app is mounted there), so that panels run outside a request too.
    return f"{ROUTE}/{name}.csv" + (f"?{values}" if values else "")


def numbers_view(name: str) -> Response:
    entry = registry.get(name)
    filters = scoped(Filters.from_query(request.query_string.decode()))
    values = entry.parse(request.args)
    columns, records = aggregates.compute(
        context.database(), aggregates.DASHBOARD_READER, entry.bind(filters, values)
    )
    response = Response(aggregates.csv_file(columns, records), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def init_numbers(app: Flask) -> None:
    app.add_url_rule(f"{ROUTE}/<name>.csv", "dashboards_numbers", numbers_view)
