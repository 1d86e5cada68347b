"""Courses (formal): funnel, completion and pass rates, scores, time, stalled learners."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html

from dashboards import panels
from dashboards.callbacks import connect
from dashboards.components import chart, page_header

dash.register_page(__name__, path="/courses", name="Courses", title="Courses", order=1)

PAGE = "courses"


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
    funnel = [Output(f"{PAGE}-funnel", "figure"), Output(f"{PAGE}-rates", "figure")]
    connect(app, PAGE, funnel, panels.courses_funnel)
    connect(app, PAGE, [Output(f"{PAGE}-scores", "figure")], panels.courses_scores)
    connect(app, PAGE, [Output(f"{PAGE}-time", "figure")], panels.courses_time)
    connect(
        app,
        PAGE,
        [Output(f"{PAGE}-stalled", "children"), Output(f"{PAGE}-stalled-note", "children")],
        panels.courses_stalled,
        Input(f"{PAGE}-days", "value"),
    )
