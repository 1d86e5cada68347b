"""People: one person's learning and contribution, both sides summed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html
from flask import current_app

from dashboards import figures, queries
from dashboards.components import kpi, page_header, table
from dashboards.filters import Filters, query_values, to_query
from dashboards.shell import LOCATION

dash.register_page(__name__, path="/people", name="People", title="People", order=4)

PAGE = "people"
CARDS = (("formal", "formal statements"), ("informal", "informal statements"),
         ("courses_completed", "courses completed"), ("courses_passed", "courses passed"),
         ("contributions", "contributions"), ("hours_learning", "hours in courses"))  # fmt: skip
RECENT_COLUMNS = ("timestamp", "concept", "activity_name", "source_kind", "score_scaled")


def layout(person: str | None = None, **query: Any) -> html.Div:
    if person:
        query["person"] = person
    return html.Div(
        [
            page_header(
                "People",
                "One person's learning (courses) and contribution (knowledge work) over time.",
                PAGE,
                urlencode(query),
            ),
            dcc.Dropdown(
                id=f"{PAGE}-person",
                placeholder="Search a person by name or e-mail…",
                value=person,
                options=[{"label": person, "value": person}] if person else [],
                className="mb-3",
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
        with current_app.extensions["lrs.database"].reading() as session:
            frame = queries.people_options(session, text or "")
            names = queries.person_names(session, [chosen]) if chosen else {}
        options = [
            {"label": f"{name or key} ({count} statements)", "value": key}
            for key, name, count in frame.itertuples(index=False)
        ]
        if chosen and chosen not in set(frame["actor_key"]):
            options.insert(0, {"label": names.get(chosen, (chosen, None))[0], "value": chosen})
        return options

    @app.callback(
        Output(LOCATION, "search", allow_duplicate=True),
        Input(f"{PAGE}-person", "value"),
        State(LOCATION, "search"),
        prevent_initial_call=True,
    )
    def choose(person: str | None, search: str) -> Any:
        values: dict[str, str | None] = dict(query_values(search))
        values["person"] = person
        new = to_query(values)
        return new if new != (search or "") else dash.no_update

    @app.callback(Output(f"{PAGE}-body", "children"), Input(f"{PAGE}-query", "data"))
    def body(query: str) -> Any:
        filters = Filters.from_query(query)
        person = filters.person
        if not person:
            with current_app.extensions["lrs.database"].reading() as session:
                top = queries.top_people(session, filters, limit=20)
            return _directory(top, query)
        with current_app.extensions["lrs.database"].reading() as session:
            summary = queries.person_summary(session, filters, person)
            timeline = queries.person_timeline(session, filters, person)
            recent = queries.fact_page(session, filters.replace(person=person), 0, 20)
        row = summary.iloc[0]
        cards = [
            kpi(f"{row[key]:.1f}" if key == "hours_learning" else figures.n(row[key]),
                label, f"{PAGE}-kpi-{key}")
            for key, label in CARDS
        ]  # fmt: skip
        score = "—" if row["mean_score"] is None else f"{row['mean_score']:.0%}"
        graph = dcc.Graph(
            id=f"{PAGE}-timeline",
            figure=figures.person_timeline(timeline, str(row["name"])),
            config={"displaylogo": False},
        )
        recent = recent.assign(timestamp=recent["timestamp"].astype(str))
        return html.Div(
            [
                html.H3(f"{row['name']}", className="h5"),
                html.P(f"{figures.n(row['statements'])} statements · mean score {score}",
                       className="text-muted"),
                dbc.Row(cards),
                dbc.Card(dbc.CardBody(graph, className="p-1"), className="mb-3 shadow-sm"),
                html.H4(f"Latest {len(recent)} of {figures.n(row['statements'])} statements",
                        className="h6"),
                table(recent.to_dict("records"), RECENT_COLUMNS, id=f"{PAGE}-recent"),
            ]
        )  # fmt: skip


def _directory(top: Any, query: str) -> Any:
    if top.empty:
        return dbc.Alert("No people yet: send statements with an actor.", color="secondary")
    base = dash.get_relative_path("/people")
    values = query_values(query)
    items = [
        html.Li(
            dcc.Link(
                f"{name} — {figures.n(count)} statements",
                href=base + to_query({**values, "person": key}),
            )
        )
        for key, name, count in top[["actor_key", "name", "statements"]].itertuples(index=False)
    ]
    return html.Div(
        [
            html.P(
                f"Most active {len(top)} of {figures.n(top.attrs['total'])} people; "
                "pick one or search above.",
                className="text-muted",
            ),
            html.Ul(items, id=f"{PAGE}-directory"),
        ]
    )
