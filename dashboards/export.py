"""Download of the Explorer's filtered set as CSV or NDJSON, streamed page by page.

The file holds the statements the Explorer lists for its filters, within what the
signed-in user's role may see, in the format of ``GET /api/export/statements`` and
written by the same code (``lrs.services.exports``): one CSV format and one NDJSON format
for both. The statements are read in pages inside one read transaction, so the whole set
is never held in memory.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, request, stream_with_context

from lrs.http import context
from lrs.http.access import scoped
from lrs.insight.activity import fact_selection
from lrs.insight.filters import Filters
from lrs.services import exports

MIMETYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}


def export_view(fmt: str) -> Response:
    filters = scoped(Filters.from_query(request.query_string.decode()))
    chunks = exports.export_facts(
        context.database(), fact_selection(filters), "csv" if fmt == "csv" else "ndjson"
    )
    response = Response(stream_with_context(chunks), mimetype=MIMETYPES[fmt])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    response.headers["Content-Disposition"] = f'attachment; filename="statements-{stamp}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def init_export(app: Flask) -> None:
    app.add_url_rule("/dashboards/export.<any(csv, ndjson):fmt>", "dashboards_export", export_view)
