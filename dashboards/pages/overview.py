"""Overview: the organisation's learning and knowledge work at a glance."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Output, html

from dashboards import panels
from dashboards.callbacks import connect
from dashboards.components import bar_card, chart, kpi, markdown_loader, page_header
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/", name="Overview", title="Overview", order=0)

PAGE = "overview"


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    return html.Div(
        [
            markdown_loader(),
            page_header(
                "Overview",
                "Formal learning (courses) and informal knowledge work (posts, pages, "
                "comments) side by side.",
                PAGE,
                search,
            ),
            dbc.Row([kpi("…", label, f"{PAGE}-kpi-{key}") for key, label in panels.OVERVIEW_KPIS]),
            dbc.Row(
                [
                    chart(f"{PAGE}-over-time", lg=8, query=search, compare=True),
                    chart(f"{PAGE}-mix", lg=4, query=search),
                ]
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-people-over-time", lg=6, query=search, compare=True),
                    chart(f"{PAGE}-rhythm", lg=6, query=search),
                ]
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-top-people", lg=6, query=search),
                    bar_card(f"{PAGE}-top-verbs", search, lg=6),
                ]
            ),
            # Full width: activity names are long, and a bar needs room beside them.
            dbc.Row([bar_card(f"{PAGE}-top-activities", search)]),
        ]
    )


def register_callbacks(app: Dash) -> None:
    kpis = [Output(f"{PAGE}-kpi-{key}", "children") for key, _ in panels.OVERVIEW_KPIS]
    changes = [Output(f"{PAGE}-kpi-{key}-change", "children") for key, _ in panels.OVERVIEW_KPIS]
    connect(app, PAGE, [*kpis, Output(f"{PAGE}-mix", "figure"), *changes], panels.overview_summary)
    for chart_id, panel in (
        ("over-time", panels.overview_over_time),
        ("people-over-time", panels.overview_people_over_time),
    ):
        graph = f"{PAGE}-{chart_id}"
        connect(app, PAGE, [Output(graph, "figure")], panel, compare=True)
    for chart_id, plain in (
        ("rhythm", panels.overview_rhythm),
        ("top-people", panels.overview_top_people),
    ):
        connect(app, PAGE, [Output(f"{PAGE}-{chart_id}", "figure")], plain)
    for list_id, ranking in (
        ("top-activities", panels.overview_top_activities),
        ("top-verbs", panels.overview_top_verbs),
    ):
        connect(app, PAGE, [Output(f"{PAGE}-{list_id}", "children")], ranking)
