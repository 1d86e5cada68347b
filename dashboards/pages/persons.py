"""Persons: search the persons behind the statements, see each one's identifiers and how
many statements each identifier acted, merge persons into one and undo the merge.
Administrators only; the same as `lrs persons` and /api/persons."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html
from flask import g

from dashboards.components import page_header, table
from lrs.errors import LRSError
from lrs.http import context
from lrs.services import persons
from lrs.services.principal import Principal

dash.register_page(__name__, path="/persons", name="Persons", title="Persons", order=7)

PAGE = "persons"
COLUMNS = ("id", "name", "team", "statements", "identifiers")
LIMIT = 50


def _admin() -> Principal | None:
    """The signed-in administrator as the principal of the changes (named in the audit
    trail), or None."""
    user = getattr(g, "dashboard_user", None)
    if user is None or not user.is_admin:
        return None
    return Principal(0, "", f"dashboard user {user.username}", frozenset({"all"}), {}, "")


def layout(**query: Any) -> html.Div:
    if _admin() is None:
        return html.Div(
            [page_header("Persons", "", PAGE, ""),
             dbc.Alert("Persons are shown to administrators only.", color="secondary")]
        )  # fmt: skip
    return html.Div(
        [
            page_header(
                "Persons",
                "One human may reach the store under several identifiers (an LMS account, "
                "a blog's e-mail, a wiki account, a phone app's hashed e-mail). Find them, "
                "pick the person to keep and the ones to merge into it: the dashboards then "
                "count one person. A merge can be undone.",
                PAGE,
                "",
            ),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=f"{PAGE}-search",
                        placeholder="name, team or identifier",
                        type="search",
                        debounce=True,
                    ),
                    dbc.Button("Search", id=f"{PAGE}-find", color="primary"),
                ],
                className="mb-2",
            ),
            html.Div(id=f"{PAGE}-results"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Keep", className="fw-bold"),
                            dcc.RadioItems(id=f"{PAGE}-keep", options=[]),
                        ],
                        md=6,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Merge into it", className="fw-bold"),
                            dcc.Checklist(id=f"{PAGE}-others", options=[]),
                        ],
                        md=6,
                    ),
                ],
                className="mb-2",
            ),
            dbc.Button("Merge", id=f"{PAGE}-merge", color="warning", className="me-2"),
            dbc.Button("Undo", id=f"{PAGE}-undo", color="secondary", disabled=True),
            html.Div(id=f"{PAGE}-message", className="mt-2"),
            dcc.Store(id=f"{PAGE}-merges", data=[]),
        ]
    )


def _label(person: dict[str, Any]) -> str:
    return f"{person['name'] or '(no name)'} · #{person['id']} · {person['statements']} statements"


def _identifiers(person: dict[str, Any]) -> str:
    return "; ".join(f"{i['key']} ({i['statements']})" for i in person["identifiers"])


def search(text: str, principal: Principal) -> list[dict[str, Any]]:
    return persons.list_persons(context.database(), principal, search=text or "", limit=LIMIT)


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-results", "children"),
        Output(f"{PAGE}-keep", "options"),
        Output(f"{PAGE}-others", "options"),
        Output(f"{PAGE}-others", "value"),
        Input(f"{PAGE}-find", "n_clicks"),
        Input(f"{PAGE}-search", "value"),
        Input(f"{PAGE}-merges", "data"),
        prevent_initial_call=True,
    )
    def find(_: int | None, text: str | None, __: Any) -> Any:
        principal = _admin()
        if principal is None:
            return dbc.Alert("Administrators only.", color="secondary"), [], [], []
        found = search(text or "", principal)
        rows = [{**p, "identifiers": _identifiers(p)} for p in found]
        options = [{"label": _label(p), "value": p["id"]} for p in found]
        return table(rows, COLUMNS, id=f"{PAGE}-table"), options, options, []

    @app.callback(
        Output(f"{PAGE}-merges", "data"),
        Output(f"{PAGE}-message", "children"),
        Output(f"{PAGE}-undo", "disabled"),
        Input(f"{PAGE}-merge", "n_clicks"),
        Input(f"{PAGE}-undo", "n_clicks"),
        State(f"{PAGE}-keep", "value"),
        State(f"{PAGE}-others", "value"),
        State(f"{PAGE}-merges", "data"),
        prevent_initial_call=True,
    )
    def change(_: Any, __: Any, keep: int | None, others: list[int] | None,
               merges: list[int] | None) -> Any:  # fmt: skip
        principal = _admin()
        if principal is None:
            return [], dbc.Alert("Administrators only.", color="secondary"), True
        try:
            if ctx.triggered_id == f"{PAGE}-undo":
                return _undo(merges or [], principal)
            return _merge(keep, [o for o in others or [] if o != keep], principal)
        except LRSError as error:
            return merges or [], dbc.Alert(error.message, color="danger"), not merges


def _merge(keep: int | None, others: list[int], principal: Principal) -> Any:
    if keep is None or not others:
        return [], dbc.Alert("Pick a person to keep and at least one to merge.",
                             color="warning"), True  # fmt: skip
    database = context.database()
    merged: dict[str, Any] = {}
    for other in others:
        merged = persons.merge(database, principal, keep, other)
    merge_ids = [c["id"] for c in merged["changes"][: len(others)]]
    message = dbc.Alert(
        [html.Span(f"Merged into {merged['name'] or '#' + str(keep)}: "),
         html.Span(f"{merged['statements']} statements", id=f"{PAGE}-merged-statements"),
         html.Span(f" under {len(merged['identifiers'])} identifiers.")],
        color="success",
    )  # fmt: skip
    return merge_ids, message, False


def _undo(merges: list[int], principal: Principal) -> Any:
    database = context.database()
    for merge_id in merges:
        persons.undo(database, principal, merge_id)
    message = dbc.Alert(f"Undone: {len(merges)} merge(s) split off again.", color="info",
                        id=f"{PAGE}-undone")  # fmt: skip
    return [], message, True
