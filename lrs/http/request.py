"""The request class of the app: request bodies within LRS_MAX_BODY_BYTES, and the xAPI
alternate request syntax (xAPI-Communication 1.3) turned into the request it stands for.

Both happen when the request object is built from the WSGI environ, before Flask routes
it, so that ``POST /xapi/statements?method=PUT`` reaches the PUT view. What they found is
kept on the request itself (:attr:`Request.body_too_large`, :attr:`Request.alternate`)
and turned into errors by the hooks of :func:`init_request`, through the one error shape.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import flask
from flask import Flask

from lrs.errors import PayloadTooLarge

ALTERNATE_PREFIX = "/xapi/"
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "HEAD"})


@dataclass(frozen=True)
class AlternateSyntax:
    """A request sent with ``?method=``: ``error`` says why it could not be rewritten."""

    error: str | None = None


class Request(flask.Request):
    """Flask's request, built from an environ that the body limit and the alternate request
    syntax have had their say on. ``max_body_bytes`` is set by :func:`init_request`."""

    max_body_bytes: int | None = None

    def __init__(self, environ: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        self.body_too_large = _limit_chunked_body(environ, self.max_body_bytes)
        self.alternate: AlternateSyntax | None = None
        if _uses_alternate_syntax(environ):
            self.alternate = AlternateSyntax()
            if not self.body_too_large:
                self.body_too_large = _declares_too_large(environ, self.max_body_bytes)
            if not self.body_too_large:
                try:
                    _rewrite(environ)
                except ValueError as error:
                    self.alternate = AlternateSyntax(str(error))
        super().__init__(environ, *args, **kwargs)


def current_request() -> Request:
    """The current request as this app's :class:`Request`."""
    found = flask.request
    if not isinstance(found, Request):
        raise TypeError("the app was not built by create_app")
    return found


def init_request(app: Flask, max_body_bytes: int) -> None:
    """Use :class:`Request` in ``app``, bodies limited to ``max_body_bytes``: werkzeug
    enforces it for bodies a view reads (413 through the error handlers), the request
    class for chunked bodies and alternate-syntax forms, which it reads itself."""
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    limited: type[Request] = type("Request", (Request,), {"max_body_bytes": max_body_bytes})
    app.request_class = limited

    @app.before_request
    def _refuse_large_body() -> None:
        if current_request().body_too_large:
            raise PayloadTooLarge(
                f"the request body is larger than LRS_MAX_BODY_BYTES ({max_body_bytes} bytes)"
            )


def _limit_chunked_body(environ: dict[str, Any], max_body_bytes: int | None) -> bool:
    # Werkzeug stops reading a body without Content-Length (chunked transfer encoding) at
    # the limit without an error, so an oversized document would be stored cut short.
    # Here such a body is read up to one byte past the limit: over it, it is dropped and
    # the app answers 413; within it, it is handed on with its Content-Length.
    if max_body_bytes is None:
        return False
    if environ.get("CONTENT_LENGTH") not in (None, "") or not environ.get("wsgi.input_terminated"):
        return False
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= max_body_bytes:
        chunk = stream.read(min(65536, max_body_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    body = b"".join(chunks)
    too_large = len(body) > max_body_bytes
    if too_large:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return too_large


def _uses_alternate_syntax(environ: dict[str, Any]) -> bool:
    if not environ.get("PATH_INFO", "").startswith(ALTERNATE_PREFIX):
        return False
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return any(name == "method" for name, _ in query)


def _declares_too_large(environ: dict[str, Any], max_body_bytes: int | None) -> bool:
    # Such a form body is not read at all: the app answers 413.
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # left to _rewrite, which reports it
    return max_body_bytes is not None and length > max_body_bytes


def _rewrite(environ: dict[str, Any]) -> None:
    """Turn ``POST ...?method=X`` with a form body into the X request it stands for."""
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if environ.get("REQUEST_METHOD") != "POST":
        raise ValueError("the alternate request syntax must be sent as POST")
    if len(query) != 1:
        raise ValueError("with the alternate request syntax only `method` may be in the URL")
    method = query[0][1].upper()
    if method not in METHODS:
        raise ValueError(f"method {query[0][1]!r} is not an HTTP method of xAPI")
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise ValueError(
            "the alternate request syntax needs an application/x-www-form-urlencoded body"
        )
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValueError("Content-Length is not a number") from None
    body = environ["wsgi.input"].read(length).decode("utf-8")
    fields = parse_qsl(body, keep_blank_values=True)
    params: list[tuple[str, str]] = []
    content = b""
    environ.pop("CONTENT_TYPE", None)
    for name, value in fields:
        header = HEADER_FIELDS.get(name.lower())
        if header is not None:
            environ[header] = value
        elif name == "content":
            content = value.encode("utf-8")
        else:
            params.append((name, value))
    if content and "CONTENT_TYPE" not in environ:
        # The form may leave the content's type out; statements are JSON.
        environ["CONTENT_TYPE"] = "application/json"
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = urlencode(params)
    environ["CONTENT_LENGTH"] = str(len(content))
    environ["wsgi.input"] = io.BytesIO(content)
