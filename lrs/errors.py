"""The one error shape of the HTTP surface and the handlers that render it.

Every failure — ours, werkzeug's (404, 405, 413) and unexpected exceptions — leaves the
server as ``{"error": {"code", "message", "path"}}`` with the status the xAPI spec names.
Bad input is always 400, never 422, as the conformance suite requires.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from statements import StatementError

log = logging.getLogger(__name__)


class LRSError(Exception):
    """Base of every error we raise on purpose; carries its HTTP status and a code."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class BadRequest(LRSError):
    status = 400
    code = "bad_request"


class InvalidStatement(BadRequest):
    code = "invalid_statement"


class Unauthorized(LRSError):
    status = 401
    code = "unauthorized"


class Forbidden(LRSError):
    status = 403
    code = "forbidden"


class NotFound(LRSError):
    status = 404
    code = "not_found"


class Conflict(LRSError):
    status = 409
    code = "conflict"


class PreconditionFailed(LRSError):
    status = 412
    code = "precondition_failed"


class PayloadTooLarge(LRSError):
    status = 413
    code = "payload_too_large"


def error_response(status: int, code: str, message: str, path: str = "") -> Response:
    response = jsonify({"error": {"code": code, "message": message, "path": path}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def register_error_handlers(app: Flask) -> None:
    """Render every error through ``error_response``."""

    @app.errorhandler(LRSError)
    def _ours(error: LRSError) -> Response:
        return error_response(error.status, error.code, error.message, error.path)

    @app.errorhandler(StatementError)
    def _statement(error: StatementError) -> Response:
        return error_response(400, InvalidStatement.code, error.message, error.path)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        message = error.description or error.name or "error"
        return error_response(status, code, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error", exc_info=error)
        return error_response(500, LRSError.code, "The server failed to handle the request.")
