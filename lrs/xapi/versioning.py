"""X-Experience-API-Version negotiation and the headers every xAPI response carries."""

from __future__ import annotations

import datetime as dt
import re

from flask import Response, g, request

from lrs.errors import BadRequest
from lrs.http import context
from lrs.http.request import current_request
from lrs.xapi import bp

SUPPORTED = ("1.0.3", "2.0.0")
# Requests without a usable version header are answered in the newest version.
NEWEST = "2.0.0"
_VERSION = re.compile(r"^(1\.0|2\.0)(\.\d+)?$")
VERSION_FREE_ENDPOINTS = frozenset({"xapi.about"})


def negotiate(header: str | None) -> str:
    """The rules version ("1.0.3" or "2.0.0") a request's header asks for; 400 otherwise."""
    if header is None:
        raise BadRequest(
            "the X-Experience-API-Version header is required", "X-Experience-API-Version"
        )
    match = _VERSION.match(header.strip())
    if match is None:
        raise BadRequest(
            f"X-Experience-API-Version {header!r} is not supported; use 1.0.x or 2.0.x",
            "X-Experience-API-Version",
        )
    return "1.0.3" if match.group(1) == "1.0" else "2.0.0"


@bp.before_request
def _require_version() -> None:
    g.xapi_version = NEWEST
    if request.method == "OPTIONS":
        return
    alternate = current_request().alternate
    if alternate is not None and alternate.error:
        raise BadRequest(alternate.error, "method")
    _negotiate_version()


def _negotiate_version() -> None:
    client = request.authorization.username if request.authorization else None
    spoken = context.current().spoken_versions
    try:
        g.xapi_version = negotiate(request.headers.get("X-Experience-API-Version"))
    except BadRequest:
        # A request without a usable header is answered in the version this client
        # spoke last, so that its error is reported in a version it understands.
        g.xapi_version = spoken.get(client or "", NEWEST)
        if request.endpoint in VERSION_FREE_ENDPOINTS:
            return  # the About resource answers any client, whatever version it speaks
        raise
    if client:
        spoken.remember(client, g.xapi_version)
    if current_request().alternate is not None and g.xapi_version == "2.0.0":
        # xAPI 2.0 removed the alternate request syntax (IEEE 9274.1.1, 4.1.3).
        raise BadRequest(
            "the alternate request syntax (?method=) is not part of xAPI 2.0", "method"
        )


@bp.after_app_request
def _xapi_headers(response: Response) -> Response:
    if request.path.startswith(bp.url_prefix or "/xapi"):
        response.headers["X-Experience-API-Version"] = g.get("xapi_version", NEWEST)
        response.headers["X-Experience-API-Consistent-Through"] = consistent_through()
    return response


def consistent_through() -> str:
    # A statement query says through when the database that answered it (a read replica
    # may lag) saw every statement. Elsewhere the primary answered, where every statement
    # is visible once its POST has returned (the insert commits before the response), so
    # "now" is consistent. isoformat truncates: the header never promises a later instant.
    instant: dt.datetime = g.get("consistent_through") or dt.datetime.now(dt.UTC)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")
