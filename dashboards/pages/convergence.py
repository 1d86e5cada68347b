"""Convergence: formal and informal joined — team mix, contributions vs results, course to
first contribution, and the knowledge-flow network."""

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

dash.register_page(__name__, path="/convergence", name="Convergence", title="Convergence", order=3)

PAGE = "convergence"


def layout(**query: Any) -> html.Div:
    return html.Div(
        [
            page_header(
                "Convergence",
                "Where learning and knowledge sharing meet. Correlation is not causation: "
                "every chart shows how many people it rests on.",
                PAGE,
                urlencode(query),
            ),
            dbc.Row([chart(f"{PAGE}-mix", lg=5), chart(f"{PAGE}-scatter", lg=7)]),
            dbc.Row([chart(f"{PAGE}-course-to-contribution", lg=12)]),
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
            dbc.Row([chart(f"{PAGE}-network", lg=12)]),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-mix", "figure"),
        Output(f"{PAGE}-scatter", "figure"),
        Output(f"{PAGE}-course-to-contribution", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def joined(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            mix = queries.team_mix(session, filters)
            scatter = queries.contribution_vs_results(session, filters)
            after = queries.completion_to_contribution(session, filters)
        return [
            figures.team_mix(mix),
            figures.contribution_scatter(scatter),
            figures.completion_to_contribution(after),
        ]

    @app.callback(
        Output(f"{PAGE}-network", "figure"),
        Input(f"{PAGE}-query", "data"),
        Input(f"{PAGE}-relation", "value"),
    )
    def network(query: str, relation: str) -> Any:
        filters = Filters.from_query(query)
        relation = relation if relation in ("contribute", "learn") else "contribute"
        with current_app.extensions["lrs.database"].reading() as session:
            edges = queries.knowledge_flow(session, filters, relation)
        return figures.network(edges, relation)
