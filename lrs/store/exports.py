"""Reading statements for exports: keyset pages over ``statement.seq``.

An export of millions of statements must run in constant memory, so it never asks for
everything at once: ``export_page`` returns at most ``size`` rows after a given ``seq``,
and the caller asks again from the last ``seq`` it saw. Each row carries what the NDJSON
and CSV writers need: the stored payload as JSON text, its voided state and, from the statement's
dashboard fact, its source kind and course.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from lrs.store import statements as statement_store
from lrs.store.models import LearningFact, Statement
from lrs.store.statements import StatementQuery


@dataclass(frozen=True)
class ExportRow:
    seq: int
    # The stored statement as JSON text: NDJSON writes it without a decode/encode round.
    payload: str
    voided: bool
    source_kind: str | None
    course: str | None


def _query(session: Session, query: StatementQuery, source_kind: str | None) -> Any:
    # The fact's columns come from correlated look-ups by primary key rather than a join,
    # so that they fit whatever grouping the filtered select uses.
    kind = _fact_column(LearningFact.source_kind)
    statement = statement_store.matching(session, query).with_only_columns(
        Statement.seq,
        cast(Statement.payload, Text).label("payload"),
        Statement.voided,
        kind.label("source_kind"),
        _fact_column(LearningFact.space_id).label("space_id"),
    )
    if source_kind is not None:
        statement = statement.where(kind == source_kind)
    return statement


def _fact_column(column: Any) -> Any:
    return select(column).where(LearningFact.seq == Statement.seq).scalar_subquery()


def export_page(
    session: Session,
    query: StatementQuery,
    *,
    source_kind: str | None,
    after_seq: int | None,
    size: int,
    window: tuple[int, int],
) -> list[ExportRow]:
    """Up to ``size`` matching statements after ``after_seq``, in ``query``'s order, with
    ``window[0] < seq <= window[1]``.

    The window bounds what one query may touch whatever plan the database picks (a
    planner with stale statistics may otherwise read and sort the rest of the table for
    every page).
    """
    paged = replace(query, after_seq=after_seq)
    order = Statement.seq.asc() if query.ascending else Statement.seq.desc()
    statement = _query(session, paged, source_kind).where(
        Statement.seq > window[0], Statement.seq <= window[1]
    )
    rows = session.execute(statement.order_by(order).limit(size))
    return [
        ExportRow(
            seq=row.seq,
            payload=row.payload,
            voided=bool(row.voided),
            source_kind=row.source_kind,
            course=row.space_id,
        )
        for row in rows
    ]


def seq_range(session: Session) -> tuple[int, int]:
    """(oldest seq - 1, newest seq) of the store: the span an export walks through."""
    low, high = session.execute(select(func.min(Statement.seq), func.max(Statement.seq))).one()
    return (int(low) - 1, int(high)) if low is not None else (0, 0)


def count(session: Session, query: StatementQuery, *, source_kind: str | None) -> int:
    """How many statements an export of ``query`` will write (for progress bars)."""
    inner = _query(session, query, source_kind).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())
