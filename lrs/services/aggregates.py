"""Aggregates for API consumers: the numbers behind the dashboard charts as JSON records.

The query functions themselves are the read side's (``lrs.insight``: pure
``(Session, Filters) -> DataFrame``); the HTTP layer hands one of them in, and this use
case runs it in a read transaction and turns its frame into JSON-ready records, so that
a BI tool gets exactly what the dashboards show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from lrs.errors import Forbidden
from lrs.services.principal import Principal
from lrs.store.engine import Database

if TYPE_CHECKING:
    import pandas as pd

Query = Callable[[Session, Any], "pd.DataFrame"]


def compute(
    db: Database, principal: Principal, query: Query, filters: Any
) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, records) of ``query`` under ``filters``; needs a read-all scope."""
    if not principal.may("all/read", "statements/read"):
        raise Forbidden("aggregates need a credential of scope all/read or statements/read")
    with db.reading() as session:
        frame = query(session, filters)
    return [str(column) for column in frame.columns], records(frame)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: dates as ISO 8601 strings, missing values as null."""
    if frame.empty:
        return []
    encoded = frame.to_json(orient="records", date_format="iso", date_unit="s")
    rows: list[dict[str, Any]] = orjson.loads(encoded or "[]")
    return rows
