"""Aggregates for API consumers: the numbers behind the dashboard charts as JSON records.

The queries are the read side's registry entries (``lrs.insight.registry``); the HTTP
layer hands one in, bound to its filters and parameters, and this use case checks the
scope, runs it in a read transaction and turns its frame into JSON-ready records, so
that a BI tool gets exactly what the dashboards show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from lrs import csvfile
from lrs.errors import Forbidden
from lrs.services.principal import Principal
from lrs.store.engine import Database

if TYPE_CHECKING:
    import pandas as pd

Query = Callable[[Session], "pd.DataFrame"]

DASHBOARD_READER = Principal(
    credential_id=0,
    key="",
    name="dashboards",
    scopes=frozenset({"all/read"}),
    authority={},
    authority_key="",
)
"""A signed-in dashboards user: reads the numbers the charts show, nothing more."""


def compute(
    db: Database, principal: Principal, query: Query
) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, records) of ``query``; needs a read-all scope."""
    if not principal.may("all/read", "statements/read"):
        raise Forbidden("aggregates need a credential of scope all/read or statements/read")
    with db.querying() as session:
        frame = query(session)
    return [str(column) for column in frame.columns], records(frame)


def compute_all(
    db: Database, principal: Principal, queries: Mapping[str, Query]
) -> dict[str, list[dict[str, Any]]]:
    """The records of several queries read in one transaction (one view of several
    entries, such as a person's page); needs a read-all scope."""
    if not principal.may("all/read", "statements/read"):
        raise Forbidden("these views need a credential of scope all/read or statements/read")
    with db.querying() as session:
        return {name: records(query(session)) for name, query in queries.items()}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: dates as ISO 8601 strings, missing values as null."""
    if frame.empty:
        return []
    encoded = frame.to_json(orient="records", date_format="iso", date_unit="s")
    rows: list[dict[str, Any]] = orjson.loads(encoded or "[]")
    return rows


def csv_file(columns: list[str], records: list[dict[str, Any]]) -> bytes:
    """``records`` as a CSV file (header: ``columns``) through the product's one CSV
    writer: what /api/aggregates answers with ``format=csv`` and every chart's "download
    the numbers" gives."""
    rows = ([record.get(column) for column in columns] for record in records)
    return b"".join(csvfile.lines(columns, rows))
