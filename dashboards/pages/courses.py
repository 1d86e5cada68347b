"""Courses (formal): funnel, completion and pass rates, scores, time, stalled learners."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html
from flask import current_app

from dashboards import figures, queries
from dashboards.components import chart, page_header, table
from dashboards.filters import Filters

dash.register_page(__name__, path="/courses", name="Courses", title="Courses", order=1)

PAGE = "courses"
STALLED_COLUMNS = ("name", "course_name", "last_day", "days_idle")


def layout(**query: Any) -> html.Div:
    return html.Div(
        [
            page_header(
                "Courses",
                "Formal learning: who enrols, starts, completes and passes; scores and time.",
                PAGE,
                urlencode(query),
            ),
            dbc.Row([chart(f"{PAGE}-funnel", lg=6), chart(f"{PAGE}-rates", lg=6)]),
            dbc.Row([chart(f"{PAGE}-scores", lg=6), chart(f"{PAGE}-time", lg=6)]),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(
                            [
                                html.H3("Stalled learners", className="h6 mb-0 me-3"),
                                dbc.Label(
                                    "no activity for",
                                    html_for=f"{PAGE}-days",
                                    className="small mb-0 me-1",
                                ),
                                dcc.Input(
                                    id=f"{PAGE}-days",
                                    type="number",
                                    min=1,
                                    value=14,
                                    debounce=True,
                                    style={"width": "5rem"},
                                ),
                                html.Span(
                                    "days, started but not completed", className="small ms-1"
                                ),
                            ],
                            className="d-flex align-items-center mb-2",
                        ),
                        html.Div(id=f"{PAGE}-stalled-note", className="small text-muted mb-1"),
                        html.Div(id=f"{PAGE}-stalled"),
                    ]
                ),
                className="mb-3 shadow-sm",
            ),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-funnel", "figure"),
        Output(f"{PAGE}-rates", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def funnel(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            courses = queries.course_funnel(session, filters)
        return [figures.course_funnel(courses), figures.course_rates(courses)]

    @app.callback(
        Output(f"{PAGE}-scores", "figure"),
        Output(f"{PAGE}-time", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def results(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            scores = queries.score_distribution(session, filters)
            spent = queries.time_spent(session, filters)
        return [figures.score_histogram(scores), figures.time_spent(spent)]

    @app.callback(
        Output(f"{PAGE}-stalled", "children"),
        Output(f"{PAGE}-stalled-note", "children"),
        Input(f"{PAGE}-query", "data"),
        Input(f"{PAGE}-days", "value"),
    )
    def stalled(query: str, days: int | None) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            frame = queries.stalled(session, filters, days=max(int(days or 14), 1))
        total = int(frame.attrs["total"])
        note = (
            f"{len(frame)} of {figures.n(total)} stalled (person, course) pairs, longest idle first"
            if total
            else "No one is stalled: every started course has a completion or recent activity."
        )
        frame = frame.assign(last_day=frame["last_day"].astype(str))
        return [table(frame.to_dict("records"), STALLED_COLUMNS) if total else None, note]
