"""The Agents resource: GET /xapi/agents?agent= returns a Person (xAPI-Communication 2.4)."""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.auth import current_principal
from lrs.http.context import database
from lrs.http.params import reject_unknown
from lrs.services import activities as service
from lrs.xapi import bp
from lrs.xapi import documents as params


@bp.get("/agents")
def get_agents() -> Response:
    reject_unknown(request.args, {"agent"})
    agent_key, agent = params.agent(request.args)
    return jsonify(service.get_person(database(), current_principal(), agent_key, agent))
