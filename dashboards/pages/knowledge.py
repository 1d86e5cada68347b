"""Knowledge (informal): contributions, contributors vs readers, top content, response
times and emerging topics."""

from __future__ import annotations

from functools import partial
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Output, html

from dashboards import panels
from dashboards.callbacks import connect
from dashboards.components import bar_card, chart, markdown_loader, page_header
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/knowledge", name="Knowledge", title="Knowledge", order=2)

PAGE = "knowledge"
RANKINGS = panels.CONTENT_RANKINGS


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    return html.Div(
        [
            markdown_loader(),
            page_header(
                "Knowledge",
                "Informal knowledge work: posts, pages, edits, comments, questions and likes.",
                PAGE,
                search,
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-contributions", lg=8, query=search, compare=True),
                    chart(f"{PAGE}-participation", lg=4, query=search),
                ]
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-contributors", lg=6, query=search),
                    chart(f"{PAGE}-response", lg=6, query=search),
                ]
            ),
            dbc.Row(
                [
                    *[bar_card(f"{PAGE}-top-{metric}", search, lg=6) for metric, *_ in RANKINGS],
                    chart(f"{PAGE}-topics", lg=6, query=search),
                ]
            ),
        ]
    )


def register_callbacks(app: Dash) -> None:
    connect(app, PAGE, [Output(f"{PAGE}-contributions", "figure")], panels.knowledge_contributions,
            compare=True)  # fmt: skip
    for metric, *_ in RANKINGS:
        connect(app, PAGE, [Output(f"{PAGE}-top-{metric}", "children")],
                partial(panels.knowledge_ranking, metric=metric))  # fmt: skip
    charts: list[tuple[str, panels.Panel]] = [
        ("participation", panels.knowledge_participation),
        ("contributors", panels.knowledge_contributors),
        ("response", panels.knowledge_response),
        ("topics", panels.knowledge_topics),
    ]
    for chart_id, panel in charts:
        connect(app, PAGE, [Output(f"{PAGE}-{chart_id}", "figure")], panel)
