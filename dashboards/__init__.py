"""The Dash dashboards, mounted on the LRS's Flask server at ``/dashboards/``.

``init_dashboards(flask_app)`` is the only entry point; importing this package has no
side effects. Pages live in ``pages/`` (one module a page: ``layout`` plus
``register_callbacks(app)``), each chart's callback calls a panel (``panels``), which
reads the read side's registry (``lrs.insight.registry``) and draws with ``figures``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

from lrs.http import context

HERE = Path(__file__).resolve().parent
PAGES_FOLDER = HERE / "pages"
ASSETS_FOLDER = HERE / "assets"


def init_dashboards(flask_app: Flask) -> None:
    """Create the one Dash app of this Flask app, with its pages, callbacks and export."""
    import dash

    from dashboards import export, figures, guard, numbers, page_load, shell

    # Dash keeps pages in a process-wide registry: start from a clean one so that the
    # factory can build several apps in one process (tests) without stale pages.
    dash._pages.PAGE_REGISTRY.clear()
    figures.use_theme()
    app = page_load.PageLoadDash(
        __name__,
        server=flask_app,  # type: ignore[arg-type]  # Dash accepts a Flask app here
        url_base_pathname="/dashboards/",
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="Learning dashboards",
        update_title=None,  # type: ignore[arg-type]  # None: keep the tab title steady
        compress=False,
    )
    app.layout = shell.layout
    shell.register_callbacks(app)
    for page in dash.page_registry.values():
        sys.modules[page["module"]].register_callbacks(app)
    page_load.init_page_load(flask_app, app.config.requests_pathname_prefix)
    export.init_export(flask_app)
    numbers.init_numbers(flask_app)
    guard.init_guard(flask_app, app)
    context.of(flask_app).dashboards = app
    _wire_now(flask_app)


def _wire_now(flask_app: Flask) -> None:
    """Run Dash's first-request wiring here, in the factory, once per process.

    Dash registers the paths of its scripts (React, the renderer, every component
    library) and its page router from ``before_request`` hooks that mark themselves done
    *before* they finish: with threaded workers, a request arriving while the first one
    was still wiring found React unregistered and got a 500 ``DependencyException`` (a
    blank page). Done before the first request, every worker serves every file at once.
    """
    with flask_app.test_request_context("/dashboards/"):
        for hook in list(flask_app.before_request_funcs.get(None, [])):
            if getattr(hook, "__module__", "").partition(".")[0] == "dash":
                hook()
