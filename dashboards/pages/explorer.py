"""Explorer: the statements behind every chart, paged on the server, with downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html
from flask import current_app

from dashboards import figures, queries
from dashboards.components import page_header, table
from dashboards.filters import Filters

dash.register_page(__name__, path="/explorer", name="Explorer", title="Explorer", order=5)

PAGE = "explorer"
PAGE_SIZE = 25
COLUMNS = ("timestamp", "actor_name", "concept", "activity_name", "source_kind", "platform",
           "team", "score_scaled", "success", "completion", "duration_seconds", "verb_id",
           "activity_id")  # fmt: skip


def layout(**query: Any) -> html.Div:
    search = urlencode(query)
    suffix = f"?{search}" if search else ""
    return html.Div(
        [
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
        Output(f"{PAGE}-table", "children"),
        Output(f"{PAGE}-count", "children"),
        Output(f"{PAGE}-page-note", "children"),
        Output(f"{PAGE}-newer", "disabled"),
        Output(f"{PAGE}-older", "disabled"),
        Input(f"{PAGE}-query", "data"),
        Input(f"{PAGE}-page", "data"),
    )
    def page(query: str, current: int | None) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            total = queries.count_facts(session, filters)
            pages = max(1, -(-total // PAGE_SIZE))
            number = min(int(current or 0), pages - 1)
            rows = queries.fact_page(session, filters, number, PAGE_SIZE)
        if not total:
            note = "No statements match: widen the filters or send statements to /xapi/statements."
            return [None, note, "", True, True]
        rows = rows.assign(timestamp=rows["timestamp"].astype(str))
        first = number * PAGE_SIZE + 1
        return [
            table(rows.to_dict("records"), COLUMNS),
            f"{figures.n(total)} statements",
            f"{figures.n(first)}-{figures.n(first + len(rows) - 1)} of {figures.n(total)}",
            number == 0,
            number >= pages - 1,
        ]
