"""From a clicked bar, point, slice, cell or node to the Explorer on its statements.

A click's slice is the page's filters narrowed by what the point stands for: the filter
query its figure put in ``customdata`` (an activity, a person, a verb), the source kind
its trace is named after, the day (or week) of a time chart, the team of a team bar.
The Explorer's URL carries those filters and ``back``, the page the click came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import dash

from lrs.insight.filters import KINDS, PARAMETERS, query_values, to_query

TIME_CHARTS = ("overview-over-time", "overview-people-over-time", "knowledge-contributions",
               "people-timeline")  # fmt: skip
TEAM_CHARTS = ("convergence-mix",)
BACK = "back"


def slice_of(graph_id: str, point: Mapping[str, Any], figure: Mapping[str, Any]) -> dict[str, str]:
    """The filters that tell the statements behind ``point`` (empty: none do)."""
    chosen: dict[str, str] = {}
    data = figure.get("data") or []
    trace = data[point["curveNumber"]] if point.get("curveNumber", -1) < len(data) else {}
    custom = point.get("customdata")
    if isinstance(custom, str) and "=" in custom:
        chosen.update(
            (key, value) for key, value in parse_qsl(custom) if key in PARAMETERS and value
        )
    if trace.get("name") in KINDS:
        chosen["kind"] = trace["name"]
    if trace.get("type") == "pie" and point.get("label") in KINDS:
        chosen["kind"] = str(point["label"])
    if graph_id in TIME_CHARTS and point.get("x") and "from" not in chosen:
        first = dt.date.fromisoformat(str(point["x"])[:10])
        weekly = "week" in str(_axis_title(figure, "yaxis"))
        chosen["from"] = first.isoformat()
        chosen["to"] = (first + dt.timedelta(days=6 if weekly else 0)).isoformat()
    if graph_id in TEAM_CHARTS and point.get("y") and point["y"] != "(no team)":
        chosen["team"] = str(point["y"])
    return chosen


def _axis_title(figure: Mapping[str, Any], axis: str) -> Any:
    title = (figure.get("layout") or {}).get(axis, {}).get("title")
    return title.get("text") if isinstance(title, Mapping) else title


def explorer_href(
    graph_id: str, click: Mapping[str, Any] | None, figure: Mapping[str, Any] | None,
    query: str, pathname: str,
) -> str | None:  # fmt: skip
    """The Explorer's URL for a click on ``graph_id`` (None when the click tells none)."""
    points = click.get("points") if isinstance(click, Mapping) else None
    if not isinstance(points, list) or not points or not isinstance(figure, Mapping):
        return None
    try:
        narrowed = slice_of(graph_id, points[0], figure)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        # Click data come from the browser: a point no figure of ours draws tells no slice.
        return None
    if not narrowed:
        return None
    page = {key: value for key, value in query_values(query).items() if key in PARAMETERS}
    if "from" in narrowed:
        page.pop("range", None)
    back = (pathname or dash.get_relative_path("/")) + to_query(query_values(query))
    explorer = str(dash.get_relative_path("/explorer"))
    return explorer + to_query({**page, **narrowed, BACK: back})


def safe_back(target: str | None) -> str | None:
    """``target`` when it is a page of the dashboards (no other site, no scheme)."""
    prefix = dash.get_relative_path("/")
    if not target or not target.startswith(prefix) or "//" in target or "\\" in target:
        return None
    return target
