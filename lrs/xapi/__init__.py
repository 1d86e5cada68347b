"""The xAPI HTTP surface: one blueprint, one module per resource, views only."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

# The resource modules register their routes on ``bp`` when imported.
from lrs.xapi import about, statements, versioning  # noqa: E402

__all__ = ["about", "bp", "statements", "versioning"]
