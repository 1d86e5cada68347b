"""People: one person's learning and contribution, both sides summed."""

from __future__ import annotations

from typing import Any

import dash
from dash import Dash, Input, Output, State, dcc, html

from dashboards import panels
from dashboards.callbacks import compare_in_url, drill, in_url
from dashboards.components import compare_switch, page_header, url_store
from lrs.http import context
from lrs.http.access import reader_scope, scoped
from lrs.insight import people as people_queries
from lrs.insight.filters import Filters, compares, encode_query

dash.register_page(__name__, path="/people", name="People", title="People", order=4)

PAGE = "people"


def layout(person: str | None = None, **query: Any) -> html.Div:
    if person:
        query["person"] = person
    return html.Div(
        [
            url_store(f"{PAGE}-person"),
            url_store(f"{PAGE}-timeline-compare"),
            page_header(
                "People",
                "One person's learning (courses) and contribution (knowledge work) over time.",
                PAGE,
                encode_query(query),
            ),
            dcc.Dropdown(
                id=f"{PAGE}-person",
                placeholder="Search a person by name or e-mail…",
                value=person,
                options=[{"label": person, "value": person}] if person else [],
                className="mb-3",
            ),
            compare_switch(
                f"{PAGE}-timeline",
                encode_query(query),
                "compare the timeline with the previous period",
            ),
            html.Div(id=f"{PAGE}-body"),
        ]
    )


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-person", "options"),
        Input(f"{PAGE}-person", "search_value"),
        State(f"{PAGE}-person", "value"),
    )
    def search(text: str | None, chosen: str | None) -> list[dict[str, str]]:
        with context.database().querying() as session:
            scope = reader_scope()
            frame = people_queries.people_options(session, text or "", scope=scope)
            # A name only for a person the reader may see (a forged value shows its key).
            names = people_queries.person_names(session, [chosen], scope) if chosen else {}
        options = [
            {"label": f"{name or key} ({count} statements)", "value": key}
            for key, name, count in frame.itertuples(index=False)
        ]
        if chosen and chosen not in set(frame["actor_key"]):
            options.insert(0, {"label": names.get(chosen, (chosen, None))[0], "value": chosen})
        return options

    in_url(app, f"{PAGE}-person", "person", lambda person: person or None)

    drill(app, PAGE, "people-timeline")
    compare_in_url(app, "people-timeline")

    @app.callback(Output(f"{PAGE}-body", "children"), Input(f"{PAGE}-query", "data"))
    def body(query: str) -> Any:
        filters = scoped(Filters.from_query(query))
        with context.database().querying() as session:
            return panels.person(session, filters, query, compares(query))[0]
