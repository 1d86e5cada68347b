"""Statements as newline-delimited JSON (one statement per line), e.g. another LRS's export.

Blank lines are skipped; a line that is not a JSON object is rejected with its line number.
A statement without an ``id`` gets one derived from its content, so that importing the same
file twice stores nothing twice. The position is the line number.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

import orjson

from ._common import Item, ReadOptions, Source, SourceError, derived_id


def read_ndjson(data: bytes, options: ReadOptions) -> Iterator[Item]:
    """Items of an NDJSON file, in file order."""
    encoding = options.encoding or "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceError("file", f"unknown encoding {encoding!r}") from None
    after = int(options.after) if options.after and options.after.isdigit() else 0
    for number, raw in enumerate(data.splitlines(), start=1):
        if number <= after:
            continue
        where = f"line {number}"
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as error:
            yield Item(
                where,
                str(number),
                problem=f"not {encoding.removesuffix('-sig').upper()} ({error.reason})",
            )
            continue
        if not line.strip():
            continue
        try:
            statement = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield Item(where, str(number), problem=f"not valid JSON: {error}")
            continue
        if not isinstance(statement, dict):
            yield Item(where, str(number), problem="a statement must be a JSON object")
            continue
        if "id" not in statement:
            statement = {
                "id": derived_id(
                    "ndjson", orjson.dumps(statement, option=orjson.OPT_SORT_KEYS).decode()
                ),
                **statement,
            }
        yield Item(where, str(number), statement)


NDJSON = Source(
    name="statements",
    description="xAPI statements as newline-delimited JSON, one statement per line",
    read=read_ndjson,
)
