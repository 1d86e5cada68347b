"""A page opened by its address: its HTML lists the lazy scripts of what it draws by
their versioned addresses, preloads the layout and the callbacks' list, and every file it
names is kept by the browser without asking the server again."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

SCRIPT = re.compile(r'<script src="(/dashboards/_dash-component-suites/[^"]+)"')
ASSET = re.compile(r'(?:src|href)="(/dashboards/assets/[^"]+)"')
YEAR = "max-age=31536000"


def _lazy(html: str) -> set[str]:
    """The lazy scripts the HTML lists, by name without their version."""
    return {
        re.sub(r"\.v[\w-]+m\d+\.", ".", url.rsplit("/", 1)[1])
        for url in SCRIPT.findall(html)
        if "/async-" in url or "/plotly/" in url
    }


def test_a_page_lists_the_lazy_scripts_of_what_it_draws(signed_in: FlaskClient) -> None:
    knowledge = signed_in.get("/dashboards/knowledge").get_data(as_text=True)
    assert _lazy(knowledge) == {"async-graph.js", "async-dropdown.js", "async-markdown.js",
                                "async-highlight.js"}  # fmt: skip
    # Who knows draws no graph.
    experts = signed_in.get("/dashboards/experts?topic=glaze").get_data(as_text=True)
    assert _lazy(experts) == {"async-dropdown.js", "async-markdown.js", "async-highlight.js"}
    # An address that is no page gets the frame's (the filter bar's dropdowns).
    missing = signed_in.get("/dashboards/no-such-page").get_data(as_text=True)
    assert _lazy(missing) == {"async-dropdown.js"}


def test_the_lazy_scripts_are_kept_a_year(signed_in: FlaskClient) -> None:
    html = signed_in.get("/dashboards/knowledge").get_data(as_text=True)
    lazy = [url for url in SCRIPT.findall(html) if "/async-" in url or "/plotly/" in url]
    assert len(lazy) == 4
    for url in lazy:
        kept = signed_in.get(url)
        assert kept.status_code == 200 and YEAR in kept.headers["Cache-Control"], url
        unversioned = re.sub(r"\.v[\w-]+m\d+\.", ".", url)
        assert kept.data == signed_in.get(unversioned).data, url


def test_the_assets_are_kept_a_year(signed_in: FlaskClient) -> None:
    html = signed_in.get("/dashboards/").get_data(as_text=True)
    assets = ASSET.findall(html)
    assert {a.split("?")[0].rsplit("/", 1)[1] for a in assets} >= {
        "00-bootstrap.min.css", "10-dashboards.css", "20-links.js",
    }  # fmt: skip
    for url in assets:
        assert "?m=" in url
        with signed_in.get(url) as kept:
            assert kept.status_code == 200, url
            assert {"public", YEAR, "immutable"} <= set(kept.headers["Cache-Control"].split(", "))
    # Without its modification time the address may name another version: asked again.
    with signed_in.get(assets[0].split("?")[0]) as plain:
        assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]


def test_the_layout_and_callbacks_are_asked_for_with_the_html(signed_in: FlaskClient) -> None:
    html = signed_in.get("/dashboards/courses").get_data(as_text=True)
    for name in ("_dash-layout", "_dash-dependencies"):
        assert (
            f'<link rel="preload" href="/dashboards/{name}" as="fetch" crossorigin="anonymous">'
            in html
        )
