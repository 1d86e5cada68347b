"""The Activity Profile and Agent Profile resources: /xapi/activities/profile
(xAPI-Communication 2.7) and /xapi/agents/profile (2.6).

Both are the same document resource keyed by a different owner (an activity or an
agent), so one set of views serves both, registered once per resource.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, request
from werkzeug.datastructures import MultiDict

from lrs.auth import current_principal
from lrs.http.context import database, settings
from lrs.http.params import reject_unknown
from lrs.services import documents as service
from lrs.store.documents import DocumentKey, Kind
from lrs.xapi import bp
from lrs.xapi import documents as params


def _activity_owner(args: MultiDict[str, str]) -> dict[str, str]:
    return {"activity_id": params.activity_id(args)}


def _agent_owner(args: MultiDict[str, str]) -> dict[str, str]:
    return {"agent_key": params.agent(args)[0]}


def _register(
    path: str, kind: Kind, owner_param: str, owner: Callable[..., dict[str, str]]
) -> None:
    single = {owner_param, "profileId"}
    multiple = {owner_param, "since"}

    def key(profile_id: str) -> DocumentKey:
        return DocumentKey(kind=kind, document_id=profile_id, **owner(request.args))

    def single_key() -> DocumentKey:
        reject_unknown(request.args, single)
        return key(params.required(request.args, "profileId"))

    def get_profile() -> Response:
        principal = current_principal()
        if "profileId" in request.args:
            reject_unknown(request.args, single | {"since"})
            found = service.get_document(
                database(), principal, key(params.required(request.args, "profileId"))
            )
            return params.document_response(found)
        reject_unknown(request.args, multiple)
        since = params.since(request.args)
        return params.ids_response(service.list_documents(database(), principal, key(""), since))

    def put_profile() -> Response:
        service.put_document(
            database(), current_principal(), single_key(), params.upload(),
            params.preconditions(), version=g.xapi_version,
            require_precondition=settings().profile_put_needs_precondition,
        )  # fmt: skip
        return params.no_content()

    def post_profile() -> Response:
        service.post_document(
            database(), current_principal(), single_key(), params.upload(), params.preconditions()
        )
        return params.no_content()

    def delete_profile() -> Response:
        service.delete_document(
            database(), current_principal(), single_key(), params.preconditions()
        )
        return params.no_content()

    for method, view in (
        ("GET", get_profile), ("PUT", put_profile), ("POST", post_profile),
        ("DELETE", delete_profile),
    ):  # fmt: skip
        bp.add_url_rule(path, f"{method.lower()}_{kind}", view, methods=[method])


_register("/activities/profile", "activity_profile", "activityId", _activity_owner)
_register("/agents/profile", "agent_profile", "agent", _agent_owner)
