"""Knowledge (informal): contributions, contributors vs readers, top content, response
times and emerging topics."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html
from flask import current_app

from dashboards import figures, queries
from dashboards.components import chart, page_header
from dashboards.filters import Filters

dash.register_page(__name__, path="/knowledge", name="Knowledge", title="Knowledge", order=2)

PAGE = "knowledge"
RANKINGS = (("read", "most read pages and posts", "views"),
            ("edited", "most edited pages", "edits"),
            ("reused", "most reused (readers other than authors)", "readers"),
            ("discussed", "most discussed", "comments and replies"))  # fmt: skip


def layout(**query: Any) -> html.Div:
    return html.Div(
        [
            page_header(
                "Knowledge",
                "Informal knowledge work: posts, pages, edits, comments, questions and likes.",
                PAGE,
                urlencode(query),
            ),
            dbc.Row([chart(f"{PAGE}-contributions", lg=8), chart(f"{PAGE}-participation", lg=4)]),
            dbc.Row([chart(f"{PAGE}-top-{metric}", lg=6) for metric, _, _ in RANKINGS]),
            dbc.Row([chart(f"{PAGE}-response", lg=6), chart(f"{PAGE}-topics", lg=6)]),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-contributions", "figure"),
        Output(f"{PAGE}-participation", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def contributions(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            over_time = queries.contributions_over_time(session, filters)
            pyramid = queries.participation(session, filters)
            shares = queries.contribution_shares(session, filters)
        return [figures.contributions_over_time(over_time), figures.participation(pyramid, shares)]

    @app.callback(
        *[Output(f"{PAGE}-top-{metric}", "figure") for metric, _, _ in RANKINGS],
        Input(f"{PAGE}-query", "data"),
    )
    def content(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        result = []
        with current_app.extensions["lrs.database"].reading() as session:
            for metric, noun, measure in RANKINGS:
                frame = queries.top_content(session, filters, metric)
                result.append(
                    figures.ranking(
                        frame.rename(columns={"count": measure}), "name", measure, noun,
                        "Send viewed, edited and commented statements on pages and posts.",
                    )
                )  # fmt: skip
        return result

    @app.callback(
        Output(f"{PAGE}-response", "figure"),
        Output(f"{PAGE}-topics", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def responses(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            times = queries.response_times(session, filters)
            topics = queries.emerging_topics(session, filters)
        return [figures.response_histogram(times), figures.topics(topics)]
