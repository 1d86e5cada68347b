"""Privacy administration over HTTP: POST /api/admin/forget (scope ``all``).

The body is ``{"agent": <Agent>, "dry_run": false}``; the answer is the JSON receipt of
what was (or, in a dry run, would be) removed, per table. See ``lrs.services.privacy``.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.auth import current_principal
from lrs.errors import BadRequest
from lrs.http.context import database
from lrs.http.json import json_body
from lrs.http.params import reject_unknown
from lrs.services import privacy


@bp.post("/admin/forget")
def forget() -> Response:
    reject_unknown(request.args, ())
    if request.mimetype != "application/json":
        raise BadRequest("send the request as application/json", "Content-Type")
    body = json_body(request)
    if not isinstance(body, dict) or "agent" not in body:
        raise BadRequest('the body must be {"agent": <Agent>, "dry_run": <bool>}', "agent")
    reject_unknown(body, ("agent", "dry_run"))
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadRequest("dry_run must be true or false", "dry_run")
    receipt = privacy.forget(database(), current_principal(), body["agent"], dry_run=dry_run)
    return jsonify(receipt.as_json())
