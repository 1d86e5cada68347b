"""HTTP-level parsing of xAPI requests: JSON bodies, multipart/mixed statement bodies,
query parameters, and the alternate request syntax (xAPI-Communication 1.3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
from collections.abc import Callable, Iterable
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from dateutil.parser import isoparse
from flask import Flask, Request, current_app, has_app_context, request

from lrs.config import Settings
from lrs.errors import BadRequest, PayloadTooLarge
from lrs.store.attachments import AttachmentContent

_HASHES: dict[int, Callable[[bytes], Any]] = {
    64: hashlib.sha256,
    96: hashlib.sha384,
    128: hashlib.sha512,
}


def json_body(request: Request) -> Any:
    """The request body parsed as JSON; 400 when it is not."""
    return parse_json(request.get_data(cache=True), "the request body")


def parse_json(raw: bytes | str, what: str, max_depth: int | None = None) -> Any:
    """``raw`` parsed as JSON no deeper than ``max_depth`` (LRS_MAX_JSON_DEPTH when None,
    in a request); 400 otherwise."""
    if max_depth is None:
        max_depth = _max_json_depth()
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error) or "recursion" in str(error):
            # orjson stops at 1024 levels on its own.
            raise _too_deep(what, max_depth) from None
        raise BadRequest(f"{what} is not valid JSON: {error}") from None
    # A value with fewer containers than the limit cannot nest deeper than it: the
    # common case costs two byte counts and no walk.
    data = raw if isinstance(raw, bytes) else raw.encode()
    if data.count(b"[") + data.count(b"{") > max_depth and json_depth(value, max_depth) > max_depth:
        raise _too_deep(what, max_depth)
    if isinstance(value, dict | list) and _may_repeat_a_key(data, value):
        _reject_repeated_keys(data, what)
    return value


def _may_repeat_a_key(data: bytes, value: Any) -> bool:
    # XAPI-00021: an object with a repeated key is invalid, but JSON parsers keep the last
    # value silently. Each member adds one ":" outside strings; if the parsed value, written
    # back, has fewer colons than the body, a key was dropped (or a colon was escaped
    # as \u003a): only then is the body parsed again, slowly, to find out.
    return data.count(b":") > orjson.dumps(value).count(b":")


def _reject_repeated_keys(data: bytes, what: str) -> None:
    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BadRequest(f"{what} repeats the key {key!r} in one object", key)
            seen.add(key)
        return dict(pairs)

    json.loads(data, object_pairs_hook=pairs_hook)


def json_depth(value: Any, limit: int) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), counting no
    further than ``limit + 1``. Iterative, so no input can exhaust the Python stack."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep(what: str, max_depth: int) -> BadRequest:
    return BadRequest(
        f"{what} nests arrays and objects more than {max_depth} levels deep (LRS_MAX_JSON_DEPTH)"
    )


def _max_json_depth() -> int:
    settings: Settings = current_app.config["LRS_SETTINGS"] if has_app_context() else Settings()
    return settings.max_json_depth


def statements_body(request: Request) -> tuple[Any, dict[str, AttachmentContent] | None]:
    """Statements (one object or an array) and, for multipart/mixed, the attachment parts."""
    mimetype = request.mimetype
    if mimetype == "application/json":
        return json_body(request), None
    if mimetype == "multipart/mixed":
        return _multipart(request)
    raise BadRequest(
        f"Content-Type {request.content_type or '(none)'} is not accepted here; send "
        "application/json or multipart/mixed",
        "Content-Type",
    )


def _multipart(request: Request) -> tuple[Any, dict[str, AttachmentContent]]:
    boundary = request.mimetype_params.get("boundary")
    if not boundary:
        raise BadRequest("multipart/mixed needs a boundary parameter", "Content-Type")
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    message = BytesParser(policy=policy.HTTP).parse(io.BytesIO(head + request.get_data()))
    parts = message.get_payload() if message.is_multipart() else None
    if not isinstance(parts, list) or not parts:
        raise BadRequest("the multipart/mixed body has no parts")
    first = parts[0]
    if not isinstance(first, Message):
        raise BadRequest("the multipart/mixed body has no parts")
    if first.get_content_type() != "application/json":
        raise BadRequest("the first part of a multipart/mixed body must be application/json")
    statements = parse_json(_payload(first), "the statement part")
    attachments: dict[str, AttachmentContent] = {}
    for position, part in enumerate(parts[1:], start=1):
        attachment = _attachment_part(part, position)
        attachments[attachment.sha2] = attachment
    return statements, attachments


def _attachment_part(part: Message, position: int) -> AttachmentContent:
    declared = part.get("X-Experience-API-Hash")
    if not declared:
        raise BadRequest(f"part {position} has no X-Experience-API-Hash header")
    encoding = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    if encoding != "binary":
        raise BadRequest(f"part {position} must have Content-Transfer-Encoding: binary")
    content = _payload(part)
    sha2 = str(declared).strip().lower()
    digest = _HASHES.get(len(sha2))
    if digest is None or digest(content).hexdigest() != sha2:
        raise BadRequest(f"the content of part {position} does not match its X-Experience-API-Hash")
    return AttachmentContent(sha2=sha2, content_type=part.get_content_type(), content=content)


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    return str(part.get_payload()).encode()


# --- query parameters --------------------------------------------------------------------


def reject_unknown(params: Iterable[str], allowed: Iterable[str]) -> None:
    """xAPI-Communication 3.2: parameters the LRS does not recognise are a 400."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadRequest(f"unexpected parameter(s): {', '.join(unknown)}", unknown[0])


