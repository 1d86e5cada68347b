"""The non-xAPI HTTP surface under /api/: exports, aggregates, forwarding and sources
admin, OpenAPI.

Every endpoint takes the same HTTP Basic credentials as /xapi/ (the scopes decide what a
credential may do), except the OpenAPI description and its docs page, which are public.
"""

from __future__ import annotations

from flask import Blueprint, g, request

from lrs.auth import authenticate

bp = Blueprint("api", __name__, url_prefix="/api")
PUBLIC_ENDPOINTS = frozenset({"api.openapi_json", "api.docs"})


@bp.before_request
def _require_credentials() -> None:
    if request.endpoint not in PUBLIC_ENDPOINTS:
        g.principal = authenticate()


# The endpoint modules register their routes on ``bp`` when imported.
from lrs.api import admin, aggregates, export, forwarding, openapi, sources  # noqa: E402

__all__ = ["admin", "aggregates", "bp", "export", "forwarding", "openapi", "sources"]
