"""Hostile text in the dashboards' filter URLs never gives a 500, on either database.

A page's filters arrive as a URL search string (``?team=…&verb=…``) that Dash callbacks
hand to ``Filters.from_query``; the people and persons pages also send what is typed
in their search boxes. U+0000 percent-encoded in the search string (``%00``, which
PostgreSQL keeps in no text column), lone surrogates sent as JSON escapes (not UTF-8),
invalid UTF-8 bytes, control characters and very long values are left out of the
filters, as any value the filters cannot use; a raw U+0000 in a callback's JSON body is
refused with 400 as in every JSON body, and so is a persons search the store cannot
compare (as on /api/persons). Every callback that reads the URL, a page's filters or a
search box is tried.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.errors import BadRequest
from lrs.insight.filters import PARAMETERS, Filters, to_query
from lrs.services import users
from lrs.store.engine import Database
from tests.helpers import assert_error, dashboards_sign_in
from tests.security.inputs import EXAMPLES

PASSWORD = "correct horse"
HOSTILE = [
    "?team=a%00b",
    "?verb=%00&person=%00%00",
    "?activity=\ud800",
    "?platform=%ed%a0%80",  # an encoded surrogate: not UTF-8
    "?kind=%ff%fe&range=%c0%af",
    "?team=\x01\x1f\x7f",
    "?person=" + "x" * 5000,
    "?from=0000-01-01&to=9999-99-99",
    "?from=2026-01-01T00:00:00%00",
    "?\ud800=1&team=%00",
]
_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_TEXT = st.text(
    st.characters(codec=None, categories=["L", "N", "P", "S", "Z", "Cc", "Cs"]), max_size=30
)
_ENCODED = st.binary(max_size=12).map(lambda raw: quote(raw, safe=""))
_SEARCH = st.lists(
    st.tuples(st.sampled_from(PARAMETERS) | _TEXT, _TEXT | _ENCODED), min_size=1, max_size=4
).map(lambda pairs: "?" + "&".join(f"{name}={value}" for name, value in pairs))


def _clean(text: str) -> bool:
    """No U+0000 and no lone surrogate."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _reads_the_url(item: dict[str, Any]) -> bool:
    """The URL's search string, a page's filters, or a search box's text."""
    return (
        item["id"].endswith("-query")
        or item["property"] in ("search", "search_value")
        or (item["id"].endswith("-search") and item["property"] == "value")
    )


@pytest.fixture
def callbacks(client: FlaskClient, database: Database) -> list[dict[str, Any]]:
    """The signed-in client's callbacks that read the URL or a page's filters."""
    users.create(database, username="admin", password=PASSWORD, role="admin")
    dashboards_sign_in(client, "admin", PASSWORD)
    found = [
        dependency
        for dependency in client.get("/dashboards/_dash-dependencies").get_json()
        if any(_reads_the_url(item) for item in dependency["inputs"] + dependency["state"])
    ]
    assert len(found) > 20  # every page's panels, the filter bar, the router, the search box
    return found


def _outputs(spec: str) -> Any:
    if spec.startswith(".."):
        return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                for part in spec[2:-2].split("...")]  # fmt: skip
    return dict(zip(("id", "property"), spec.rsplit(".", 1), strict=True))


def _call(client: FlaskClient, dependency: dict[str, Any], search: str) -> Any:
    def value(item: dict[str, Any]) -> Any:
        if _reads_the_url(item):
            return search
        return "/dashboards/explorer" if item["property"] == "pathname" else None

    body = {
        "output": dependency["output"],
        "outputs": _outputs(dependency["output"]),
        "inputs": [{**item, "value": value(item)} for item in dependency["inputs"]],
        "state": [{**item, "value": value(item)} for item in dependency["state"]],
        "changedPropIds": [],
    }
    return client.post(
        "/dashboards/_dash-update-component",
        data=json.dumps(body),  # lone surrogates go as JSON escapes, as a browser sends them
        content_type="application/json",
    )


def _answered(response: Any, search: str, dependency: dict[str, Any]) -> None:
    persons_search = dependency["output"].startswith("..persons-")
    if "\x00" in search:  # a raw U+0000 in a JSON body: refused like in every JSON body
        assert_error(response, 400)
    elif persons_search and not _clean(search):
        assert_error(response, 400, "search")
    else:
        assert response.status_code in (200, 204), response.get_data(as_text=True)[:500]


def test_every_callback_survives_known_hostile_searches(
    client: FlaskClient, callbacks: list[dict[str, Any]], seeded: dict[str, Any]
) -> None:
    for dependency in callbacks:
        for search in HOSTILE:
            _answered(_call(client, dependency, search), search, dependency)


