"""Convergence: formal and informal joined — team mix, contributions vs results, course to
first contribution, and the knowledge-flow network."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html

from dashboards import panels
from dashboards.callbacks import connect
from dashboards.components import chart, numbers_link, page_header
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/convergence", name="Convergence", title="Convergence", order=3)

PAGE = "convergence"


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    return html.Div(
        [
            page_header(
                "Convergence",
                "Where learning and knowledge sharing meet. Correlation is not causation: "
                "every chart shows how many people it rests on.",
                PAGE,
                search,
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-mix", lg=5, query=search),
                    chart(f"{PAGE}-scatter", lg=7, query=search),
                ]
            ),
            dbc.Row([chart(f"{PAGE}-course-to-contribution", lg=12, query=search)]),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H3(
                            "Top contributors and the courses they completed", className="h6 mb-1"
                        ),
                        html.Div(id=f"{PAGE}-contributors-note", className="small text-muted mb-1"),
                        numbers_link(f"{PAGE}-contributors", search),
                        html.Div(id=f"{PAGE}-contributors"),
                    ]
                ),
                className="mb-3 shadow-sm",
            ),
            dbc.Row(
                dbc.Col(
                    dbc.RadioItems(
                        id=f"{PAGE}-relation",
                        options=[
                            {
                                "label": "who comments on, edits or likes whose content",
                                "value": "contribute",
                            },
                            {
                                "label": "who reads whose content (learns from whom)",
                                "value": "learn",
                            },
                        ],
                        value="contribute",
                        inline=True,
                        className="mb-2",
                    )
                )
            ),
            dbc.Row([chart(f"{PAGE}-network", lg=12, query=search)]),
        ]
    )


def register_callbacks(app: Dash) -> None:
    for chart_id, panel in (
        ("mix", panels.convergence_mix),
        ("scatter", panels.convergence_scatter),
        ("course-to-contribution", panels.convergence_course_to_contribution),
    ):
        connect(app, PAGE, [Output(f"{PAGE}-{chart_id}", "figure")], panel)
    connect(
        app,
        PAGE,
        [
            Output(f"{PAGE}-contributors", "children"),
            Output(f"{PAGE}-contributors-note", "children"),
        ],
        panels.convergence_contributors_courses,
    )
    connect(
        app,
        PAGE,
        [Output(f"{PAGE}-network", "figure")],
        panels.convergence_network,
        Input(f"{PAGE}-relation", "value"),
    )
