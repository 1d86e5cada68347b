"""Persons over HTTP (scope ``all``): list and search, show, merge, split, undo a merge
and the suggested merges. See ``lrs.services.persons``."""

from __future__ import annotations

from flask import Response, jsonify, request

from lrs.api import bp
from lrs.api.schemas import PersonMerge, PersonSplit, PersonUpdate, load
from lrs.auth import current_principal
from lrs.http.context import database
from lrs.http.json import json_body
from lrs.http.params import non_negative, reject_unknown
from lrs.services import persons


@bp.get("/persons")
def list_persons() -> Response:
    reject_unknown(request.args, ("search", "limit", "offset"))
    found = persons.list_persons(
        database(),
        current_principal(),
        search=request.args.get("search", ""),
        limit=non_negative(request.args.get("limit"), "limit") or 50,
        offset=non_negative(request.args.get("offset"), "offset") or 0,
    )
    return jsonify(found)


@bp.get("/persons/<int:person_id>")
def show_person(person_id: int) -> Response:
    reject_unknown(request.args, ())
    return jsonify(persons.show(database(), current_principal(), person_id))


@bp.patch("/persons/<int:person_id>")
def update_person(person_id: int) -> Response:
    reject_unknown(request.args, ())
    values = load(PersonUpdate(), json_body(request))
    team, clear = values.get("team"), "team" in values and not values["team"]
    return jsonify(
        persons.update(database(), current_principal(), person_id, name=values.get("name"),
                       team=team or None, clear_team=clear)
    )  # fmt: skip


@bp.post("/persons/<int:person_id>/merge")
def merge_person(person_id: int) -> Response:
    reject_unknown(request.args, ())
    other = load(PersonMerge(), json_body(request))["other"]
    return jsonify(persons.merge(database(), current_principal(), person_id, other))


@bp.post("/persons/<int:person_id>/split")
def split_person(person_id: int) -> Response:
    reject_unknown(request.args, ())
    identifiers = load(PersonSplit(), json_body(request))["identifiers"]
    response = jsonify(persons.split(database(), current_principal(), person_id, identifiers))
    response.status_code = 201
    return response


@bp.post("/persons/merges/<int:merge_id>/undo")
def undo_merge(merge_id: int) -> Response:
    reject_unknown(request.args, ())
    response = jsonify(persons.undo(database(), current_principal(), merge_id))
    response.status_code = 201
    return response


@bp.get("/persons/suggestions")
def person_suggestions() -> Response:
    reject_unknown(request.args, ())
    return jsonify(persons.suggest(database(), current_principal()))
