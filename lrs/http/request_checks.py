"""Checks every request passes before any view, login guard or authentication sees it.

* A URL (path and query) longer than ``LRS_MAX_URL_BYTES`` gets 414. `lrs serve` lets
  gunicorn take request lines of any length, so that this answer, in the one error shape,
  is the only one a client gets for a long URL.
* The NUL character (U+0000) gets 400 naming where it is, in a query parameter or form
  field (name or value; a multipart/form-data form only outside /xapi/, where a body of
  that type may be a document to keep as sent) and in a JSON body outside /xapi/
  (forwarding rules, erasure, aggregates); Basic credentials holding it get 401.
  PostgreSQL can keep it neither in text nor in JSONB: refusing it here makes both
  databases behave alike for every resource. Statements are checked by
  ``statements.validate`` (400 naming the JSON path); xAPI documents are stored as bytes
  and keep it, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import orjson
from flask import Flask, request

from lrs.errors import BadRequest, Unauthorized, UriTooLong
from statements.validate import NUL_MESSAGE, nul_path

_FORM = "application/x-www-form-urlencoded"
_MULTIPART_FORM = "multipart/form-data"


def init_request_checks(app: Flask, max_url_bytes: int) -> None:
    """Run the checks first, before every other ``before_request`` function of ``app``."""

    def _check() -> None:
        environ = request.environ
        length = len(environ.get("PATH_INFO", ""))
        if getattr(request, "alternate", None) is None:  # else its query came in the body
            length += len(environ.get("QUERY_STRING", ""))
        if length > max_url_bytes:
            raise UriTooLong(
                f"the URL is {length} bytes long; at most {max_url_bytes} are accepted "
                "(LRS_MAX_URL_BYTES). Send long xAPI queries with the alternate request "
                "syntax (POST with method=GET) instead."
            )
        _refuse_nul(request.args.items(multi=True), "parameter")
        if request.mimetype == _FORM or (
            request.mimetype == _MULTIPART_FORM and not request.path.startswith("/xapi/")
        ):
            _refuse_nul(request.form.items(multi=True), "form field")
        elif request.mimetype == "application/json" and not request.path.startswith("/xapi/"):
            _refuse_nul_in_json(request.get_data(cache=True))
        credentials = request.authorization
        if credentials is not None and any(
            "\x00" in (part or "") for part in (credentials.username, credentials.password)
        ):
            raise Unauthorized("the credentials contain the NUL character (U+0000)")

    app.before_request_funcs.setdefault(None, []).insert(0, _check)


def _refuse_nul(pairs: Iterable[tuple[str, str]], what: str) -> None:
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            shown = name.replace("\x00", "\\u0000")
            raise BadRequest(
                f"the {what} {shown} contains the NUL character (U+0000), which is not accepted",
                shown,
            )


def _refuse_nul_in_json(body: bytes) -> None:
    if b"\\u0000" not in body:
        return
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        # orjson refuses an escaped lone surrogate ("\ud800"), which Python's json (Dash's
        # callbacks, Flask's get_json) reads: a NUL beside one must be found all the same.
        try:
            data = json.loads(body)
        except ValueError:
            return  # the view says it is not JSON
    path = nul_path(data)
    if path is not None:
        raise BadRequest(f"{path or 'the body'}: {NUL_MESSAGE}", path)
