"""Shaping statement responses: JSON, or multipart/mixed when attachments are asked for."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from flask import Response
from werkzeug.http import http_date

from lrs.store.attachments import AttachmentContent


def statement_response(
    body: dict[str, Any],
    attachments: Sequence[AttachmentContent],
    multipart: bool,
    newest_stored: dt.datetime | None,
) -> Response:
    """A statement or StatementResult, with its attachments as parts when ``multipart``,
    last modified when its newest statement was stored."""
    encoded = orjson.dumps(body)
    if not multipart:
        response = Response(encoded, mimetype="application/json")
    else:
        boundary = uuid.uuid4().hex
        chunks = [
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
            encoded,
            b"\r\n",
        ]
        for attachment in attachments:
            chunks += [
                f"--{boundary}\r\nContent-Type: {attachment.content_type}\r\n"
                "Content-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {attachment.sha2}\r\n\r\n".encode(),
                attachment.content,
                b"\r\n",
            ]
        chunks.append(f"--{boundary}--\r\n".encode())
        response = Response(b"".join(chunks))
        # A hex boundary is an RFC 2045 token, so it goes unquoted: some clients
        # (TinCanJS) take everything after "boundary=" as the boundary, quotes and all.
        response.headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
    if newest_stored is not None:
        response.headers["Last-Modified"] = http_date(newest_stored)
    return response
