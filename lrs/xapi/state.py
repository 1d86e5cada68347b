"""The State resource: /xapi/activities/state (xAPI-Communication 2.3)."""

from __future__ import annotations

from flask import Response, g, request

from lrs.auth import current_principal
from lrs.http.context import database
from lrs.http.params import reject_unknown
from lrs.services import documents as service
from lrs.store.documents import DocumentKey
from lrs.xapi import bp
from lrs.xapi import documents as params

SINGLE = {"activityId", "agent", "registration", "stateId"}
MULTIPLE = {"activityId", "agent", "registration", "since"}


def _key(state_id: str) -> DocumentKey:
    agent_key, _ = params.agent(request.args)
    return DocumentKey(
        kind="state",
        activity_id=params.activity_id(request.args),
        agent_key=agent_key,
        registration=params.registration(request.args),
        document_id=state_id,
    )


def _single_key() -> DocumentKey:
    reject_unknown(request.args, SINGLE)
    return _key(params.required(request.args, "stateId"))


@bp.get("/activities/state")
def get_state() -> Response:
    principal = current_principal()
    if "stateId" in request.args:
        reject_unknown(request.args, SINGLE | {"since"})
        key = _key(params.required(request.args, "stateId"))
        return params.document_response(service.get_document(database(), principal, key))
    reject_unknown(request.args, MULTIPLE)
    since = params.since(request.args)
    return params.ids_response(service.list_documents(database(), principal, _key(""), since))


@bp.put("/activities/state")
def put_state() -> Response:
    service.put_document(
        database(), current_principal(), _single_key(), params.upload(), params.preconditions(),
        version=g.xapi_version,
    )  # fmt: skip
    return params.no_content()


@bp.post("/activities/state")
def post_state() -> Response:
    service.post_document(
        database(), current_principal(), _single_key(), params.upload(), params.preconditions()
    )
    return params.no_content()


@bp.delete("/activities/state")
def delete_state() -> Response:
    if "stateId" not in request.args:
        reject_unknown(request.args, MULTIPLE - {"since"})
        service.delete_documents(database(), current_principal(), _key(""))
        return params.no_content()
    service.delete_document(database(), current_principal(), _single_key(), params.preconditions())
    return params.no_content()
