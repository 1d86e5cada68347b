"""Sources: the blogs, wikis, other LRSs and course CSVs the LRS pulls on a schedule —
per source its last and next run, the statements of the last run and in all, and the
last error. Administrators only; sources are added and changed with `lrs sources` or
/api/sources."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html
from flask import g

from dashboards.components import page_header, table
from lrs.http import context
from lrs.services import sources
from lrs.services.principal import OPERATOR

dash.register_page(__name__, path="/sources", name="Sources", title="Sources", order=6)

PAGE = "sources"
COLUMNS = ("name", "kind", "state", "last_run", "next_run", "stored", "skipped", "rejected",
           "stored_in_all", "last_error")  # fmt: skip
REFRESH_MS = 30_000


def layout(**query: Any) -> html.Div:
    return html.Div(
        [
            page_header(
                "Sources",
                "Blogs, wikis, other LRSs and course exports pulled on a schedule: when each "
                "ran, what its last run stored, skipped (already there) and rejected, and "
                "why it failed. Add or change them with `lrs sources` or /api/sources.",
                PAGE,
                "",
            ),
            dcc.Interval(id=f"{PAGE}-refresh", interval=REFRESH_MS),
            html.Div(_body(), id=f"{PAGE}-body"),
        ]
    )


def rows() -> list[dict[str, Any]]:
    """One row a source, as the page shows it."""
    listed = sources.list_sources(context.database(), OPERATOR)
    return [
        {
            "name": source["name"],
            "kind": source["kind"],
            "state": "paused" if not source["active"] else
            "running" if source["running"] else source["last_status"] or "new",
            "last_run": _moment(source["last_finished"]),
            "next_run": _moment(source["next_run"]) if source["active"] else "",
            "stored": source["last_run"]["stored"],
            "skipped": source["last_run"]["skipped"],
            "rejected": source["last_run"]["rejected"],
            "stored_in_all": source["totals"]["stored"],
            "last_error": source["last_error"] or "",
        }
        for source in listed
    ]  # fmt: skip


def _moment(value: str | None) -> str:
    return value[:19].replace("T", " ") + " UTC" if value else ""


def _body() -> Any:
    user = getattr(g, "dashboard_user", None)
    if user is None or not user.is_admin:
        return dbc.Alert("Sources are shown to administrators only.", color="secondary")
    found = rows()
    if not found:
        return dbc.Alert(
            "No sources yet: add one with `lrs sources add blog --url …`.", color="light"
        )
    return table(found, COLUMNS, id=f"{PAGE}-table")


def register_callbacks(app: Dash) -> None:
    @app.callback(
        Output(f"{PAGE}-body", "children"),
        Input(f"{PAGE}-refresh", "n_intervals"),
        prevent_initial_call=True,
    )
    def refresh(_: int | None) -> Any:
        return _body()
