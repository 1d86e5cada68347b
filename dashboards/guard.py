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

import json
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


# The keys of pattern-matching ids (by their ``type``) and the kind of each: the
# callback reads the triggered component's id (``changedPropIds``).
PATTERN_KEYS: Mapping[str, Mapping[str, Kind]] = {"explorer-open": {"seq": _row_id}}


def kind_of(component: Any, prop: str) -> Kind | None:
    """The rule for ``component``'s ``prop`` (a pattern-matching id by its ``type``)."""
    name = component.get("type", "") if isinstance(component, dict) else str(component)
    for pattern, props, kind in RULES:
        if re.fullmatch(pattern, name) and re.fullmatch(props, prop):
            return kind
    return None


def init_guard(flask_app: Flask, app: Dash) -> None:
    """Check every callback request of ``app`` before Dash runs it, after sign-in (the
    check wraps Dash's view, which runs after every ``before_request`` hook)."""
    endpoint = next(r.endpoint for r in flask_app.url_map.iter_rules() if r.rule == UPDATE_PATH)
    dispatch = flask_app.view_functions[endpoint]

    def checked(*args: Any, **kwargs: Any) -> Any:
        check_envelope(app.callback_map, request.get_json(silent=True))
        return dispatch(*args, **kwargs)

    flask_app.view_functions[endpoint] = checked

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
    for index, prop_id in enumerate(changed):
        if prop_id.startswith("{"):
            _check_pattern_id(prop_id.rpartition(".")[0], f"changedPropIds[{index}]")


def _check_pattern_id(component: Any, path: str) -> None:
    """A pattern-matching component's id: an object of a known type whose keys are of
    their kinds (a forged one could name any row, or none)."""
    if isinstance(component, str):
        try:
            component = json.loads(component)
        except ValueError:
            raise BadRequest(f"{path} names no component", path) from None
    keys = PATTERN_KEYS.get(str(component.get("type"))) if isinstance(component, dict) else None
    if keys is None or set(component) != {"type", *keys}:
        raise BadRequest(f"{path} names no component of the dashboards", path)
    if not all(kind(component[key]) and component[key] is not None for key, kind in keys.items()):
        raise BadRequest(f"{path} names no component of the dashboards", path)


def _check_values(part: str, declared: list[dict[str, Any]], sent: Any) -> None:
    if not isinstance(sent, list) or len(sent) != len(declared):
        raise BadRequest(f"{part} must list the callback's {len(declared)} values", part)
    for index, (want, item) in enumerate(zip(declared, sent, strict=True)):
        path = f"{part}[{index}]"
        if str(want["id"]).startswith("{"):
            # A pattern-matching input: the list of the components it matches. The
            # callback opens nothing for anything else (tests/dashboards/test_roles.py).
            for one in item if isinstance(item, list) else []:
                _check_item(one, want["property"], path)
                _check_pattern_id(one.get("id"), path)
            continue
        _check_item(item, want["property"], path)
        if item.get("id") != want["id"]:
            raise BadRequest(f"{path} must be the callback's {want['id']}", path)


def _check_item(item: Any, prop: str, path: str) -> None:
    if not isinstance(item, dict) or item.get("property") != prop:
        raise BadRequest(f"{path} must be the callback's {prop}", path)
    component = item.get("id")
    kind = kind_of(component, prop)
    if kind is not None and not kind(item.get("value")):
        raise BadRequest(f"{path} holds a value {prop} cannot have", path)
