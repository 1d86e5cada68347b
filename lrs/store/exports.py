"""Reading statements for exports: keyset pages over ``statement.seq``.

An export of millions of statements must run in constant memory, so it never asks for
everything at once: ``export_page`` returns at most ``size`` rows after a given ``seq``,
and the caller asks again from the last ``seq`` it saw. Each row carries what the CSV
and Parquet writers need: the stored payload as JSON text, its voided state and, from the
statement's dashboard fact, its source kind, course and team. NDJSON needs none of the
fact's columns and no parsing: ``ndjson_lines`` streams a seq window's stored payloads
(``dialects.streamed_rows``) and writes each one's JSON text as it was stored, in chunks
of a page.

``fact_page`` and ``fact_ndjson_lines`` do the same for another selection: the
statements whose dashboard fact meets conditions on ``learning_fact`` (the read side's
filters and a reader's scope, as the Explorer shows them), walked by the fact's seq.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lrs.store import dialects, payloads
from lrs.store import statements as statement_store
from lrs.store.models import LearningFact, Statement
from lrs.store.statements import StatementQuery


@dataclass(frozen=True)
class ExportRow:
    seq: int
    # The stored statement as JSON text.
    payload: str
    voided: bool
    source_kind: str | None
    course: str | None
    team: str | None


def _query(session: Session, query: StatementQuery, source_kind: str | None, *columns: Any) -> Any:
    """``columns`` of the statements matching ``query`` and ``source_kind``."""
    kind = _fact_column(LearningFact.source_kind)
    statement = statement_store.matching(session, query).with_only_columns(*columns)
    if source_kind is not None:
        statement = statement.where(kind == source_kind)
    return statement


def _row_columns() -> tuple[Any, ...]:
    # The fact's columns come from correlated look-ups by primary key rather than a join,
    # so that they fit whatever grouping the filtered select uses.
    return (
        Statement.seq,
        payloads.as_text(Statement.payload).label("payload"),
        Statement.voided,
        _fact_column(LearningFact.source_kind).label("source_kind"),
        _fact_column(LearningFact.space_id).label("space_id"),
        _fact_column(LearningFact.team).label("team"),
    )


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
    statement = _page(session, query, source_kind, after_seq, size, window, *_row_columns())
    return _rows(session, statement)


def _rows(session: Session, statement: Any) -> list[ExportRow]:
    return [
        ExportRow(
            seq=row.seq,
            payload=row.payload,
            voided=bool(row.voided),
            source_kind=row.source_kind,
            course=row.space_id,
            team=row.team,
        )
        # Through the connection: the session would run each row through the ORM's loading.
        for row in session.connection().execute(statement)
    ]


def ndjson_lines(
    session: Session,
    query: StatementQuery,
    *,
    source_kind: str | None,
    size: int,
    window: tuple[int, int],
) -> Iterator[tuple[int, bytes]]:
    """Every statement ``export_page`` would return for ``window``, in ``query``'s order,
    as NDJSON lines in chunks of at most ``size``: (how many statements, their lines,
    each ended by a newline).

    Each line is the stored JSON text as it is, a voided statement wrapped in
    ``{"voided":true,"statement":...}``: the text is uncompressed, never parsed again.
    """
    rows = _page(session, query, source_kind, None, None, window, *_ndjson_columns())
    return _ndjson_chunks(session, rows, size)


def _ndjson_columns() -> tuple[Any, ...]:
    return Statement.voided, payloads.as_stored(Statement.payload)


def _ndjson_chunks(session: Session, rows: Any, size: int) -> Iterator[tuple[int, bytes]]:
    for part in dialects.streamed_rows(session, rows, size, ("bool", "bytea")):
        yield len(part), b"".join([_ndjson_line(voided, stored) for voided, stored in part])


def _ndjson_line(voided: bool, stored: bytes) -> bytes:
    text = payloads.utf8_of(stored)
    return b'{"voided":true,"statement":' + text + b"}\n" if voided else text + b"\n"


def fact_page(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    after_seq: int | None,
    size: int,
    window: tuple[int, int],
) -> list[ExportRow]:
    """Up to ``size`` statements whose dashboard fact meets ``where`` (conditions on
    ``learning_fact``), after ``after_seq`` in seq order, with ``window[0] < seq <=
    window[1]``: the rows ``export_page`` would give for them."""
    F = LearningFact
    columns = (
        F.seq.label("seq"),
        payloads.as_text(Statement.payload).label("payload"),
        Statement.voided,
        F.source_kind.label("source_kind"),
        F.space_id.label("space_id"),
        F.team.label("team"),
    )
    return _rows(session, _fact_select(where, after_seq, size, window, *columns))


def fact_ndjson_lines(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    *,
    size: int,
    window: tuple[int, int],
) -> Iterator[tuple[int, bytes]]:
    """Every statement ``fact_page`` would return for ``window``, as ``ndjson_lines``
    gives them."""
    rows = _fact_select(where, None, None, window, *_ndjson_columns())
    return _ndjson_chunks(session, rows, size)


def _fact_select(
    where: Sequence[ColumnElement[bool]],
    after_seq: int | None,
    size: int | None,
    window: tuple[int, int],
    *columns: Any,
) -> Any:
    # Keyset on the fact's seq (its primary key, the statement's seq): each page is a
    # range read of the facts joined to their statements by primary key.
    F = LearningFact
    statement = (
        select(*columns)
        .select_from(F)
        .join(Statement, Statement.seq == F.seq)
        .where(*where, F.seq > window[0], F.seq <= window[1])
    )
    if after_seq is not None:
        statement = statement.where(F.seq > after_seq)
    statement = statement.order_by(F.seq)
    return statement if size is None else statement.limit(size)


def _page(
    session: Session,
    query: StatementQuery,
    source_kind: str | None,
    after_seq: int | None,
    size: int | None,
    window: tuple[int, int],
    *columns: Any,
) -> Any:
    paged = replace(query, after_seq=after_seq)
    order = Statement.seq.asc() if query.ascending else Statement.seq.desc()
    statement = _query(session, paged, source_kind, *columns).where(
        Statement.seq > window[0], Statement.seq <= window[1]
    )
    statement = statement.order_by(order)
    return statement if size is None else statement.limit(size)


def seq_range(session: Session) -> tuple[int, int]:
    """(oldest seq - 1, newest seq) of the store: the span an export walks through."""
    low, high = session.execute(select(func.min(Statement.seq), func.max(Statement.seq))).one()
    return (int(low) - 1, int(high)) if low is not None else (0, 0)


def count(session: Session, query: StatementQuery, *, source_kind: str | None) -> int:
    """How many statements an export of ``query`` will write (for progress bars)."""
    inner = _query(session, query, source_kind, Statement.seq).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())
