"""The About resource: versions supported and LRS-wide extensions."""

from __future__ import annotations

from flask import Response, jsonify

from lrs.xapi import bp
from lrs.xapi.versioning import SUPPORTED


@bp.get("/about")
def about() -> Response:
    return jsonify({"version": list(SUPPORTED), "extensions": {}})
