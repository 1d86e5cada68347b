"""Administration of pulled sources (scope ``all``): add, list, show, pause, resume,
run soon and remove. Runs themselves happen in the sources worker, never in a request."""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.api.schemas import SourceInput, load
from lrs.auth import current_principal
from lrs.http.context import current, database
from lrs.http.json import json_body
from lrs.http.params import reject_unknown
from lrs.services import sources


@bp.get("/sources")
def list_sources() -> Response:
    reject_unknown(request.args, ())
    return jsonify(sources.list_sources(database(), current_principal()))


@bp.post("/sources")
def add_source() -> Response:
    reject_unknown(request.args, ())
    values = load(SourceInput(), json_body(request))
    added = sources.add_source(database(), current_principal(), values, box=current().secret_box)
    response = jsonify(added)
    response.status_code = 201
    return response


@bp.get("/sources/<int:source_id>")
def get_source(source_id: int) -> Response:
    reject_unknown(request.args, ())
    return jsonify(sources.get_source(database(), current_principal(), source_id))


@bp.post("/sources/<int:source_id>/pause")
def pause_source(source_id: int) -> Response:
    reject_unknown(request.args, ())
    return jsonify(sources.set_active(database(), current_principal(), source_id, False))


@bp.post("/sources/<int:source_id>/resume")
def resume_source(source_id: int) -> Response:
    reject_unknown(request.args, ())
    return jsonify(sources.set_active(database(), current_principal(), source_id, True))


@bp.post("/sources/<int:source_id>/run")
def run_source(source_id: int) -> Response:
    reject_unknown(request.args, ())
    response = jsonify(sources.run_soon(database(), current_principal(), source_id))
    response.status_code = 202
    return response


@bp.delete("/sources/<int:source_id>")
def remove_source(source_id: int) -> Response:
    reject_unknown(request.args, ())
    sources.remove_source(database(), current_principal(), source_id)
    return Response(status=204)
