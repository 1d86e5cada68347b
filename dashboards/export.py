"""Download of the Explorer's filtered set as CSV or NDJSON, streamed row by row.

The rows are the statements' dashboard facts that the signed-in user's role may see (the
same columns the Explorer shows), read in batches inside one read transaction, so the
whole set is never held in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson
from flask import Flask, Response, request, stream_with_context

from lrs import csvfile
from lrs.http import context
from lrs.http.access import scoped
from lrs.insight.activity import FACT_COLUMNS, iter_facts
from lrs.insight.filters import Filters


def _ndjson_lines(rows: Iterator[tuple[Any, ...]]) -> Iterator[bytes]:
    for row in rows:
        yield orjson.dumps(dict(zip(FACT_COLUMNS, row, strict=True))) + b"\n"


def export_view(fmt: str) -> Response:
    filters = scoped(Filters.from_query(request.query_string.decode()))
    database = context.database()

    def generate() -> Iterator[bytes]:
        with database.querying() as session:
            rows = iter_facts(session, filters)
            yield from (csvfile.lines(FACT_COLUMNS, rows) if fmt == "csv" else _ndjson_lines(rows))

    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(generate()), mimetype=mimetype)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    response.headers["Content-Disposition"] = f'attachment; filename="statements-{stamp}.{fmt}"'
    return response


def init_export(app: Flask) -> None:
    app.add_url_rule("/dashboards/export.<any(csv, ndjson):fmt>", "dashboards_export", export_view)
