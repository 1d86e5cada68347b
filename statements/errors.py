"""The one exception type of the ``statements`` package.

A :class:`StatementError` says *where* in the statement JSON a rule was broken (a JSON path
such as ``actor.mbox`` or ``context.contextActivities.parent[0].id``; the empty string for the
statement itself) and *why*, in plain English. It carries no HTTP status: the HTTP layer maps
it to ``400 Bad Request``.
"""

from __future__ import annotations

__all__ = ["StatementError", "join_path"]


class StatementError(ValueError):
    """A statement (or part of one) broke an xAPI rule."""

    path: str
    message: str

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message

    def __reduce__(self) -> tuple[type[StatementError], tuple[str, str]]:
        return (type(self), (self.path, self.message))


def join_path(prefix: str, key: str | int) -> str:
    """Append an object key or an array index to a JSON path."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key