@_SETTINGS
@given(search=_SEARCH, index=st.integers(min_value=0))
def test_any_search_string_never_gives_a_500(
    client: FlaskClient, callbacks: list[dict[str, Any]], search: str, index: int
) -> None:
    dependency = callbacks[index % len(callbacks)]
    _answered(_call(client, dependency, search), search, dependency)


@_SETTINGS
@given(search=_SEARCH)
def test_filters_keep_only_text_the_databases_can_compare(search: str) -> None:
    """``from_query`` leaves out U+0000 and what is not UTF-8; ``to_query`` never writes
    them; ``parse`` (the API) refuses them naming the parameter."""
    filters = Filters.from_query(search)
    for value in filters.described().values():
        assert value is None or _clean(value)
    query = to_query({k: v for k, v in filters.described().items() if k in PARAMETERS})
    assert _clean(query)
    assert _clean(to_query(dict.fromkeys(PARAMETERS, search)))


def test_the_api_refuses_what_the_dashboards_leave_out() -> None:
    assert Filters.from_query("?team=a%00b&verb=\ud800") == Filters()
    for name, value in (("team", "a\x00b"), ("verb", "\ud800"), ("person", "x\x00")):
        with pytest.raises(BadRequest) as refused:
            Filters.parse({name: value})
        assert refused.value.status == 400 and refused.value.path == name


# Clicks arrive from the browser as JSON any client can forge.
CLICKS: list[Any] = [
    "garbage", 12, {"points": "x"}, {"points": [1]}, {"points": [None]},
    {"points": [{"curveNumber": "0", "x": "not a date"}]},
    {"points": [{"curveNumber": 99, "x": "2026-13-45", "customdata": "team=%00"}]},
    {"points": [{"curveNumber": -5, "x": 20260101, "y": {"a": 1}, "customdata": ["x"]}]},
    {"points": [{"curveNumber": 0, "label": ["formal"], "x": "2026-01-01\ud800"}]},
]  # fmt: skip
FIGURES: list[Any] = [
    None, "x", {"data": "x"}, {"data": [1, None]},
    {"data": [{"name": "formal"}], "layout": "x"},
    {"data": [{"type": "pie", "name": ["x"]}], "layout": {"yaxis": "week"}},
]  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_POINT = st.fixed_dictionaries(
    {},
    optional={
        "curveNumber": _JSON | st.integers(-2, 3), "x": _JSON | st.dates().map(str),
        "y": _JSON, "label": _JSON, "customdata": _JSON | _SEARCH.map(lambda q: q[1:]),
    },
)  # fmt: skip


@pytest.fixture
def clicks(client: FlaskClient, database: Database) -> list[dict[str, Any]]:
    """The signed-in client's callbacks that a click on a chart starts."""
    users.create(database, username="admin", password=PASSWORD, role="admin")
    dashboards_sign_in(client, "admin", PASSWORD)
    found = [
        dependency
        for dependency in client.get("/dashboards/_dash-dependencies").get_json()
        if any(item["property"] == "clickData" for item in dependency["inputs"])
    ]
    assert len(found) > 10  # a drill-down on every chart of every page
    return found


def _click(client: FlaskClient, dependency: dict[str, Any], click: Any, figure: Any) -> Any:
    def value(item: dict[str, Any]) -> Any:
        return {"clickData": click, "figure": figure, "pathname": "/dashboards/overview"}.get(
            item["property"], "?range=90d"
        )

    body = {
        "output": dependency["output"],
        "outputs": _outputs(dependency["output"]),
        "inputs": [{**item, "value": value(item)} for item in dependency["inputs"]],
        "state": [{**item, "value": value(item)} for item in dependency["state"]],
        "changedPropIds": [item["id"] + ".clickData" for item in dependency["inputs"]],
    }
    return client.post(
        "/dashboards/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_every_chart_survives_forged_clicks(
    client: FlaskClient, clicks: list[dict[str, Any]]
) -> None:
    for dependency in clicks:
        for click in CLICKS:
            for figure in FIGURES:
                response = _click(client, dependency, click, figure)
                assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]


@_SETTINGS
@given(points=st.lists(_POINT, max_size=2), figure=_JSON, index=st.integers(min_value=0))
def test_any_click_never_gives_a_500(
    client: FlaskClient,
    clicks: list[dict[str, Any]],
    points: list[Any],
    figure: Any,
    index: int,
) -> None:
    dependency = clicks[index % len(clicks)]
    response = _click(client, dependency, {"points": points}, figure)
    if _holds_nul([points, figure]) and response.status_code == 400:
        assert_error(response, 400)  # a U+0000 in a JSON string is refused as in every body
    else:
        assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]


def _holds_nul(value: Any) -> bool:
    """A U+0000 in any string or key of ``value``."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False
