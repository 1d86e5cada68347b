"""What the browser fetches when a page is opened by its address, and how long it keeps it.

A page load runs Dash's scripts, then asks for the layout and the callbacks' list, then
fetches the scripts of the components it draws lazily (the graph, the dropdown, the
Markdown and its code highlighter), then sends the page's callbacks, which
wait for those components. Dash fetches the lazy scripts by a name without a version,
which the browser must ask the server about again on every load (a round trip each,
answered 304), and the asset files under ``assets/`` likewise, the script among them
holding up Dash's own. Here:

- the page's HTML lists the lazy scripts of the components its layout draws, by their
  versioned addresses, which the browser keeps (Dash serves a versioned address with a
  year's ``max-age``); a script run before Dash asks for it is taken as loaded;
- the assets, whose address carries their modification time (``?m=``), are kept a year
  and never asked about again;
- the layout and the callbacks' list are asked for with the HTML (``preload``), while the
  scripts run, instead of after them.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from dash import Dash
from dash.development.base_component import Component
from dash.fingerprint import build_fingerprint
from flask import Flask, Response, request

YEAR = 365 * 24 * 3600

LAZY_SCRIPTS: dict[str, tuple[tuple[str, str], ...]] = {
    # plotly.js itself is an asset (the cartesian bundle), which the graph takes from
    # ``window.Plotly`` instead of fetching the full bundle.
    "Graph": (("dash", "dcc/async-graph.js"),),
    "Dropdown": (("dash", "dcc/async-dropdown.js"),),
    # A Markdown fetches the code highlighter as soon as it is drawn, even without code.
    "Markdown": (("dash", "dcc/async-markdown.js"), ("dash", "dcc/async-highlight.js")),
    "DatePickerSingle": (("dash", "dcc/async-datepicker.js"),),
    "DatePickerRange": (("dash", "dcc/async-datepicker.js"),),
    "Slider": (("dash", "dcc/async-slider.js"),),
    "RangeSlider": (("dash", "dcc/async-slider.js"),),
    "Upload": (("dash", "dcc/async-upload.js"),),
}
"""The scripts Dash's core components fetch when first drawn, by component type: the
webpack chunks of the component (by their path in the package ``dash``)."""


class PageLoadDash(Dash):
    """Dash whose HTML lists the lazy scripts of the page asked for and preloads the
    layout and the callbacks' list (see the module's docstring)."""

    def interpolate_index(
        self, metas: Any = "", title: Any = "", css: Any = "", config: Any = "",
        scripts: Any = "", app_entry: Any = "", favicon: Any = "", renderer: Any = "",
    ) -> Any:  # fmt: skip
        prefix = self.config.requests_pathname_prefix
        preloads = "".join(
            f'<link rel="preload" href="{prefix}{name}" as="fetch" crossorigin="anonymous">'
            for name in ("_dash-layout", "_dash-dependencies")
        )
        return super().interpolate_index(
            metas=metas, title=title, css=css + preloads, config=config,
            scripts=scripts + self._lazy_scripts_of(request.path), app_entry=app_entry,
            favicon=favicon, renderer=renderer,
        )  # fmt: skip

    def _lazy_scripts_of(self, pathname: str) -> str:
        """The script tags of the page at ``pathname``, worked out once per page."""
        from dashboards import shell

        page = shell.page_at(pathname)
        key = page["path"] if page is not None else ""
        known: dict[str, str] = self.__dict__.setdefault("_lazy_scripts", {})
        if key not in known:
            trees = [shell.filter_bar()]
            if page is not None:
                trees.append(page["layout"]() if callable(page["layout"]) else page["layout"])
            known[key] = "".join(
                f'<script src="{url}"></script>' for url in lazy_script_urls(self, trees)
            )
        return known[key]


def lazy_script_urls(app: Dash, trees: list[Any]) -> list[str]:
    """The versioned addresses of the lazy scripts of the components in ``trees``."""
    wanted = {script for kind in _component_types(trees) for script in LAZY_SCRIPTS.get(kind, ())}
    prefix = app.config.requests_pathname_prefix
    return [
        f"{prefix}_dash-component-suites/{namespace}/{_fingerprinted(namespace, path)}"
        for namespace, path in sorted(wanted)
    ]


def _component_types(node: Any) -> Iterator[str]:
    """The type of every component in ``node``, children and component props alike."""
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _component_types(child)
    elif isinstance(node, Component):
        yield node._type
        for name in node._prop_names:
            yield from _component_types(getattr(node, name, None))


def _fingerprinted(namespace: str, path: str) -> str:
    """``path`` with the version and modification time Dash puts in its addresses, so
    that it is the address Dash serves with a year's ``max-age``."""
    package = "dash.dcc" if path.startswith("dcc/") else namespace
    version = str(importlib.import_module(package).__version__)
    file = os.path.join(os.path.dirname(str(sys.modules[namespace].__file__)), path)
    versioned: str = build_fingerprint(path, version, int(os.stat(file).st_mtime))
    return versioned


def init_page_load(flask_app: Flask, prefix: str) -> None:
    """Keep the assets (their address carries their modification time) for a year."""
    assets = f"{prefix}assets/"

    @flask_app.after_request
    def _keep_assets(response: Response) -> Response:
        versioned = request.path.startswith(assets) and "m" in request.args
        if versioned and response.status_code in (200, 304):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
