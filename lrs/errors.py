"""The errors we raise on purpose and the one error shape they leave the server in.

Every failure — ours, werkzeug's (404, 405, 413) and unexpected exceptions — leaves the
server as ``{"error": {"code", "message", "path"}}`` (:func:`error_body`) with the status
the xAPI spec names; ``lrs.http.errors`` renders them into HTTP responses. Bad input is
always 400, never 422, as the conformance suite requires. No Flask here: services and
the command line raise these errors too.
"""

from __future__ import annotations

from typing import Any, ClassVar


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


class UriTooLong(LRSError):
    status = 414
    code = "uri_too_long"


class TooManyRequests(LRSError):
    """Refused before any check: the caller failed to sign in too often (backoff)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Unavailable(LRSError):
    """The request lost to concurrent writers each time it was tried: nothing of it was
    stored, and the same request sent again after ``retry_after`` seconds may succeed."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def error_body(code: str, message: str, path: str = "") -> dict[str, Any]:
    """The one error shape: ``{"error": {"code", "message", "path"}}``."""
    return {"error": {"code": code, "message": message, "path": path}}
