"""The one CSV writer of the product: every CSV it makes for people to open goes through it.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some also after a leading tab or carriage return (CSV injection, OWASP).
So every text cell that starts with one of these gets a leading ``'``, which
spreadsheets show as text and do not evaluate. Numbers are written as numbers (``-5``
stays a number: a spreadsheet does not run it), booleans as ``true``/``false``,
datetimes in ISO 8601, ``None`` as an empty cell. Lines end in CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

__all__ = ["FORMULA_START", "cell", "lines", "rows"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Rows written per chunk of a streamed CSV.
CHUNK_ROWS = 500


def cell(value: Any) -> str:
    """The text of one cell, safe to open in a spreadsheet."""
    kind = type(value)
    # Most cells are plain text or numbers: checked first, without the ABC checks below.
    if kind is str:
        text: str = value
        return "'" + text if text.startswith(FORMULA_START) else text
    if kind is int or kind is float:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Number):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(records: Iterable[Sequence[Any]]) -> bytes:
    """``records`` as CSV lines, UTF-8 encoded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(value) for value in record] for record in records)
    return buffer.getvalue().encode()


def lines(header: Sequence[str], records: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A whole CSV file, header first, as chunks of ``CHUNK_ROWS`` rows (for streaming)."""
    yield rows([header])
    chunk: list[Sequence[Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK_ROWS:
            yield rows(chunk)
            chunk = []
    if chunk:
        yield rows(chunk)
