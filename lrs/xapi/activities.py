"""The Activities resource: GET /xapi/activities?activityId= (xAPI-Communication 2.5)."""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.auth import current_principal
from lrs.http.context import database
from lrs.http.params import reject_unknown
from lrs.services import activities as service
from lrs.xapi import bp
from lrs.xapi import documents as params


@bp.get("/activities")
def get_activity() -> Response:
    reject_unknown(request.args, {"activityId"})
    activity_id = params.activity_id(request.args)
    return jsonify(service.get_activity(database(), current_principal(), activity_id))
