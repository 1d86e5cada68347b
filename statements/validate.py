"""``validate(data, version)``: the one place that decides whether a statement is valid.

Used alike by the HTTP layer, importers and NDJSON import (house rule 3). It checks a decoded
JSON value against the xAPI 1.0.3 or 2.0 schema and returns it as a :class:`Statement`,
unchanged except that every ``contextActivities`` value becomes an array (XAPI-00096).

No string of a statement, key or value, may hold the NUL character (U+0000): PostgreSQL
can keep it neither in text nor in JSONB, and a statement must be stored alike on every
database, so it is refused wherever it is, naming its path.
"""

from __future__ import annotations

import re
from typing import Any, cast

import orjson

from .errors import StatementError, join_path
from .fields import first_error
from .schema import statement_schema, valid_at_once
from .types import Statement

__all__ = ["NUL_MESSAGE", "normalise_version", "nul_path", "validate"]

NUL_MESSAGE = "Must not contain the NUL character (U+0000)."

_V1 = re.compile(r"1\.0(?:\.\d+)?")
_V2 = re.compile(r"2\.0(?:\.\d+)?")


def normalise_version(header: str) -> str:
    """Map an X-Experience-API-Version value to the rule set: "1.0.3" or "2.0.0".

    Raises ``ValueError`` for versions this package does not implement.
    """
    value = header.strip()
    if _V1.fullmatch(value):
        return "1.0.3"
    if _V2.fullmatch(value):
        return "2.0.0"
    raise ValueError(f"unsupported xAPI version {header!r}")


def validate(data: object, version: str) -> Statement:
    """Validate one statement for ``version`` ("1.0.3" or "2.0.0"; any 1.0.x means 1.0.3).

    Returns the statement with contextActivities normalised to arrays; the input is not
    mutated. Raises :class:`StatementError` (JSON path + reason) for any violation.
    """
    if version != "2.0.0":
        version = normalise_version(version)
    if not isinstance(data, dict):
        raise StatementError("", "A statement must be a JSON object.")
    where = nul_path(data)
    if where is not None:
        raise StatementError(where, NUL_MESSAGE)
    schema = statement_schema(version)
    errors = None if valid_at_once(schema, data) else schema.validate(data)
    if errors:
        path, message = first_error(errors)
        raise StatementError(path, message)
    return cast(Statement, _normalise(data))


def nul_path(data: Any) -> str | None:
    """The JSON path of the first key or string in ``data`` holding U+0000, if any.

    orjson writes U+0000 as ``\\u0000``: values without that text (nearly all) cost one
    serialisation and no walk. A key holding it is named with the escape spelled out.
    """
    try:
        if b"\\u0000" not in orjson.dumps(data):
            return None
    except TypeError:  # integers beyond 64 bits: walk
        pass
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path
        elif isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and "\x00" in key:
                    return join_path(path, key.replace("\x00", "\\u0000"))
            stack.extend((join_path(path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(
                (join_path(path, index), item) for index, item in reversed(list(enumerate(value)))
            )
    return None


def _normalise(statement: dict[str, Any]) -> dict[str, Any]:
    """Copy-on-write: wrap single contextActivities objects in arrays."""
    result = statement
    context = statement.get("context")
    if context is not None:
        new_context = _normalise_context(context)
        if new_context is not context:
            result = {**statement, "context": new_context}
    sub = statement.get("object")
    if sub is not None and sub.get("objectType") == "SubStatement" and "context" in sub:
        new_sub_context = _normalise_context(sub["context"])
        if new_sub_context is not sub["context"]:
            if result is statement:
                result = dict(statement)
            result["object"] = {**sub, "context": new_sub_context}
    return result


def _normalise_context(context: dict[str, Any]) -> dict[str, Any]:
    activities = context.get("contextActivities")
    if not activities or not any(isinstance(value, dict) for value in activities.values()):
        return context
    fixed = {
        key: [value] if isinstance(value, dict) else value for key, value in activities.items()
    }
    return {**context, "contextActivities": fixed}
