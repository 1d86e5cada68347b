"""Explorer: the statements behind every chart, paged on the server, with downloads."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboards import panels
from dashboards.callbacks import connect
from dashboards.components import page_header
from dashboards.drill import BACK, safe_back
from lrs.http import context
from lrs.http.access import reader_scope
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/explorer", name="Explorer", title="Explorer", order=5)

PAGE = "explorer"


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    suffix = f"?{search}" if search else ""
    back = safe_back(query.get(BACK))
    return html.Div(
        [
            dcc.Link("← Back to the chart", href=back, id=f"{PAGE}-back", className="small")
            if back
            else None,
            page_header(
                "Explorer",
                "Every statement that matches the filters, newest first.",
                PAGE,
                search,
            ),
            html.Div(
                [
                    html.Span(id=f"{PAGE}-count", className="me-3 fw-semibold"),
                    dbc.Button(
                        "Download CSV",
                        id=f"{PAGE}-csv",
                        size="sm",
                        color="secondary",
                        href=dash.get_relative_path("/export.csv") + suffix,
                        external_link=True,
                        className="me-2",
                    ),
                    dbc.Button(
                        "Download NDJSON",
                        id=f"{PAGE}-ndjson",
                        size="sm",
                        color="secondary",
                        external_link=True,
                        href=dash.get_relative_path("/export.ndjson") + suffix,
                    ),
                ],
                className="d-flex align-items-center mb-2",
            ),
            html.Div(id=f"{PAGE}-table"),
            html.Div(
                [
                    dbc.Button(
                        "Newer", id=f"{PAGE}-newer", size="sm", color="light", className="me-2"
                    ),
                    html.Span(id=f"{PAGE}-page-note", className="small me-2"),
                    dbc.Button("Older", id=f"{PAGE}-older", size="sm", color="light"),
                    dcc.Store(id=f"{PAGE}-page", data=0),
                ],
                className="d-flex align-items-center mb-3",
            ),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(id=f"{PAGE}-statement-title")),
                    dbc.ModalBody(html.Pre(id=f"{PAGE}-statement", className="small mb-0")),
                ],
                id=f"{PAGE}-statement-modal",
                size="lg",
                scrollable=True,
                is_open=False,
            ),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-page", "data"),
        Input(f"{PAGE}-newer", "n_clicks"),
        Input(f"{PAGE}-older", "n_clicks"),
        State(f"{PAGE}-page", "data"),
        prevent_initial_call=True,
    )
    def turn(_newer: int | None, _older: int | None, current: int | None) -> int:
        step = 1 if ctx.triggered_id == f"{PAGE}-older" else -1
        return max(0, int(current or 0) + step)

    @app.callback(
        Output(f"{PAGE}-statement-title", "children"),
        Output(f"{PAGE}-statement", "children"),
        Output(f"{PAGE}-statement-modal", "is_open"),
        Input({"type": panels.EXPLORER_OPEN, "seq": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_statement(clicks: list[int | None]) -> Any:
        """A row's statement id opens the statement as stored."""
        # A forged request may send anything as the clicks (None, a number): nothing opens.
        if not isinstance(clicks, list) or not any(clicks):
            return dash.no_update, dash.no_update, dash.no_update
        if not isinstance(ctx.triggered_id, dict):
            return dash.no_update, dash.no_update, dash.no_update
        with context.database().reading() as session:
            seq = int(ctx.triggered_id["seq"])
            title, text = panels.statement_json(session, seq, reader_scope())
        return title, text, True

    connect(
        app,
        PAGE,
        [
            Output(f"{PAGE}-table", "children"),
            Output(f"{PAGE}-count", "children"),
            Output(f"{PAGE}-page-note", "children"),
            Output(f"{PAGE}-newer", "disabled"),
            Output(f"{PAGE}-older", "disabled"),
        ],
        panels.explorer,
        Input(f"{PAGE}-page", "data"),
    )
