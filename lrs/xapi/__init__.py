"""The xAPI HTTP surface: one blueprint, one module per resource, views only."""

from __future__ import annotations

from flask import Blueprint

from lrs.auth import require_basic_auth

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

# The resource modules register their routes on ``bp`` when imported.
from lrs.xapi import (  # noqa: E402
    about,
    activities,
    agents,
    profiles,
    state,
    statements,
    versioning,
)

# After the version negotiation that ``versioning`` registered on import.
require_basic_auth(bp, public=["xapi.about"])

__all__ = [
    "about",
    "activities",
    "agents",
    "bp",
    "profiles",
    "state",
    "statements",
    "versioning",
]