def boolean(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value in ("true", "false"):
        return value == "true"
    raise BadRequest(f"{name} must be true or false", name)


def timestamp(value: str | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = isoparse(value)
    except (ValueError, OverflowError):
        raise BadRequest(f"{name} must be an ISO 8601 timestamp", name) from None
    when: dt.datetime = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return when


def uuid_value(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadRequest(f"{name} must be a UUID", name) from None


def non_negative(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest(f"{name} must be a non-negative integer", name)
    return int(value)


# --- alternate request syntax ------------------------------------------------------------

HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "HEAD"})
TOO_LARGE = "lrs.body_too_large"


def init_body_limit(app: Flask, max_body_bytes: int) -> None:
    """Limit request bodies to ``max_body_bytes`` everywhere: werkzeug enforces it for
    bodies a view reads (413 through ``lrs.errors``), and the alternate request syntax
    middleware checks it before it reads a form body itself."""
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    app.wsgi_app = BodyLimit(  # type: ignore[method-assign]
        AlternateRequestSyntax(app.wsgi_app, max_body_bytes=max_body_bytes), max_body_bytes
    )

    @app.before_request
    def _refuse_large_alternate_body() -> None:
        if request.environ.get(TOO_LARGE):
            raise PayloadTooLarge(
                f"the request body is larger than LRS_MAX_BODY_BYTES ({max_body_bytes} bytes)"
            )


class BodyLimit:
    """WSGI middleware for bodies without Content-Length (chunked transfer encoding).

    Werkzeug stops reading such a body at the limit without an error, so an oversized
    document would be stored cut short. Here the body is read up to one byte past the
    limit: over it, the app answers 413 without reading further; within it, the body is
    handed on with its Content-Length, like any other request.
    """

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("CONTENT_LENGTH") in (None, "") and environ.get("wsgi.input_terminated"):
            body = self._read(environ["wsgi.input"])
            if len(body) > self.max_body_bytes:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _read(self, stream: Any) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while size <= self.max_body_bytes:
            chunk = stream.read(min(65536, self.max_body_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)


class AlternateRequestSyntax:
    """WSGI middleware that turns ``POST ...?method=PUT`` with a form body into the
    request it stands for, before Flask sees it. Problems are handed to the app as
    ``lrs.alternate_error`` so that they are rendered like every other error."""

    def __init__(self, app: Any, prefix: str = "/xapi/", max_body_bytes: int | None = None) -> None:
        self.app = app
        self.prefix = prefix
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if path.startswith(self.prefix) and any(name == "method" for name, _ in query):
            environ["lrs.alternate_syntax"] = True
            if self._too_large(environ):
                # Not read at all: the app answers 413 (see ``init_body_limit``).
                environ[TOO_LARGE] = True
                return self.app(environ, start_response)
            try:
                self._rewrite(environ, query)
            except ValueError as error:
                environ["lrs.alternate_error"] = str(error)
        return self.app(environ, start_response)

    def _too_large(self, environ: dict[str, Any]) -> bool:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False  # left to _rewrite, which reports it
        return self.max_body_bytes is not None and length > self.max_body_bytes

    @staticmethod
    def _rewrite(environ: dict[str, Any], query: list[tuple[str, str]]) -> None:
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
