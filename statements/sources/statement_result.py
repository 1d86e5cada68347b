"""A page of another LRS's Statement resource (a StatementResult) as importer items.

Used to keep this store in step with another LRS (``GET statements?since=…`` and its
``more`` links). Each statement keeps its id, so the same page read twice stores nothing
twice; the position is the statement's ``stored`` time at the other LRS.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from ._common import Item, SourceError


@dataclass(frozen=True)
class StatementPage:
    """The statements of one page, and the ``more`` link to the next (empty at the end)."""

    items: list[Item]
    more: str


def read_statement_result(data: bytes) -> StatementPage:
    """The items of a StatementResult document; a SourceError when it is not one."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise SourceError("document", f"the response is not JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("statements"), list):
        raise SourceError("document", "the response is not a StatementResult")
    more = document.get("more") or ""
    if not isinstance(more, str):
        raise SourceError("more", "more is not a string")
    items: list[Item] = []
    for index, statement in enumerate(document["statements"]):
        where = f"statements[{index}]"
        if not isinstance(statement, dict) or not isinstance(statement.get("id"), str):
            items.append(Item(where, "", problem="not a statement with an id"))
            continue
        stored = statement.get("stored")
        position = stored if isinstance(stored, str) else ""
        items.append(Item(f"{where} ({statement['id']})", position, statement))
    return StatementPage(items, more)
