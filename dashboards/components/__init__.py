"""Reusable layout pieces: KPI cards, chart cards, tables."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True}


def chart(graph_id: str, width: int = 12, lg: int | None = None) -> dbc.Col:
    """A card holding one graph (filled by a callback), with a loading spinner."""
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                dcc.Loading(dcc.Graph(id=graph_id, config=GRAPH_CONFIG), type="dot"),
                className="p-1",
            ),
            className="mb-3 shadow-sm",
        ),
        xs=12,
        lg=lg or width,
    )


def kpi(value: str, label: str, kpi_id: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(value, className="kpi-value", id=kpi_id),
                    html.Div(label, className="kpi-label"),
                ]
            ),
            className="mb-3 shadow-sm kpi",
        ),
        xs=6,
        md=4,
        lg=2,
    )


def table(table_id: str, **kwargs: Any) -> Any:
    return dash_table.DataTable(  # type: ignore[attr-defined]
        id=table_id,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": "inherit", "fontSize": 13, "textAlign": "left",
                    "maxWidth": 320, "overflow": "hidden", "textOverflow": "ellipsis"},
        style_header={"fontWeight": "600", "backgroundColor": "#f1f3f5"},
        **kwargs,
    )  # fmt: skip


def page_header(title: str, description: str, page: str, query: str) -> html.Div:
    """Page title, what it shows, and the store carrying the URL's filters to callbacks."""
    return html.Div(
        [
            html.H2(title, className="h4 mt-2 mb-1"),
            html.P(description, className="text-muted mb-2"),
            dcc.Store(id=f"{page}-query", data=query),
        ]
    )
