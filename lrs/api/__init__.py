"""The non-xAPI HTTP surface under /api/: exports, aggregates, forwarding and sources
admin, OpenAPI.

Every endpoint takes the same HTTP Basic credentials as /xapi/ (the scopes decide what a
credential may do), except the OpenAPI description and its docs page, which are public.
"""

from __future__ import annotations

from flask import Blueprint

from lrs.auth import require_basic_auth

bp = Blueprint("api", __name__, url_prefix="/api")
PUBLIC_ENDPOINTS = frozenset({"api.openapi_json", "api.docs"})
require_basic_auth(bp, public=PUBLIC_ENDPOINTS)

# The endpoint modules register their routes on ``bp`` when imported.
from lrs.api import (  # noqa: E402
    admin,
    aggregates,
    export,
    forwarding,
    openapi,
    persons,
    pull,
    sources,
)

__all__ = ["admin", "aggregates", "bp", "export", "forwarding", "openapi", "persons", "pull",
           "sources"]  # fmt: skip
