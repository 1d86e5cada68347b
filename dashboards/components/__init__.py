"""Reusable layout pieces: KPI cards, chart cards, tables."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboards import numbers
from lrs.insight.filters import compares

GRAPH_CONFIG: Any = {
    "displaylogo": False,
    # Nothing leaves the server: no "Edit in Chart Studio" or share button, and no
    # cloud to send a chart (learner names included) to.
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"],
}
"""The config of every graph of the dashboards."""
CHART_HEIGHT = 360
"""Pixels a chart takes before its figure arrives (then the figure's own height)."""
BLANK: Any = {
    "data": [],
    "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}},
}
"""What a graph shows until its callback answers. Plotly draws a graph as soon as it is
on the page, and Dash's default, an empty figure, has it lay out and label two empty axes
(as long as drawing a small chart) only to draw it all again when the figure arrives."""


def graph(graph_id: str, figure: Any = None, height: int = CHART_HEIGHT) -> dcc.Graph:
    """A graph in a box of explicit height that the plot fills (``responsive``): a
    container of no height of its own collapses the plot to nothing until a resize."""
    return dcc.Graph(
        id=graph_id,
        figure=BLANK if figure is None else figure,
        config=GRAPH_CONFIG,
        responsive=True,
        style=graph_style(figure, height),
        className="chart-graph",
    )


def drill_store_id(graph_id: str) -> str:
    """The store where a click on ``graph_id`` leaves the Explorer's address of the point
    (``callbacks.drill``)."""
    return f"{graph_id}-drill"


def drill_store(graph_id: str) -> dcc.Store:
    """The store of ``graph_id``'s drill-down, drawn beside the graph."""
    return dcc.Store(id=drill_store_id(graph_id))


def url_store_id(control_id: str) -> str:
    """The store where a change of ``control_id`` leaves the page's new URL query
    (``callbacks.in_url``)."""
    return f"{control_id}-url"


def url_store(control_id: str) -> dcc.Store:
    """The store of ``control_id``'s URL writer, drawn beside the control."""
    return dcc.Store(id=url_store_id(control_id))


def graph_style(figure: Any, default: int = CHART_HEIGHT) -> dict[str, str]:
    """The box of a graph showing ``figure``: the figure's own height, else ``default``."""
    height = getattr(getattr(figure, "layout", None), "height", None) or default
    return {"height": f"{int(height)}px", "width": "100%"}


def chart(
    graph_id: str, width: int = 12, lg: int | None = None, query: str = "",
    compare: bool = False,
) -> dbc.Col:  # fmt: skip
    """A card holding one graph (filled by a callback), with a loading spinner and the
    link to its numbers under the page's filters (``query``); a time chart (``compare``)
    has a switch that draws the previous period over it (``compare_switch``)."""
    switch = compare_switch(graph_id, query) if compare else None
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    dcc.Loading(graph(graph_id), type="dot"),
                    drill_store(graph_id),
                    switch,
                    url_store(f"{graph_id}-compare") if compare else None,
                    numbers_link(graph_id, query),
                ],
                className="p-1",
            ),
            className="mb-3 shadow-sm",
        ),
        xs=12,
        lg=lg or width,
    )


def bar_card(list_id: str, query: str = "", lg: int = 12) -> dbc.Col:
    """A card holding a ranking drawn as a bar table (``bar_table``, filled by a
    callback), with the link to its numbers under the page's filters (``query``)."""
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    dcc.Loading(html.Div(id=list_id, className="bar-list"), type="dot"),
                    numbers_link(list_id, query),
                ],
                className="p-2",
            ),
            className="mb-3 shadow-sm",
        ),
        xs=12,
        lg=lg,
    )


BAR_CELLS = 24
"""Characters of the longest bar of a bar table."""
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def bar_text(value: float, largest: float, cells: int = BAR_CELLS) -> str:
    """``value`` as a bar of block characters, ``cells`` long for ``largest`` (to an
    eighth of a character; at least a sliver for any value above zero)."""
    if largest <= 0 or value <= 0:
        return ""
    full, eighths = divmod(max(1, round(8 * cells * value / largest)), 8)
    return "█" * full + _EIGHTHS[eighths]


def bar_table(
    records: Sequence[Mapping[str, Any]], label: str, value: str, link: str, title: str,
    table_id: str,
) -> html.Div:  # fmt: skip
    """A ranking as one Markdown table: each row's ``label`` (a link to the row's
    ``link`` column), its ``value`` and a bar of that length. Drawn as text, a page of
    rankings needs no charting library: loading and drawing plotly for one bar chart
    took longer than the rest of such a page."""
    largest = max((float(record[value]) for record in records), default=0.0)
    rows = [{**record, "bar": bar_text(float(record[value]), largest)} for record in records]
    return html.Div(
        [
            html.H3(title, className="h6 mb-1 bar-title"),
            markdown_table(rows, (label, value, "bar"), {label: link}, id=table_id),
        ]
    )


