"""Overview: the organisation's learning and knowledge work at a glance."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, html
from flask import current_app

from dashboards import figures, queries
from dashboards.components import chart, kpi, page_header
from dashboards.filters import Filters

dash.register_page(__name__, path="/", name="Overview", title="Overview", order=0)

PAGE = "overview"
KPIS = (("statements", "statements"), ("formal", "formal"), ("informal", "informal"),
        ("people", "active people"), ("activities", "activities"))  # fmt: skip


def layout(**query: Any) -> html.Div:
    return html.Div(
        [
            page_header(
                "Overview",
                "Formal learning (courses) and informal knowledge work (posts, pages, "
                "comments) side by side.",
                PAGE,
                urlencode(query),
            ),
            dbc.Row([kpi("…", label, f"{PAGE}-kpi-{key}") for key, label in KPIS]),
            dbc.Row([chart(f"{PAGE}-over-time", lg=8), chart(f"{PAGE}-mix", lg=4)]),
            dbc.Row([chart(f"{PAGE}-people-over-time", lg=6), chart(f"{PAGE}-rhythm", lg=6)]),
            dbc.Row(
                [
                    chart(f"{PAGE}-top-people", lg=4),
                    chart(f"{PAGE}-top-activities", lg=4),
                    chart(f"{PAGE}-top-verbs", lg=4),
                ]
            ),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        *[Output(f"{PAGE}-kpi-{key}", "children") for key, _ in KPIS],
        Output(f"{PAGE}-over-time", "figure"),
        Output(f"{PAGE}-mix", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def counts(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            summary = queries.summary(session, filters)
            over_time = queries.statements_over_time(session, filters)
        row = summary.iloc[0]
        return [
            *[figures.n(row[key]) for key, _ in KPIS],
            figures.statements_over_time(over_time),
            figures.kind_mix(summary),
        ]

    @app.callback(
        Output(f"{PAGE}-people-over-time", "figure"),
        Output(f"{PAGE}-rhythm", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def rhythm(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            people = queries.active_people_over_time(session, filters)
            week = queries.rhythm(session, filters)
        return [figures.active_people(people), figures.rhythm(week)]

    @app.callback(
        Output(f"{PAGE}-top-people", "figure"),
        Output(f"{PAGE}-top-activities", "figure"),
        Output(f"{PAGE}-top-verbs", "figure"),
        Input(f"{PAGE}-query", "data"),
    )
    def leaders(query: str) -> list[Any]:
        filters = Filters.from_query(query)
        with current_app.extensions["lrs.database"].reading() as session:
            people = queries.top_people(session, filters)
            activities = queries.top_activities(session, filters)
            verbs = queries.top_verbs(session, filters)
        return [
            figures.stacked_people(people),
            figures.ranking(activities, "name", "statements", "activities",
                            "Send statements about activities.", colour_by="source_kind"),
            figures.ranking(verbs, "concept", "statements", "verbs",
                            "Send statements with any verb.", colour_by=None),
        ]  # fmt: skip
