"""Administration of statement forwarding (scope ``all``): rules, deliveries, replay."""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.api.schemas import RuleInput, load
from lrs.auth import current_principal
from lrs.http.context import current, database
from lrs.http.json import json_body
from lrs.http.params import non_negative, reject_unknown
from lrs.services import forwarding


@bp.get("/forwarding/rules")
def list_rules() -> Response:
    reject_unknown(request.args, ())
    return jsonify(forwarding.list_rules(database(), current_principal()))


@bp.post("/forwarding/rules")
def create_rule() -> Response:
    reject_unknown(request.args, ())
    values = load(RuleInput(), json_body(request))
    created = forwarding.create_rule(
        database(), current_principal(), values, box=current().secret_box
    )
    response = jsonify(created)
    response.status_code = 201
    return response


@bp.get("/forwarding/rules/<int:rule_id>")
def get_rule(rule_id: int) -> Response:
    reject_unknown(request.args, ())
    return jsonify(forwarding.get_rule(database(), current_principal(), rule_id))


@bp.put("/forwarding/rules/<int:rule_id>")
def update_rule(rule_id: int) -> Response:
    reject_unknown(request.args, ())
    values = load(RuleInput(), json_body(request), partial=True)
    updated = forwarding.update_rule(
        database(), current_principal(), rule_id, values, box=current().secret_box
    )
    return jsonify(updated)


@bp.delete("/forwarding/rules/<int:rule_id>")
def delete_rule(rule_id: int) -> Response:
    reject_unknown(request.args, ())
    forwarding.remove_rule(database(), current_principal(), rule_id)
    return Response(status=204)


@bp.get("/forwarding/deliveries")
def list_deliveries() -> Response:
    reject_unknown(request.args, ("status", "rule_id", "limit"))
    found = forwarding.list_deliveries(
        database(),
        current_principal(),
        status=request.args.get("status"),
        rule_id=non_negative(request.args.get("rule_id"), "rule_id"),
        limit=min(non_negative(request.args.get("limit"), "limit") or 100, 1000),
    )
    return jsonify(found)


@bp.post("/forwarding/deliveries/<int:delivery_id>/replay")
def replay_delivery(delivery_id: int) -> Response:
    reject_unknown(request.args, ())
    replayed = forwarding.replay(database(), current_principal(), delivery_id)
    return jsonify({"replayed": replayed})
