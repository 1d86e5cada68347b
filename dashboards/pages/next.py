"""What to read next after a course: the posts and pages most read by the people who
completed it (in the 30 days from their first completion), and those of them who wrote about
its topic."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from dashboards import panels
from dashboards.callbacks import connect, in_url
from dashboards.components import bar_card, markdown_loader, page_header, url_store
from lrs.http import context
from lrs.http.access import scoped
from lrs.insight import pull
from lrs.insight.filters import Filters, encode_query

dash.register_page(__name__, path="/next", name="Read next", title="Read next", order=7)

PAGE = "next"


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    course = query.get("course") if isinstance(query.get("course"), str) else None
    return html.Div(
        [
            markdown_loader(),
            url_store(f"{PAGE}-course"),
            page_header(
                "Read next",
                "After a course: what the people who completed it read "
                "most, and who of them wrote about it.",
                PAGE,
                search,
            ),
            dcc.Dropdown(
                id=f"{PAGE}-course",
                placeholder="Search a course by name…",
                value=course,
                options=[{"label": course, "value": course}] if course else [],
                className="mb-3",
            ),
            dbc.Row([bar_card(f"{PAGE}-reading", query=search)]),
            html.Div(id=f"{PAGE}-table"),
            html.H4("Its graduates who wrote about it", className="h6"),
            html.Div(id=f"{PAGE}-writers"),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-course", "options"),
        Input(f"{PAGE}-course", "search_value"),
        State(f"{PAGE}-course", "value"),
        State(f"{PAGE}-query", "data"),
    )
    def search(text: str | None, chosen: str | None, query: str) -> list[dict[str, str]]:
        filters = _scoped(Filters.from_query(query))
        with context.database().querying() as session:
            found = pull.course_options(session, filters, text or "")
        options = [{"label": name, "value": course} for course, name in found]
        if chosen and chosen not in {course for course, _ in found}:
            options.insert(0, {"label": chosen, "value": chosen})
        return options

    in_url(app, f"{PAGE}-course", "course", lambda course: course or None)

    connect(
        app,
        PAGE,
        [Output(f"{PAGE}-reading", "children"), Output(f"{PAGE}-table", "children"),
         Output(f"{PAGE}-writers", "children")],
        panels.next_reading,
        Input(f"{PAGE}-course", "value"),
    )  # fmt: skip


def _scoped(filters: Filters) -> Filters:
    """The filters within the signed-in reader's scope (the same narrowing ``connect``
    applies to every panel)."""
    return scoped(filters)
