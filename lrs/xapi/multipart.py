"""The body of a statements PUT or POST: JSON, or multipart/mixed with the statements in
the first part and one part per attachment, each checked against its
X-Experience-API-Hash (xAPI-Communication 1.5.2)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from flask import Request

from lrs.errors import BadRequest, PayloadTooLarge
from lrs.http.context import settings
from lrs.http.json import json_body, parse_json
from lrs.store.attachments import AttachmentContent

_HASHES: dict[int, Callable[[bytes], Any]] = {
    64: hashlib.sha256,
    96: hashlib.sha384,
    128: hashlib.sha512,
}


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
    body = request.get_data()
    _limit_parts(body, boundary)
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    message = BytesParser(policy=policy.HTTP).parse(io.BytesIO(head + body))
    parts = message.get_payload() if message.is_multipart() else None
    if not isinstance(parts, list) or not parts:
        raise BadRequest("the multipart/mixed body has no parts")
    first = parts[0]
    if not isinstance(first, Message):
        raise BadRequest("the multipart/mixed body has no parts")
    if first.get_content_type() != "application/json":
        raise BadRequest("the first part of a multipart/mixed body must be application/json")
    statements = parse_json(_payload(first), "the statement part", settings().max_json_depth)
    attachments: dict[str, AttachmentContent] = {}
    for position, part in enumerate(parts[1:], start=1):
        attachment = _attachment_part(part, position)
        attachments[attachment.sha2] = attachment
    return statements, attachments


def _limit_parts(body: bytes, boundary: str) -> None:
    """413 when the body may hold more parts than LRS_MAX_MULTIPART_PARTS, counted as its
    delimiters before it is parsed: the parser's work grows with the parts, about 0.2 ms
    of CPU each, so 20 MB of tiny parts held a worker for half a minute. A delimiter
    starts a line (after CR, LF or CRLF, as the parser splits them); a body has at most
    one part fewer than delimiters (the last one closes it)."""
    most = settings().max_multipart_parts
    delimiter = b"--" + boundary.encode()
    lines = body.count(b"\n" + delimiter) + body.count(b"\r" + delimiter)
    if lines + body.startswith(delimiter) > most + 1:
        raise PayloadTooLarge(
            f"the multipart/mixed body has more than LRS_MAX_MULTIPART_PARTS ({most}) parts"
        )


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
