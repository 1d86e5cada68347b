"""The Activity Profile resource: /xapi/activities/profile (xAPI-Communication 2.7)."""

from __future__ import annotations

from flask import Response, g, request

from lrs.auth import current_principal, database
from lrs.services import documents as service
from lrs.store.documents import DocumentKey
from lrs.xapi import bp
from lrs.xapi import documents as params
from lrs.xapi.parsing import reject_unknown

SINGLE = {"activityId", "profileId"}
MULTIPLE = {"activityId", "since"}


def _key(profile_id: str) -> DocumentKey:
    return DocumentKey(
        kind="activity_profile",
        activity_id=params.activity_id(request.args),
        document_id=profile_id,
    )


def _single_key() -> DocumentKey:
    reject_unknown(request.args, SINGLE)
    return _key(params.required(request.args, "profileId"))


@bp.get("/activities/profile")
def get_activity_profile() -> Response:
    principal = current_principal()
    if "profileId" in request.args:
        reject_unknown(request.args, SINGLE | {"since"})
        key = _key(params.required(request.args, "profileId"))
        return params.document_response(service.get_document(database(), principal, key))
    reject_unknown(request.args, MULTIPLE)
    since = params.since(request.args)
    return params.ids_response(service.list_documents(database(), principal, _key(""), since))


@bp.put("/activities/profile")
def put_activity_profile() -> Response:
    service.put_document(
        database(), current_principal(), _single_key(), params.upload(), params.preconditions(),
        version=g.xapi_version,
    )  # fmt: skip
    return params.no_content()


@bp.post("/activities/profile")
def post_activity_profile() -> Response:
    service.post_document(
        database(), current_principal(), _single_key(), params.upload(), params.preconditions()
    )
    return params.no_content()


@bp.delete("/activities/profile")
def delete_activity_profile() -> Response:
    service.delete_document(database(), current_principal(), _single_key(), params.preconditions())
    return params.no_content()
