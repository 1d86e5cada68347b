"""The layout of a page load holds the page it is asked from (its referrer), so that
Dash's router need not be called before the page's own callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboards.shell import PAGES
from tests.dashboards.test_hostile_filters import HOSTILE


def _components(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _components(child)
    elif isinstance(node, dict) and "props" in node:
        yield node
        yield from _components(node["props"].get("children"))


def _layout(client: FlaskClient, referrer: str | None) -> dict[str, dict[str, Any]]:
    headers = {"Referer": referrer} if referrer is not None else {}
    response = client.get("/dashboards/_dash-layout", headers=headers)
    assert response.status_code == 200
    return {
        str(node["props"]["id"]): node["props"]
        for node in _components(response.get_json())
        if isinstance(node["props"].get("id"), str)
    }


def test_the_layout_holds_the_page_it_is_asked_from(signed_in: FlaskClient) -> None:
    shown = _layout(signed_in, "http://localhost/dashboards/experts?topic=glaze&range=90d")
    # The location already says where the browser is: it reports no change when drawn,
    # so the router is not called; the page's callbacks start with the layout.
    location = shown["_pages_location"]
    assert (location["pathname"], location["search"]) == (
        "/dashboards/experts", "?topic=glaze&range=90d",
    )  # fmt: skip
    assert "href" not in location and "hash" not in location
    assert shown["experts-topic"]["value"] == "glaze"
    assert shown["experts-query"]["data"] == "topic=glaze&range=90d"
    assert shown["_pages_store"]["data"] == {"title": "Who knows"}

    overview = _layout(signed_in, "http://localhost/dashboards/")
    assert overview["_pages_location"]["pathname"] == "/dashboards/"
    assert "overview-query" in overview


@pytest.mark.parametrize(
    "referrer",
    [
        None,  # a browser or proxy that sends no referrer
        "",
        "http://elsewhere.example/dashboards/experts?topic=glaze",  # another site
        "http://localhost/dashboards/no-such-page",
        "http://localhost/xapi/statements",
        "http://localhost/dashboardsx/experts",
        "not a url at all",
    ],
)
def test_otherwise_the_router_draws_the_page(signed_in: FlaskClient, referrer: str | None) -> None:
    shown = _layout(signed_in, referrer)
    location = shown["_pages_location"]
    assert "pathname" not in location and "search" not in location
    assert not shown["_pages_content"].get("children")


def test_odd_queries_draw_the_page_as_the_router_would(signed_in: FlaskClient) -> None:
    # A repeated parameter reaches the page as a list, as from the router; the page
    # takes only text.
    shown = _layout(signed_in, "http://localhost/dashboards/experts?topic=a&topic=b&%00=%ff")
    assert shown["experts-topic"]["value"] == ""
    assert shown["_pages_location"]["search"] == "?topic=a&topic=b&%00=%ff"


def test_the_frame_comes_filled_for_the_page(signed_in: FlaskClient) -> None:
    """The filter bar, the links and the filters in words come with the layout, as the
    frame's callbacks would answer them: those are not called on the page load."""
    shown = _layout(signed_in, "http://localhost/dashboards/knowledge?range=90d&kind=formal")
    assert shown["filter-range"]["value"] == "90d"
    assert shown["filter-kind"]["value"] == "formal"
    assert shown["filter-team"]["value"] == "all"
    assert shown["filter-from"].get("value") is None
    assert shown["filter-team"]["options"][0] == {"label": "All", "value": "all"}
    assert shown["filter-choices-sent"]["data"] is True
    assert shown["nav-courses"]["href"] == "/dashboards/courses?range=90d&kind=formal"
    assert shown["nav-knowledge"]["active"] is True and shown["nav-courses"]["active"] is False
    assert shown["filter-note"]["children"].startswith("Showing ")
    assert "formal" in shown["filter-note"]["children"]

    # From elsewhere, the router and the frame's callbacks fill them as on a navigation.
    bare = _layout(signed_in, None)
    assert bare["filter-choices-sent"]["data"] is False
    assert bare["filter-team"]["options"] == [{"label": "All", "value": "all"}]
    assert not bare["filter-note"].get("children")


def test_a_filter_the_reader_cannot_choose_is_left_to_the_callbacks(
    signed_in: FlaskClient,
) -> None:
    # No such team: the callbacks set it back to "All" and take it out of the URL.
    shown = _layout(signed_in, "http://localhost/dashboards/knowledge?team=Nowhere")
    assert "pathname" not in shown["_pages_location"]
    assert shown["filter-choices-sent"]["data"] is False


@pytest.mark.parametrize("path", [path for _, _, path in PAGES])
def test_a_hostile_address_never_gives_a_500(signed_in: FlaskClient, path: str) -> None:
    """The referrer's query reaches the page's layout and the frame: each hostile search
    the callbacks survive is drawn (through the router when the layout cannot hold it)."""
    for search in HOSTILE:
        _layout(signed_in, f"http://localhost/dashboards{path}{search}")
