"""What the State, Activity Profile and Agent Profile resources share: their query
parameters, the precondition headers, the uploaded body, and the shape of responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from flask import Response, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.http import http_date, parse_etags

from lrs.errors import BadRequest
from lrs.http.context import settings
from lrs.http.json import parse_json
from lrs.http.params import uuid_value
from lrs.services.documents import DocumentIds, Preconditions, StoredDocument, Upload
from lrs.services.statement_filters import timestamp
from statements.params import validate_agent, validate_iri

Args = MultiDict[str, str]


def required(args: Args, name: str) -> str:
    """A parameter that must be present and not empty; 400 otherwise."""
    value = args.get(name)
    if not value:
        raise BadRequest(f"the {name} parameter is required", name)
    return value


def activity_id(args: Args) -> str:
    return validate_iri(required(args, "activityId"), "activityId")


def agent(args: Args) -> tuple[str, dict[str, Any]]:
    """The identity key and the JSON of the ``agent`` parameter (an Agent object)."""
    data = parse_json(
        required(args, "agent"), "the agent parameter", settings().max_json_depth, path="agent"
    )
    return validate_agent(data, g.xapi_version, "agent"), data


def registration(args: Args) -> str:
    return uuid_value(args.get("registration"), "registration") or ""


def since(args: Args) -> dt.datetime | None:
    return timestamp(args.get("since"), "since")


def preconditions() -> Preconditions:
    """The ETags named by If-Match / If-None-Match, unquoted; ``*`` stands for any."""
    return Preconditions(
        if_match=_etags(request.headers.get("If-Match")),
        if_none_match=_etags(request.headers.get("If-None-Match")),
    )


def _etags(header: str | None) -> frozenset[str] | None:
    if header is None:
        return None
    etags = parse_etags(header)
    found = set(etags.as_set(include_weak=True))
    return frozenset(found | {"*"} if etags.star_tag else found)


def upload() -> Upload:
    """The request body, byte for byte, with its Content-Type."""
    return Upload(request.get_data(), request.content_type)


def document_response(document: StoredDocument) -> Response:
    response = Response(document.content, content_type=document.content_type)
    response.set_etag(document.etag)
    response.headers["Last-Modified"] = http_date(document.updated)
    return response


def ids_response(documents: DocumentIds) -> Response:
    response = Response(orjson.dumps(documents.ids), mimetype="application/json")
    if documents.updated is not None:
        response.headers["Last-Modified"] = http_date(documents.updated)
    return response


def no_content() -> Response:
    return Response(status=204)
