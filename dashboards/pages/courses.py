"""Courses (formal): funnel, completion and pass rates, scores, time, stalled learners."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html

from dashboards import panels
from dashboards.callbacks import connect, in_url
from dashboards.components import chart, numbers_link, page_header, url_store
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/courses", name="Courses", title="Courses", order=1)

PAGE = "courses"
DAYS = 14


def _days(text: Any) -> int:
    """The stalled learners' days idle from the URL (``days``), 14 when absent or wrong."""
    try:
        return min(max(int(text), 1), 3650)
    except (TypeError, ValueError):
        return DAYS


def _sort(text: Any) -> str:
    """The funnel's order from the URL (``sort``), most people first when absent or
    unknown."""
    return text if text in panels.FUNNEL_ORDERS else "people"


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    return html.Div(
        [
            url_store(f"{PAGE}-days"),
            url_store(f"{PAGE}-sort"),
            page_header(
                "Courses",
                "Formal learning: who enrols, starts, completes and passes; scores and time.",
                PAGE,
                search,
            ),
            html.Div(
                [
                    dbc.Label("Courses", html_for=f"{PAGE}-sort", className="small mb-0 me-2"),
                    dcc.Dropdown(
                        id=f"{PAGE}-sort",
                        options=[
                            {"label": label, "value": value}
                            for value, label in panels.FUNNEL_ORDERS.items()
                        ],
                        value=_sort(query.get("sort")),
                        clearable=False,
                        searchable=False,
                        style={"minWidth": "16rem"},
                    ),
                ],
                className="d-flex align-items-center mb-2",
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-funnel", lg=6, query=search),
                    chart(f"{PAGE}-rates", lg=6, query=search),
                ]
            ),
            dbc.Row(
                [
                    chart(f"{PAGE}-scores", lg=6, query=search),
                    chart(f"{PAGE}-time", lg=6, query=search),
                ]
            ),
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
                                    value=_days(query.get("days")),
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
                        numbers_link(f"{PAGE}-stalled", search),
                        html.Div(id=f"{PAGE}-stalled"),
                    ]
                ),
                className="mb-3 shadow-sm",
            ),
        ]
    )


def register_callbacks(app: Dash) -> None:
    # The days threshold and the funnel's order go in the URL (``days``, ``sort``), so
    # that a view (the worst courses, say) can be shared; the numbers downloads follow.
    in_url(app, f"{PAGE}-days", "days",
           lambda days: None if days in (None, "", DAYS) else str(_days(days)))  # fmt: skip
    in_url(
        app, f"{PAGE}-sort", "sort", lambda sort: None if _sort(sort) == "people" else _sort(sort)
    )

    funnel = [Output(f"{PAGE}-funnel", "figure"), Output(f"{PAGE}-rates", "figure")]
    connect(app, PAGE, funnel, panels.courses_funnel, Input(f"{PAGE}-sort", "value"))
    connect(app, PAGE, [Output(f"{PAGE}-scores", "figure")], panels.courses_scores)
    connect(app, PAGE, [Output(f"{PAGE}-time", "figure")], panels.courses_time)
    connect(
        app,
        PAGE,
        [Output(f"{PAGE}-stalled", "children"), Output(f"{PAGE}-stalled-note", "children")],
        panels.courses_stalled,
        Input(f"{PAGE}-days", "value"),
    )
