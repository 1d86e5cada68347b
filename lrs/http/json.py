"""JSON bodies and JSON-valued parameters: parsed with orjson, no deeper than
LRS_MAX_JSON_DEPTH, and without repeated keys (XAPI-00021); 400 otherwise."""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Request

from lrs.errors import BadRequest
from lrs.http.context import settings


def json_body(request: Request) -> Any:
    """The request body parsed as JSON; 400 when it is not."""
    return parse_json(request.get_data(cache=True), "the request body", settings().max_json_depth)


def parse_json(raw: bytes | str, what: str, max_depth: int, path: str = "") -> Any:
    """``raw`` parsed as JSON no deeper than ``max_depth``; 400 naming ``path`` otherwise."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error) or "recursion" in str(error):
            # orjson stops at 1024 levels on its own.
            raise _too_deep(what, max_depth, path) from None
        raise BadRequest(f"{what} is not valid JSON: {error}", path) from None
    # A value with fewer containers than the limit cannot nest deeper than it: the
    # common case costs two byte counts and no walk.
    data = raw if isinstance(raw, bytes) else raw.encode()
    if data.count(b"[") + data.count(b"{") > max_depth and json_depth(value, max_depth) > max_depth:
        raise _too_deep(what, max_depth, path)
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
    further than ``limit + 1``. Level by level, so no input can exhaust the Python stack;
    only the containers of each level are kept (a batch of 100 statements: about 0.7 ms
    instead of 1.6 ms when each member was pushed with its depth)."""
    level: list[Any] = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return depth
        below: list[Any] = []
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, dict | list):
                    below.append(child)
        level = below
    return depth


def _too_deep(what: str, max_depth: int, path: str) -> BadRequest:
    return BadRequest(
        f"{what} nests arrays and objects more than {max_depth} levels deep (LRS_MAX_JSON_DEPTH)",
        path,
    )
