"""Every error rendered as an HTTP response in the one shape of ``lrs.errors``.

Ours carry their status and code; werkzeug's (404, 405, 413) keep theirs; an invalid
statement is a 400; anything unexpected is logged and answered 500 without details.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from lrs.errors import InvalidStatement, LRSError, TooManyRequests, Unavailable, error_body
from lrs.store.engine import lost_to_a_concurrent_writer
from statements import StatementError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, path: str = "") -> Response:
    response = jsonify(error_body(code, message, path))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def register_error_handlers(app: Flask) -> None:
    """Render every error through ``error_response``."""

    @app.errorhandler(LRSError)
    def _ours(error: LRSError) -> Response:
        response = error_response(error.status, error.code, error.message, error.path)
        if isinstance(error, TooManyRequests | Unavailable):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

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
        if lost_to_a_concurrent_writer(error):
            # A write that other transactions made the database roll back whole: nothing
            # of it stayed, and sending it again is safe.
            log.warning("rolled back for a concurrent writer: %s", error.orig)
            return _ours(
                Unavailable(
                    "the database rolled this request back for a "
                    "concurrent one; nothing was stored, send it again"
                )
            )
        log.exception("unhandled error", exc_info=error)
        return error_response(500, LRSError.code, "The server failed to handle the request.")
