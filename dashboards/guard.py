"""What a browser may send to the dashboards' Dash routes, checked before Dash sees it.

A callback request (``POST _dash-update-component``) names one callback of the app
(``output``) and carries the values of its inputs and states: anyone signed in can
forge one. Dash trusts the envelope, and the callbacks trust the values to be what
their components produce (an unknown output, missing inputs, an object where the page
sends text or a list where a dropdown holds one value failed inside Dash or a callback
as a 500). Here the envelope must be the one the callback declares — the same inputs and
states, in order, each ``{"id", "property", "value"}`` — and each value of the kind its
component produces (``RULES``, which every input of every callback must match: a test
checks it); anything else is 400 in the error shape. A script path Dash has not
registered (``_dash-component-suites``) is 404 instead of Dash's 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, Response, request

from lrs.errors import BadRequest, NotFound
from lrs.http.errors import error_response
from lrs.http.params import MAX_INTEGER

PREFIX = "/dashboards/"
UPDATE_PATH = PREFIX + "_dash-update-component"

Kind = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _row_id(value: Any) -> bool:
    return _count(value) and (value is None or 0 <= value <= MAX_INTEGER)


def _row_ids(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(_row_id(v) for v in value))


def _switch(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _dash_path(value: Any) -> bool:
    # Dash's page router refuses (with a 500) a path outside the app's prefix.
    return isinstance(value, str) and (value + "/").startswith(PREFIX)


def _anything(value: Any) -> bool:
    return True


# (component id, property, kind of value), the first match wins. Stores named *-query
# (a page's filters), *-url (a control's URL) and *-drill (a chart's Explorer link)
# hold query strings and addresses.
RULES: list[tuple[str, str, Kind]] = [
    (r".*", "pathname", _dash_path),
    (r".*", "search|href|hash|search_value", _text),
    (r".*", "n_clicks|n_intervals", _count),
    # A chart's click and figure may be any JSON: the drill-down opens nothing for one it
    # cannot read (tests/dashboards/test_hostile_filters.py).
    (r".*", "clickData|figure", _anything),
    (r".*-(query|url|drill)", "data", _text),
    (r"explorer-page", "data", _count),
    (r"persons-merges", "data", _row_ids),
    (r"_pages_store", "data", _anything),  # Dash's own page store
    (r"filter-choices-sent", "data", _switch),
    (r".*-compare", "value", _switch),
    (r"courses-days", "value", _number),
    (r"persons-keep", "value", _row_id),
    (r"persons-others", "value", _row_ids),
    (r"filter-\w+|courses-sort|experts-topic|next-course|people-person|persons-search"
     r"|convergence-relation", "value", _text),
]  # fmt: skip


def kind_of(component: Any, prop: str) -> Kind | None:
    """The rule for ``component``'s ``prop`` (a pattern-matching id by its ``type``)."""
    name = component.get("type", "") if isinstance(component, dict) else str(component)
    for pattern, props, kind in RULES:
        if re.fullmatch(pattern, name) and re.fullmatch(props, prop):
            return kind
    return None


def init_guard(flask_app: Flask, app: Dash) -> None:
    """Check every callback request of ``app`` before Dash runs it."""

    @flask_app.before_request
    def _check_callback() -> None:
        if request.path == UPDATE_PATH and request.method == "POST":
            check_envelope(app.callback_map, request.get_json(silent=True))

    @flask_app.errorhandler(DependencyException)
    def _unknown_script(error: DependencyException) -> Response:
        return error_response(NotFound.status, NotFound.code, "no such dashboards script")


def check_envelope(callbacks: Mapping[str, Any], body: Any) -> None:
    """400 unless ``body`` calls one of ``callbacks`` with the values it declares."""
    if not isinstance(body, dict):
        raise BadRequest("a callback request is a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise BadRequest("the request names no callback of the dashboards", "output")
    if not isinstance(body.get("outputs"), dict | list):
        raise BadRequest("outputs must be an object or a list of them", "outputs")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadRequest("changedPropIds must be a list of texts", "changedPropIds")
    declared = callbacks[output]
    for part in ("inputs", "state"):
        _check_values(part, declared.get(part, []), body.get(part, []))


def _check_values(part: str, declared: list[dict[str, Any]], sent: Any) -> None:
    if not isinstance(sent, list) or len(sent) != len(declared):
        raise BadRequest(f"{part} must list the callback's {len(declared)} values", part)
    for index, (want, item) in enumerate(zip(declared, sent, strict=True)):
        path = f"{part}[{index}]"
        pattern = str(want["id"]).startswith("{")  # matches any number of components
        items = item if pattern and isinstance(item, list) else [item]
        for one in items:
            if not isinstance(one, dict) or one.get("property") != want["property"]:
                raise BadRequest(f"{path} must be the callback's {want['property']}", path)
            if not pattern and one.get("id") != want["id"]:
                raise BadRequest(f"{path} must be the callback's {want['id']}", path)
            kind = kind_of(one.get("id") if pattern else want["id"], want["property"])
            if kind is not None and not kind(one.get("value")):
                raise BadRequest(f"{path} holds a value {want['property']} cannot have", path)
