"""Explorer: the statements behind every chart, paged on the server, with downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html
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
            table(
                f"{PAGE}-table",
                columns=[{"name": c.replace("_", " "), "id": c} for c in COLUMNS],
                page_current=0,
                page_size=PAGE_SIZE,
                page_action="custom",
                page_count=1,
            ),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-table", "data"),
        Output(f"{PAGE}-table", "page_count"),
        Output(f"{PAGE}-count", "children"),
        Input(f"{PAGE}-query", "data"),
        Input(f"{PAGE}-table", "page_current"),
    )
    def page(query: str, current: int | None) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            total = queries.count_facts(session, filters)
            rows = queries.fact_page(session, filters, int(current or 0), PAGE_SIZE)
        rows = rows.assign(timestamp=rows["timestamp"].astype(str))
        pages = max(1, -(-total // PAGE_SIZE))
        note = (
            f"{figures.n(total)} statements"
            if total
            else "No statements match: widen the filters or send statements to /xapi/statements."
        )
        return [rows[list(COLUMNS)].to_dict("records"), pages, note]
