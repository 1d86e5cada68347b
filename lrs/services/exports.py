"""Streaming exports of statements (NDJSON, CSV and Parquet) and the lossless NDJSON import.

``export`` checks the caller's scope up front and returns an iterator of byte chunks that
walks the store by ``statement.seq`` windows, a page at a time inside one read
transaction, so that an export of any size runs in constant memory and sees one
consistent snapshot: NDJSON streams each window's stored text
(``store.exports.ndjson_lines``), CSV and Parquet read keyset pages of rows
(``store.exports.export_page``). ``export_facts`` writes the same formats, with the same
code, for the statements whose dashboard facts meet the read side's conditions (the
Explorer's filters within its reader's scope): one CSV format and one NDJSON format,
whichever way a set of statements is chosen.

The NDJSON format is lossless: each line is a statement exactly as stored (``stored``
and ``authority`` included). With ``include_voided`` a voided statement is written as
``{"voided": true, "statement": {...}}`` so that its state survives the round trip.
``import_statements`` reads such a file back into another LRS of ours: same ids, same
content, same voided state, with index rows, facts and outbox rows rebuilt through the
same ``write_statements`` the ingest uses.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal, TypeVar

import orjson
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lrs import csvfile
from lrs.errors import BadRequest, Forbidden
from lrs.services.principal import Principal
from lrs.store import exports as export_store
from lrs.store import statements as statement_store
from lrs.store.engine import Database
from lrs.store.exports import ExportRow
from lrs.store.statements import StatementQuery
from statements import Statement, StatementError, agent_key

T = TypeVar("T")
ExportFormat = Literal["ndjson", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("ndjson", "csv", "parquet")
SOURCE_KINDS = ("formal", "informal", "other")
# An export is not an xAPI request: its agent filter is checked under the newest rules.
AGENT_RULES = "2.0.0"
# Rows fetched per round trip: large enough to amortise the query, small enough that a
# page (about 1 KB a statement) stays a few megabytes.
PAGE_SIZE = 2000
IMPORT_BATCH_SIZE = 1000
# Seq windows an export walks through, in pages: see ``store.exports.export_page``.
WINDOW_PAGES = 4
MAX_WINDOW_PAGES = 64

CSV_HEADER = (
    "timestamp",
    "stored",
    "statement_id",
    "actor_name",
    "actor_id",
    "verb_id",
    "verb",
    "object_id",
    "object_name",
    "object_type",
    "activity_type",
    "score_scaled",
    "score_raw",
    "success",
    "completion",
    "duration",
    "registration",
    "course",
    "source_kind",
    "voided",
    "team",
    "platform",
)
"""The columns of every statements CSV: ``course``, ``source_kind`` and ``team`` are those
of the statement's dashboard fact (empty for a statement that has none), the rest are read
from the statement itself."""


@dataclass(frozen=True)
class ExportSpec:
    """What to export: the xAPI filters, the source kind and the format."""

    query: StatementQuery = field(default_factory=lambda: StatementQuery(ascending=True))
    source_kind: str | None = None
    fmt: ExportFormat = "ndjson"


@dataclass
class ImportResult:
    """What a lossless import did; ``rejected`` holds (line number, reason) of each line
    that was not stored."""

    imported: int = 0
    skipped: int = 0
    voided: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _scoped(principal: Principal, spec: ExportSpec) -> StatementQuery:
    """The query the caller may run."""
    if spec.source_kind is not None and spec.source_kind not in SOURCE_KINDS:
        raise BadRequest("source_kind must be formal, informal or other", "source_kind")
    if not principal.may("statements/read", "statements/read/mine", "all/read"):
        raise Forbidden("this credential may not read statements (scope statements/read)")
    if principal.reads_only_own:
        return replace(spec.query, authority_key=principal.authority_key)
    return spec.query


def export(
    db: Database,
    principal: Principal,
    spec: ExportSpec,
    *,
    page_size: int = PAGE_SIZE,
    progress: Callable[[int], object] | None = None,
) -> Iterator[bytes]:
    """The export as byte chunks (NDJSON and CSV: one per page; Parquet: one per row group);
    permission is checked before it starts. ``progress`` is told how many statements each
    page read."""
    query = _scoped(principal, spec)
    return _pages(db, query, spec, page_size, progress)


def count(db: Database, principal: Principal, spec: ExportSpec) -> int:
    """How many statements ``export`` would write."""
    query = _scoped(principal, spec)
    with db.querying() as session:
        return export_store.count(session, query, source_kind=spec.source_kind)


def _pages(
    db: Database,
    query: StatementQuery,
    spec: ExportSpec,
    size: int,
    progress: Callable[[int], object] | None,
) -> Iterator[bytes]:
    walk = partial(_walk, db, size, progress, ascending=query.ascending, max_seq=query.max_seq)
    lines = walk(partial(_ndjson_lines, query, spec, size))
    rows = walk(_keyset(partial(_row_page, query, spec, size), size))
    return _write(spec.fmt, lines, rows)


def export_facts(
    db: Database,
    where: Sequence[ColumnElement[bool]],
    fmt: Literal["ndjson", "csv"],
    *,
    page_size: int = PAGE_SIZE,
) -> Iterator[bytes]:
    """The statements whose dashboard fact meets ``where`` (conditions on
    ``learning_fact`` that carry the reader's scope), in seq order, as ``export`` writes
    them in ``fmt``: byte for byte the lines ``export`` gives for the same statements.

    A voided statement has no fact (and neither has a voiding statement), so neither is
    written, as ``export`` leaves voided statements out unless asked for them."""

    def rows(
        session: Session, after: int | None, window: tuple[int, int]
    ) -> tuple[int, int | None, list[ExportRow]]:
        found = export_store.fact_page(
            session, where, after_seq=after, size=page_size, window=window
        )
        return len(found), found[-1].seq if found else None, found

    def lines(session: Session, window: tuple[int, int]) -> Iterator[tuple[int, bytes]]:
        return export_store.fact_ndjson_lines(session, where, size=page_size, window=window)

    walk = partial(_walk, db, page_size, None, ascending=True, max_seq=None)
    return _write(fmt, walk(lines), walk(_keyset(rows, page_size)))


def _write(
    fmt: ExportFormat, lines: Iterator[bytes], rows: Iterator[list[ExportRow]]
) -> Iterator[bytes]:
    """The file of format ``fmt``: NDJSON from the chunks of ``lines``, CSV and Parquet
    from the pages of ``rows`` (only the one the format needs is read)."""
    if fmt == "ndjson":
        yield from lines
        return
    if fmt == "parquet":
        # pyarrow (and numpy) only for the format that needs them: they would take
        # longer to import than `lrs export` takes to write many thousand statements.
        from lrs.services import parquet

        yield from parquet.write(rows)
        return
    yield csvfile.rows([CSV_HEADER])
    for page in rows:
        yield _csv(page)


def _row_page(
    query: StatementQuery,
    spec: ExportSpec,
    size: int,
    session: Session,
    after: int | None,
    window: tuple[int, int],
) -> tuple[int, int | None, list[ExportRow]]:
    rows = export_store.export_page(
        session, query, source_kind=spec.source_kind, after_seq=after, size=size, window=window
    )
    return len(rows), rows[-1].seq if rows else None, rows


def _ndjson_lines(
    query: StatementQuery,
    spec: ExportSpec,
    size: int,
    session: Session,
    window: tuple[int, int],
) -> Iterator[tuple[int, bytes]]:
    return export_store.ndjson_lines(
        session, query, source_kind=spec.source_kind, size=size, window=window
    )


# The pages of one seq window, as (how many statements, the page).
Pages = Callable[[Session, tuple[int, int]], Iterator[tuple[int, T]]]


def _keyset(
    fetch: Callable[[Session, int | None, tuple[int, int]], tuple[int, int | None, T]],
    size: int,
) -> Pages[T]:
    """The pages of a window that ``fetch`` returns one query at a time, as (how many
    statements, the last one's seq, the page), each after the last seq of the one
    before."""

    def pages(session: Session, window: tuple[int, int]) -> Iterator[tuple[int, T]]:
        after: int | None = None
        while True:
            count, last, page = fetch(session, after, window)
            if count:
                yield count, page
            if count < size:
                return
            after = last

    return pages


def _walk(
    db: Database,
    size: int,
    progress: Callable[[int], object] | None,
    pages: Pages[T],
    *,
    ascending: bool,
    max_seq: int | None,
) -> Iterator[T]:
    """The pages ``pages`` gives for each window of the store's seq range (up to
    ``max_seq``), inside one read transaction."""
    with db.querying() as session:
        low, high = export_store.seq_range(session)
        if max_seq is not None:
            high = min(high, max_seq)
        # Walk (low, high] in seq windows: a few pages wide where statements match
        # densely, doubling while they are sparse (a narrow filter on a big store).
        width = size * WINDOW_PAGES
        position = low if ascending else high
        while position < high if ascending else position > low:
            if ascending:
                window = (position, min(high, position + width))
                position = window[1]
            else:
                window = (max(low, position - width), position)
                position = window[0]
            found = 0
            for count, page in pages(session, window):
                found += count
                if progress is not None:
                    progress(count)
                yield page
            sparse = found < size
            width = min(width * 2, size * MAX_WINDOW_PAGES) if sparse else size * WINDOW_PAGES


def _csv(rows: list[ExportRow]) -> bytes:
    return csvfile.rows(csv_record(row) for row in rows)


def csv_record(row: ExportRow) -> list[Any]:
    """One CSV row in ``CSV_HEADER`` order, ``None`` for what a statement lacks; the
    cells are made safe by ``lrs.csvfile``."""
    statement = orjson.loads(row.payload)
    actor = statement.get("actor") or {}
    target = statement.get("object") or {}
    definition = target.get("definition") or {}
    result = statement.get("result") or {}
    score = result.get("score") or {}
    verb = statement.get("verb") or {}
    context = statement.get("context") or {}
    return [
        statement.get("timestamp"),
        statement.get("stored"),
        statement.get("id"),
        actor.get("name"),
        _identity(actor),
        verb.get("id"),
        _label(verb.get("display")),
        target.get("id"),
        _label(definition.get("name")) or target.get("name"),
        target.get("objectType", "Activity"),
        definition.get("type"),
        score.get("scaled"),
        score.get("raw"),
        result.get("success"),
        result.get("completion"),
        result.get("duration"),
        context.get("registration"),
        row.course,
        row.source_kind,
        row.voided,
        row.team,
        context.get("platform"),
    ]


def _identity(actor: Mapping[str, Any]) -> str | None:
    # The IFI without our key's kind prefix: mailto:..., an openid, a sha1 or homePage|name.
    key = agent_key(actor)
    return key.split(":", 1)[1] if key else None


def _label(language_map: Mapping[str, str] | None) -> str | None:
    if not language_map:
        return None
    for language in ("en-US", "en", "en-GB", "und"):
        if language in language_map:
            return language_map[language]
    return next(iter(language_map.values()))


# --- lossless import -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    statement: Statement
    voided: bool


def import_statements(
    db: Database,
    lines: Iterable[bytes | str],
    *,
    batch_size: int = IMPORT_BATCH_SIZE,
    progress: Callable[[int], object] | None = None,
) -> ImportResult:
    """Store the statements of an NDJSON export exactly as exported, in batches.

    Each batch is one transaction; ids already present are skipped, so an interrupted
    import can simply be run again. A line that cannot be stored (not JSON, not an
    exported statement, invalid, or refused by a rule of the store such as voiding a
    voiding statement) is rejected with its line number and the reason; every other
    line is stored, those after it included.
    """
    result = ImportResult()
    batch: list[_Line] = []
    for line in _parse(lines):
        if isinstance(line, _Rejected):
            result.rejected.append((line.number, line.reason))
            continue
        batch.append(line)
        if len(batch) >= batch_size:
            _import_batch(db, batch, result)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        _import_batch(db, batch, result)
        if progress is not None:
            progress(len(batch))
    result.rejected.sort()
    return result


def is_export_line(line: Mapping[str, Any]) -> bool:
    """True when a parsed NDJSON line looks like our export: a stored statement or a
    voided-statement envelope (every exported statement carries ``stored``)."""
    if set(line) == {"voided", "statement"}:
        return True
    return "stored" in line and "authority" in line and "id" in line


def is_export(data: bytes) -> bool:
    """True when NDJSON ``data`` starts with a line of an export (see ``is_export_line``)."""
    for raw in io.BytesIO(data):
        if raw.strip():
            try:
                line = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return False
            return isinstance(line, dict) and is_export_line(line)
    return False


# What ``write_statements`` reads from a stored statement: an export always has them.
_STORED_KEYS = ("id", "stored", "timestamp", "version", "authority")


@dataclass(frozen=True)
class _Rejected:
    number: int
    reason: str


def _parse(lines: Iterable[bytes | str]) -> Iterator[_Line | _Rejected]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield _parse_line(number, raw)
        except (BadRequest, StatementError) as error:
            where = f"{error.path}: " if error.path else ""
            yield _Rejected(number, f"{where}{error.message}")


def _parse_line(number: int, raw: bytes | str) -> _Line:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"not valid JSON: {error}") from None
    if not isinstance(data, dict) or not is_export_line(data):
        raise BadRequest("not a statement of an NDJSON export (it has no stored or authority)")
    voided = set(data) == {"voided", "statement"}
    statement = data["statement"] if voided else data
    if not isinstance(statement, dict):
        raise BadRequest("must be an object", "statement")
    for key in _STORED_KEYS:
        if key not in statement:
            raise BadRequest("missing; every statement of an export has it", key)
    version = "2.0.0" if str(statement["version"]).startswith("2.") else "1.0.3"
    # The data model's checks (its schemas) for the import alone: no export needs them.
    from statements import check_restored, validate

    valid = validate(statement, version)
    check_restored(valid, dt.datetime.now(dt.UTC))
    return _Line(number, valid, voided and bool(data["voided"]))


def _import_batch(db: Database, batch: list[_Line], result: ImportResult) -> None:
    try:
        _write_batch(db, batch, result)
    except (BadRequest, StatementError, IntegrityError) as error:
        if len(batch) == 1:
            result.rejected.append((batch[0].number, _reason(error)))
            return
        # The batch rolled back whole: store its lines one by one to find the bad ones.
        for line in batch:
            _import_batch(db, [line], result)


def _reason(error: Exception) -> str:
    if isinstance(error, BadRequest | StatementError):
        return f"{error.path}: {error.message}" if error.path else error.message
    return "conflicts with a statement stored meanwhile"


def _write_batch(db: Database, batch: list[_Line], result: ImportResult) -> None:
    # The ingest's writer and the facts, imported by the import alone: an export never
    # needs them.
    from lrs.services.statements import write_statements
    from lrs.store import facts as fact_store

    now = dt.datetime.now(dt.UTC)
    with db.writing() as session:
        ids = [line.statement["id"] for line in batch]
        present = set(statement_store.existing(session, ids))
        fresh: list[_Line] = []
        for line in batch:
            if line.statement["id"] not in present:
                present.add(line.statement["id"])  # a repeated line is skipped
                fresh.append(line)
        if fresh:
            write_statements(
                session, [line.statement for line in fresh], now, may_define=True, rules=db.rules
            )
        # Voided in the source, whether or not its voiding statement came along.
        voided = [line.statement["id"] for line in fresh if line.voided]
        statement_store.mark_voided(session, voided)
        fact_store.forget(session, voided)
    result.imported += len(fresh)
    result.skipped += len(batch) - len(fresh)
    result.voided += len(voided)
