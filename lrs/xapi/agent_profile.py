"""The Agent Profile resource: /xapi/agents/profile (xAPI-Communication 2.6)."""

from __future__ import annotations

from flask import Response, g, request

from lrs.auth import current_principal, database
from lrs.services import documents as service
from lrs.store.documents import DocumentKey
from lrs.xapi import bp
from lrs.xapi import documents as params
from lrs.xapi.parsing import reject_unknown

SINGLE = {"agent", "profileId"}
MULTIPLE = {"agent", "since"}


def _key(profile_id: str) -> DocumentKey:
    return DocumentKey(
        kind="agent_profile",
        agent_key=params.agent(request.args)[0],
        document_id=profile_id,
    )


def _single_key() -> DocumentKey:
    reject_unknown(request.args, SINGLE)
    return _key(params.required(request.args, "profileId"))


@bp.get("/agents/profile")
def get_agent_profile() -> Response:
    principal = current_principal()
    if "profileId" in request.args:
        reject_unknown(request.args, SINGLE | {"since"})
        key = _key(params.required(request.args, "profileId"))
        return params.document_response(service.get_document(database(), principal, key))
    reject_unknown(request.args, MULTIPLE)
    since = params.since(request.args)
    return params.ids_response(service.list_documents(database(), principal, _key(""), since))


@bp.put("/agents/profile")
def put_agent_profile() -> Response:
    service.put_document(
        database(), current_principal(), _single_key(), params.upload(), params.preconditions(),
        version=g.xapi_version,
    )  # fmt: skip
    return params.no_content()


@bp.post("/agents/profile")
def post_agent_profile() -> Response:
    service.post_document(
        database(), current_principal(), _single_key(), params.upload(), params.preconditions()
    )
    return params.no_content()


@bp.delete("/agents/profile")
def delete_agent_profile() -> Response:
    service.delete_document(database(), current_principal(), _single_key(), params.preconditions())
    return params.no_content()
