"""Reading statements for exports: keyset pages over ``statement.seq``.

An export of millions of statements must run in constant memory, so it never asks for
everything at once: ``export_page`` returns at most ``size`` rows after a given ``seq``,
and the caller asks again from the last ``seq`` it saw. Each row carries what the NDJSON
and CSV writers need: the stored payload, its voided state and, from the statement's
dashboard fact, its source kind and course.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lrs.store import statements as statement_store
from lrs.store.models import LearningFact, Statement
from lrs.store.statements import StatementQuery


@dataclass(frozen=True)
class ExportRow:
    seq: int
    payload: dict[str, Any]
    voided: bool
    source_kind: str | None
    course: str | None


def _query(session: Session, query: StatementQuery, source_kind: str | None) -> Any:
    statement = (
        statement_store.matching(session, query)
        .add_columns(Statement.voided, LearningFact.source_kind, LearningFact.space_id)
        .outerjoin(LearningFact, LearningFact.seq == Statement.seq)
    )
    if source_kind is not None:
        statement = statement.where(LearningFact.source_kind == source_kind)
    return statement


def export_page(
    session: Session,
    query: StatementQuery,
    *,
    source_kind: str | None,
    after_seq: int | None,
    size: int,
) -> list[ExportRow]:
    """Up to ``size`` matching statements after ``after_seq``, in ``query``'s order."""
    paged = replace(query, after_seq=after_seq)
    order = Statement.seq.asc() if query.ascending else Statement.seq.desc()
    rows = session.execute(_query(session, paged, source_kind).order_by(order).limit(size))
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


def count(session: Session, query: StatementQuery, *, source_kind: str | None) -> int:
    """How many statements an export of ``query`` will write (for progress bars)."""
    inner = _query(session, query, source_kind).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())
