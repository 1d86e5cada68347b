"""Security headers on every response of the app: xAPI, API, login and dashboards.

The Content-Security-Policy allows scripts and styles from this server only. The one
thing Dash needs beyond that is its inline renderer bootstrap script (and any clientside
callbacks), allowed by hash via ``Dash.csp_hashes()``, never by ``'unsafe-inline'``.
Styles allow ``'unsafe-inline'`` because Dash components and plotly.js set inline style
attributes; scripts never do. Framing is refused (``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``), MIME sniffing is off and no referrer leaves the server: the
browser sends one to the server's own pages only (``same-origin``), where the dashboards
read the page a layout is asked from (``dashboards.shell.page_container``).
"""

from __future__ import annotations

from flask import Flask, Response

from lrs.http import context

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(script_hashes: list[str]) -> str:
    """The policy, with the hashes of the inline scripts the dashboards serve."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _script_hashes() -> list[str]:
    # Computed on first use: Dash knows its inline scripts once every callback is
    # registered, which is after the factory returns.
    wired = context.current()
    if wired.script_hashes is None:
        dash_app = wired.dashboards
        # Dash lists a hash per inline script, the same clientside function once per
        # callback using it: each hash once keeps the header (on every answer) short.
        hashes = dash_app.csp_hashes() if dash_app is not None else []
        wired.script_hashes = list(dict.fromkeys(hashes))
    return wired.script_hashes


def init_security(app: Flask) -> None:
    """Add the security headers to every response of ``app``."""

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in BASE_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(_script_hashes())
        )
        return response
