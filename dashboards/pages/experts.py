"""Who knows about X: type a topic, get the people ranked by evidence (courses passed or
completed on it, posts and pages written or edited on it, comments and replies), each
with the evidence and a link to its statements. The matching rule and the ranking are
written on the page and in docs/pull.md."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html

from dashboards import panels
from dashboards.callbacks import connect, in_url
from dashboards.components import bar_card, markdown_loader, page_header, url_store
from lrs.insight import pull
from lrs.insight.filters import encode_query

dash.register_page(__name__, path="/experts", name="Who knows", title="Who knows", order=6)

PAGE = "experts"
LABELS = {"passed": "a course passed", "completed": "a course completed (no pass)",
          "wrote": "a post, page or question written", "edited": "a page edited",
          "commented": "a comment or reply"}  # fmt: skip
RULE = (
    "A topic is a tag (case aside) when one is called so; otherwise every course, post or "
    "page whose title or tags hold all its words (three letters or more, stop words left "
    "out). Points: "
    + "; ".join(f"{LABELS[k]} {v}" for k, v in pull.WEIGHTS.items())
    + f" (courses and content once each, comments each, up to {pull.COMMENTS_COUNTED} per "
    "post or page). Ties: the most recent evidence first, then the name."
)


def layout(**query: Any) -> html.Div:
    search = encode_query(query)
    topic = query.get("topic") if isinstance(query.get("topic"), str) else ""
    return html.Div(
        [
            markdown_loader(),
            url_store(f"{PAGE}-topic"),
            page_header(
                "Who knows",
                "Type a topic: the people who know about it, ranked by "
                "evidence, each with the evidence.",
                PAGE,
                search,
            ),
            dbc.InputGroup(
                [
                    dbc.InputGroupText("Topic"),
                    dcc.Input(
                        id=f"{PAGE}-topic",
                        type="text",
                        value=topic,
                        debounce=True,
                        placeholder="e.g. glaze, python, customer-success",
                        className="form-control",
                        maxLength=pull.TOPIC_MAX,
                    ),
                ],
                className="mb-2",
            ),
            html.P(RULE, className="small text-muted", id=f"{PAGE}-rule"),
            dbc.Row([bar_card(f"{PAGE}-ranking", query=search)]),
            html.Div(id=f"{PAGE}-people"),
        ]
    )


def register_callbacks(app: Dash) -> None:
    # The topic goes in the URL, so that a ranking can be shared.
    in_url(app, f"{PAGE}-topic", "topic", lambda topic: str(topic).strip() if topic else None)

    connect(
        app,
        PAGE,
        [Output(f"{PAGE}-ranking", "children"), Output(f"{PAGE}-people", "children")],
        panels.experts_ranking,
        Input(f"{PAGE}-topic", "value"),
    )