def empty_note(hint: str) -> html.Div:
    """What a ranking shows when it has no rows: ``hint`` says what would fill it (the
    panels' ``explain_empty`` adds why it is empty)."""
    return html.Div(html.P(hint, className="mb-0"), className=EMPTY_NOTE)


EMPTY_NOTE = "empty-note text-muted small"


def compare_switch(
    graph_id: str, query: str, label: str = "compare with the previous period"
) -> dbc.Switch:
    """The switch of a time chart (``<graph_id>-compare``), on when the page's URL
    ``query`` holds ``compare=previous`` (``callbacks.connect`` keeps the URL in step)."""
    return dbc.Switch(id=f"{graph_id}-compare", label=label, value=compares(query),
                      className="small d-inline-block ms-2 mb-0")  # fmt: skip


def numbers_link(chart_id: str, query: str) -> html.A | None:
    """ "Download the numbers": the chart's CSV, from the registry entry it is drawn from."""
    target = numbers.href(chart_id, query)
    if target is None:
        return None
    return html.A(
        "Download the numbers (CSV)", href=target, id=f"{chart_id}-numbers", download="",
        className="small chart-numbers ms-2",
    )  # fmt: skip


def kpi(value: str, label: str, kpi_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(value, className="kpi-value", id=kpi_id),
                    html.Div(label, className="kpi-label"),
                    html.Div("", className="kpi-change small text-muted", id=f"{kpi_id}-change"),
                ]
            ),
            className="mb-3 shadow-sm kpi",
        ),
        xs=6,
        md=4,
        lg=2,
    )


def table(records: Sequence[Mapping[str, Any]], columns: Sequence[str], **kwargs: Any) -> Any:
    """A plain Bootstrap table of ``records`` (server-rendered; pages are small)."""
    header = html.Thead(html.Tr([html.Th(column.replace("_", " ")) for column in columns]))
    body = html.Tbody(
        [html.Tr([html.Td(_cell(row.get(column))) for column in columns]) for row in records]
    )
    return dbc.Table([header, body], size="sm", hover=True, responsive=True,
                     className="small bg-white", **kwargs)  # fmt: skip


def markdown_table(
    records: Sequence[Mapping[str, Any]], columns: Sequence[str], links: Mapping[str, str],
    **kwargs: Any,
) -> dcc.Markdown:  # fmt: skip
    """The table ``table`` draws, as one Markdown component: a row of Dash components a
    cell costs the browser about a millisecond each to draw, a page of tables most of a
    second. ``links``: column -> the column of the records holding its link's target."""
    lines = [
        "| " + " | ".join(column.replace("_", " ") for column in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in records:
        cells = []
        for column in columns:
            text = escaped(_cell(row.get(column)))
            target = row.get(links[column]) if column in links else None
            cells.append(f"[{text}]({_target(str(target))})" if target and text else text)
        lines.append("| " + " | ".join(cells) + " |")
    return dcc.Markdown("\n".join(lines), className="markdown-table", link_target="_self",
                        **kwargs)  # fmt: skip


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escaped(text: str) -> str:
    """``text`` shown as itself in Markdown (names and titles are anyone's text).

    ``&``, ``<`` and ``>`` become entities: Dash's Markdown shows a backslash before
    them as typed ("Data Privacy \\& GDPR")."""
    plain = re.sub("[&<>]", lambda found: _ENTITIES[found.group()], " ".join(text.split()))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain)


def markdown_link(text: str, target: str) -> str:
    """A Markdown link showing ``text``."""
    return f"[{escaped(text)}]({_target(target)})"


def _target(target: str) -> str:
    return target.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _cell(value: Any) -> Any:
    if isinstance(value, Component):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def markdown_loader() -> dcc.Markdown:
    """An empty, hidden Markdown for a page whose callbacks answer with Markdown tables.

    Drawn with the page's layout, it has the browser fetch Dash's Markdown script, and
    the code highlighter every Markdown fetches once it is first drawn, while the page's
    callbacks are still being answered; otherwise both were fetched one after the other
    only when the first table arrived, and the tables drawn again when the second came."""
    return dcc.Markdown("", id="markdown-loader", style={"display": "none"})


def page_header(title: str, description: str, page: str, query: str) -> html.Div:
    """Page title, what it shows, and the store carrying the URL's filters to callbacks."""
    return html.Div(
        [
            html.H2(title, className="h4 mt-2 mb-1"),
            html.P(description, className="text-muted mb-2"),
            dcc.Store(id=f"{page}-query", data=query),
        ]
    )
