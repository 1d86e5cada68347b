"""My learning and sharing: a person's courses, what they wrote and who read, reused,
commented on or liked it, a timeline of both, and what the people who completed the
same courses read next. A member opens it on their own person; an admin or a manager
on a person of their scope (``person`` in the URL)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Output, html

from dashboards import panels
from dashboards.callbacks import connect
from dashboards.components import bar_card, chart, markdown_loader, page_header
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/me", name="My learning", title="My learning", order=5)

PAGE = "me"


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    return html.Div(
        [
            markdown_loader(),
            page_header(
                "My learning",
                "My courses, what I shared and who read, reused, commented on or liked it, "
                "and what the people who completed my courses read next.",
                PAGE,
                search,
            ),
            html.Div(id=f"{PAGE}-courses"),
            dbc.Row([chart(f"{PAGE}-timeline", lg=12, query=search, compare=True)]),
            dbc.Row([bar_card(f"{PAGE}-contributions", query=search)]),
            html.H4("What I shared", className="h6"),
            html.Div(id=f"{PAGE}-contributions-table"),
            html.Div(id=f"{PAGE}-audience"),
            html.H4("What the people who completed my courses read or wrote next", className="h6"),
            html.Div(id=f"{PAGE}-after"),
        ]
    )


def register_callbacks(app: Dash) -> None:
    connect(app, PAGE, [Output(f"{PAGE}-courses", "children")], panels.me_courses)
    connect(app, PAGE, [Output(f"{PAGE}-timeline", "figure")], panels.me_timeline, compare=True)
    connect(
        app,
        PAGE,
        [
            Output(f"{PAGE}-contributions", "children"),
            Output(f"{PAGE}-contributions-table", "children"),
            Output(f"{PAGE}-audience", "children"),
        ],
        panels.me_contributions,
    )
    connect(app, PAGE, [Output(f"{PAGE}-after", "children")], panels.me_after)
