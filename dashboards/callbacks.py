"""Wiring a panel to its page: one Dash callback that parses the page's filters, opens a
read session and returns the panel's outputs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

import dash
from dash import Dash, Input, Output, State

from dashboards.components import drill_store_id, graph_style, url_store_id
from dashboards.drill import explorer_href
from dashboards.panels import explain_empty
from dashboards.shell import LOCATION
from lrs.http import context
from lrs.http.access import scoped
from lrs.insight.filters import COMPARE, PREVIOUS, Filters, compares, query_values, to_query
from lrs.store.dialects import data_version


def connect(
    app: Dash,
    page: str,
    outputs: Sequence[Output],
    panel: Callable[..., list[Any]],
    *inputs: Input,
    compare: bool = False,
) -> None:
    """Fill ``outputs`` with ``panel(session, filters, *values of inputs)`` (the filters
    narrowed to what the signed-in user may see) whenever the
    page's filters (its ``<page>-query`` store) or one of ``inputs`` change. A graph's
    box takes its figure's height in the same response, so it is drawn at full height
    at once. A time chart (``compare``) is drawn with ``compare=`` whether the URL asks
    for the previous period, and its switch writes that into the URL. The answer is kept
    (``AppContext.answers``) by the callback, filters, scope, inputs, today's date and
    the state of the data read, so the same question on unchanged data costs no query."""
    graphs = [i for i, output in enumerate(outputs) if output.component_property == "figure"]
    boxes = [Output(outputs[i].component_id, "style") for i in graphs]
    name = " ".join(str(output) for output in outputs)

    def update(query: str, *values: Any) -> Any:
        filters = scoped(Filters.from_query(query))
        extra = {"compare": compares(query)} if compare else {}
        answers = context.current().answers
        with context.database().querying() as session:
            # The state of the data first (what is read next is that state or newer):
            # the same question on the same data is answered once per process.
            version = data_version(session) if answers.capacity > 0 else None
            key = None if version is None else (
                name, filters, json.dumps([values, extra], default=str),
                # Today: "the last 90 days" and "idle for 14 days" move at midnight.
                dt.datetime.now(dt.UTC).date(), version,
            )  # fmt: skip
            kept = None if key is None else answers.get(key)
            if kept is not None:
                return kept
            result = explain_empty(session, filters, panel(session, filters, *values, **extra))
        result = [*result, *(graph_style(result[i]) for i in graphs)]
        answer = result if len(result) > 1 else result[0]
        if key is not None:
            answers.keep(key, answer)
        return answer

    app.callback(*outputs, *boxes, Input(f"{page}-query", "data"), *inputs)(update)
    for i in graphs:
        drill(app, page, str(outputs[i].component_id))
        if compare:
            compare_in_url(app, str(outputs[i].component_id))


def compare_in_url(app: Dash, graph_id: str) -> None:
    """The switch of ``graph_id`` sets or clears ``compare=previous`` in the page's URL,
    which redraws the page's time charts with (or without) the previous period and gives
    their numbers downloads its rows, so that the view can be bookmarked and shared."""
    in_url(app, f"{graph_id}-compare", COMPARE, lambda on: PREVIOUS if on else None)


def in_url(
    app: Dash, control_id: str, key: str, url_value: Callable[[Any], str | None],
    prop: str = "value",
) -> None:  # fmt: skip
    """A change of the control ``control_id`` sets ``key`` of the page's URL query to
    ``url_value(its value)`` (None: takes it out), so that the view can be shared.

    The server writes the new query into the control's own store (``url_store``, drawn
    with it) and the browser moves it into the location. Writing the location straight
    away would make Dash call the server for the control as soon as the page is drawn:
    a callback whose output was on the page before its input is called when the input
    appears, initial call or not."""

    @app.callback(
        Output(url_store_id(control_id), "data"),
        Input(control_id, prop),
        State(LOCATION, "search"),
        prevent_initial_call=True,
    )
    def write(value: Any, search: str | None) -> Any:
        return query_with(search, key, url_value(value))

    app.clientside_callback(
        "function (search) { return search == null ? window.dash_clientside.no_update : search; }",
        Output(LOCATION, "search", allow_duplicate=True),
        Input(url_store_id(control_id), "data"),
        prevent_initial_call=True,
    )


def query_with(search: str | None, key: str, value: str | None) -> Any:
    """The URL query ``search`` with ``key`` set to ``value`` (None: left out), or
    ``dash.no_update`` when the URL already says so. A page's control that writes the URL
    also runs when the page is drawn, with the URL the page was drawn from: only a change
    of its own key may write, or it would put back what the filter bar has just taken out
    of the URL meanwhile."""
    values: dict[str, str | None] = dict(query_values(search))
    if (values.get(key) or None) == (value or None):
        return dash.no_update
    values[key] = value
    return to_query(values)


def drill(app: Dash, page: str, graph_id: str) -> None:
    """A click on a point of ``graph_id`` opens the Explorer on that point's statements.

    The server writes the Explorer's address into the graph's own store
    (``<graph_id>-drill``, drawn with the graph), and the browser goes there. Writing the
    address straight into the page's location would make Dash call the server for every
    graph as soon as it is drawn: a callback whose output was on the page before its
    input is called when that input appears, initial call or not."""

    @app.callback(
        Output(drill_store_id(graph_id), "data"),
        Input(graph_id, "clickData"),
        State(graph_id, "figure"),
        State(f"{page}-query", "data"),
        State(LOCATION, "pathname"),
        prevent_initial_call=True,
    )
    def open_explorer(click: Any, figure: Any, query: str, pathname: str) -> Any:
        return explorer_href(graph_id, click, figure, query, pathname) or dash.no_update

    app.clientside_callback(
        "function (href) { return href || window.dash_clientside.no_update; }",
        Output(LOCATION, "href", allow_duplicate=True),
        Input(drill_store_id(graph_id), "data"),
        prevent_initial_call=True,
    )
