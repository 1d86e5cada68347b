"""The only place that knows SQLite from PostgreSQL: inserts that ignore or merge, bulk
inserts (COPY), writes sent together (a pipeline), row locks, the text both can compare,
lines of text streamed in order (COPY), day arithmetic (days after a day, a day's month), the
form a timestamp is read in, a column kept from SQLite's indexes, queries planned as walks
of an index in their order, and the state of the data a read transaction sees
(``data_version``)."""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import Insert
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.functions import FunctionElement


def _insert(dialect: str, table: Table) -> Any:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _dialect(session: Session) -> str:
    name: str = session.get_bind().dialect.name
    return name


# The statements below are built once per table and shape and then reused: building an
# INSERT ... ON CONFLICT and computing its cache key cost more than running it for the
# few rows of a single-statement request (the ingest writes six of them per request).
@functools.cache
def _ignoring(dialect: str, table: Table) -> Insert:
    statement: Insert = _insert(dialect, table).on_conflict_do_nothing()
    return statement


@functools.cache
def _ignoring_on(dialect: str, table: Table, key: tuple[str, ...]) -> Insert:
    statement: Insert = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(key))
    return statement


@functools.cache
def _overwriting(
    dialect: str, table: Table, key: tuple[str, ...], update: tuple[str, ...],
    changed: tuple[str, ...],
) -> Any:  # fmt: skip
    statement = _insert(dialect, table)
    differs = [table.c[column].is_distinct_from(statement.excluded[column]) for column in changed]
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: statement.excluded[column] for column in update},
        where=or_(*differs) if differs else None,
    )


@functools.cache
def _adding(
    dialect: str, table: Table, key: tuple[str, ...], columns: tuple[str, ...],
    greatest: tuple[str, ...], least: tuple[str, ...],
) -> Any:  # fmt: skip
    statement = _insert(dialect, table)
    larger = func.greatest if dialect == "postgresql" else func.max
    smaller = func.least if dialect == "postgresql" else func.min
    set_: dict[str, Any] = {name: table.c[name] + statement.excluded[name] for name in columns}
    for name in greatest:
        old, new = table.c[name], statement.excluded[name]
        set_[name] = larger(func.coalesce(old, new), func.coalesce(new, old))
    for name in least:
        old, new = table.c[name], statement.excluded[name]
        set_[name] = smaller(func.coalesce(old, new), func.coalesce(new, old))
    return statement.on_conflict_do_update(index_elements=list(key), set_=set_)


@functools.cache
def _plain(table: Table) -> Insert:
    return insert(table)


@dataclass(frozen=True)
class _Plan:
    """A write compiled once for a dialect and the rows' keys, run on the driver."""

    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    processors: tuple[Any, ...]  # each parameter's conversion (dates on SQLite, JSON...)
    positional: bool


_PLANS: dict[tuple[str, Any, tuple[str, ...]], _Plan | None] = {}


def _plan(dialect: Any, statement: Any, names: tuple[str, ...]) -> _Plan | None:
    key = (dialect.name, statement, names)
    if key not in _PLANS:
        compiled: Any = statement.compile(dialect=dialect, column_keys=list(names))
        order = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        # Only a write whose parameters are the rows' values, one each, goes to the driver
        # (no default that SQLAlchemy would fill in, no name it would have to escape).
        plain = sorted(order) == sorted(names) and not compiled.escaped_bind_names
        processors = compiled._bind_processors  # what SQLAlchemy applies itself
        _PLANS[key] = (
            _Plan(compiled.string, order, tuple(processors.get(n) for n in order),
                  compiled.positional)
            if plain
            else None
        )  # fmt: skip
    return _PLANS[key]


_FEW_VALUES = 8


def _run(session: Session, statement: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Run a write that returns nothing for each row, straight on the driver's cursor
    with the SQL compiled once (on SQLite, and for one row on PostgreSQL): SQLAlchemy's
    execute (its cache key, compiled parameters and result for every statement) cost
    more than the writes themselves of a single-statement request. The engine's
    ``before_cursor_execute`` listeners still see each write; the driver's errors are
    raised as SQLAlchemy's, as by ``session.execute``."""
    connection = session.connection()
    dialect = connection.dialect
    # Many rows go to PostgreSQL as one INSERT of many VALUES ("insertmanyvalues"):
    # less work there, and less CPU in all, than an INSERT per row in a pipeline. A few
    # (a single statement's index rows and filter values) cost less as the prepared
    # INSERT run for each: SQLAlchemy's execute costs more than their writes.
    several = dialect.name == "postgresql" and len(rows) > _FEW_VALUES
    plan = None if several else _plan(dialect, statement, tuple(rows[0]))
    if plan is None:
        session.execute(statement, list(rows))
        return
    converting = any(process is not None for process in plan.processors)
    if plan.positional:
        pairs = tuple(zip(plan.names, plan.processors, strict=True))
        parameters: list[Any] = [
            tuple(row[name] if process is None else process(row[name]) for name, process in pairs)
            for row in rows
        ]
    elif converting:
        pairs = tuple(zip(plan.names, plan.processors, strict=True))
        parameters = [
            {name: row[name] if process is None else process(row[name]) for name, process in pairs}
            for row in rows
        ]
    else:
        parameters = list(rows)
    driver: Any = connection.connection.driver_connection
    dbapi: Any = dialect.loaded_dbapi
    with contextlib.closing(driver.cursor()) as cursor:
        for listen in connection.dispatch.before_cursor_execute:
            listen(connection, cursor, plan.sql, parameters, None, True)
        try:
            cursor.executemany(plan.sql, parameters)
        except dbapi.Error as error:
            raise DBAPIError.instance(
                plan.sql, parameters, error, dbapi.Error, dialect=dialect, ismulti=True
            ) from error


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, silently skipping those whose key already exists."""
    if not rows:
        return
    _run(session, _ignoring(_dialect(session), table), rows)


def insert_new(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> None:
    """Insert rows, skipping those whose ``key`` already exists; a row that breaks another
    unique constraint of the table raises, as a plain insert would."""
    if not rows:
        return
    _run(session, _ignoring_on(_dialect(session), table, tuple(key)), rows)


def insert_ignore_select(
    session: Session, table: Table, columns: Sequence[str], query: Select[Any]
) -> None:
    """Insert the rows ``query`` selects, skipping those whose key already exists."""
    statement = _insert(_dialect(session), table).from_select(list(columns), query)
    session.execute(statement.on_conflict_do_nothing())


# Up to this many rows, a request's new rows go to PostgreSQL as INSERTs in a pipeline
# (no round trip of their own) rather than by COPY (two round trips each, cheaper per row).
FEW_ROWS = 64


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows (each with the keys of the first): one COPY on PostgreSQL (a batch
    of 100 statements costs about a tenth less CPU, client and server, than with an
    INSERT per row), an INSERT run for every row on SQLite (in process: nothing to save)
    and inside a pipeline (``pipelined``, where COPY cannot run)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" or _in_pipeline(session):
        _run(session, _plain(table), rows)
        return
    names = list(rows[0])
    processors = _bind_processors(dialect.name, table, tuple(names), dialect)
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    driver: Any = session.connection().connection.driver_connection  # psycopg's own
    copying = f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(copying) as copy:
        for row in rows:
            copy.write_row(
                [value if process is None else process(value)
                 for value, process in zip(map(row.__getitem__, names), processors, strict=True)]
            )  # fmt: skip


def _in_pipeline(session: Session) -> bool:
    driver: Any = session.connection().connection.driver_connection
    return bool(driver.pgconn.pipeline_status)


@contextlib.contextmanager
def pipelined(session: Session, *, when: bool = True) -> Iterator[None]:
    """Send the statements run inside to PostgreSQL without waiting for each answer (one
    round trip for all, psycopg's pipeline mode; ``when`` false: one each as usual);
    their errors are raised at the end, as SQLAlchemy's exceptions like any other
    statement's. Only for statements that return nothing: a SELECT's rows are not there
    to be read. Inside another ``pipelined`` block, its statements join that block's
    (a nested pipeline would send its own sync). SQLite runs in process: nothing to save."""
    if not when or _dialect(session) != "postgresql" or _in_pipeline(session):
        yield
        return
    dbapi: Any = session.get_bind().dialect.dbapi
    driver: Any = session.connection().connection.driver_connection
    try:
        with driver.pipeline():
            yield
    except dbapi.Error as error:
        raise DBAPIError.instance(None, None, error, dbapi.Error) from error


# A SELECT rather than SET LOCAL: psycopg prepares a statement it has run a few times on
# a connection, and PostgreSQL prepares only queries.
_SORTS_OFF = select(func.set_config("enable_sort", "off", True))
_SORTS_ON = select(func.set_config("enable_sort", "on", True))


@contextlib.contextmanager
def in_index_order(session: Session) -> Iterator[None]:
    """Plan the queries run inside as walks of an index in their ORDER BY, stopped at
    their LIMIT, wherever such an index exists.

    For ``ORDER BY seq LIMIT n`` PostgreSQL weighs that walk against collecting every
    match (a bitmap scan, say) and sorting it, by the number of matches it expects: with
    too few expected (no statistics yet, a key missing from them, the seq bounds of a
    later page, or a prepared statement's generic plan, which knows no value) it sorts,
    and a page of a common verb, agent or parent activity then reads every match below
    it. Sorting is disabled for those queries only (``SET LOCAL``, so also when the
    transaction ends early) and allowed again after them. SQLite walks the index of the
    ORDER BY whenever one serves the filter: nothing to do."""
    if _dialect(session) != "postgresql":
        yield
        return
    session.execute(_SORTS_OFF)
    yield
    session.execute(_SORTS_ON)


_PROCESSORS: dict[tuple[str, Table, tuple[str, ...]], list[Any]] = {}


def _bind_processors(name: str, table: Table, names: tuple[str, ...], dialect: Any) -> list[Any]:
    # The columns' own conversions (aware UTC datetimes, ...), as an INSERT applies them.
    key = (name, table, names)
    if key not in _PROCESSORS:
        _PROCESSORS[key] = [table.c[column].type.bind_processor(dialect) for column in names]
    return _PROCESSORS[key]


def share_rows(session: Session, key: ColumnElement[Any], values: Sequence[Any]) -> None:
    """Wait for the transactions writing these rows and keep them from being written until
    this one ends. PostgreSQL only: SQLite runs one write transaction at a time."""
    if values and _dialect(session) == "postgresql":
        session.execute(_sharing(key), {"values": list(values)}).all()


@functools.cache
def _sharing(key: ColumnElement[Any]) -> Select[Any]:
    # Built once per column: ingest runs it for every request on PostgreSQL.
    values: BindParameter[Any] = bindparam("values", expanding=True)
    return select(key).where(key.in_(values)).with_for_update(read=True)


def lock_in_key_order(
    session: Session, table: Table, columns: Sequence[str], keys: Sequence[tuple[Any, ...]]
) -> None:
    """Lock the rows of ``table`` whose ``columns`` hold one of ``keys``, in the order of
    their primary keys as Python sorts them (text by code point: collation "C"), the order
    in which ``increment`` and ``insert_ignore`` take the rows of a sorted batch. A DELETE
    by a list of keys locks rows in the order its plan meets them (the heap's): run first,
    this keeps it from holding one row of two that a concurrent batch adds to in key order
    while waiting for the other (a deadlock). PostgreSQL only: SQLite runs one write
    transaction at a time."""
    if not keys or _dialect(session) != "postgresql":
        return
    chosen = [table.c[column] for column in columns]
    order = [*chosen, *(column for column in table.primary_key.columns if column not in chosen)]
    collated = [c.collate("C") if isinstance(c.type, String) else c for c in order]
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _LOCK_CHUNK):
        chunk = ordered[start : start + _LOCK_CHUNK]
        condition = (
            chosen[0].in_([key[0] for key in chunk])
            if len(chosen) == 1
            else tuple_(*chosen).in_(chunk)
        )
        session.execute(
            select(literal(1)).select_from(table).where(condition).order_by(*collated)
            .with_for_update()
        ).all()  # fmt: skip


_LOCK_CHUNK = 500


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    update: Sequence[str],
    changed: Sequence[str] = (),
) -> None:
    """Insert rows, or overwrite the ``update`` columns where ``key`` already exists; with
    ``changed``, only the rows where one of those columns differs are written (a row
    rewritten with what it holds is a dead row on PostgreSQL until vacuum)."""
    if not rows:
        return
    statement = _overwriting(_dialect(session), table, tuple(key), tuple(update), tuple(changed))
    _run(session, statement, rows)


def increment(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    column: str | Sequence[str],
    greatest: Sequence[str] = (),
    least: Sequence[str] = (),
) -> None:
    """Insert rows, or add their ``column`` (one or several) to the row with the same
    ``key`` (counters); ``greatest`` columns keep the larger non-null value, ``least``
    columns the smaller."""
    if not rows:
        return
    columns = (column,) if isinstance(column, str) else tuple(column)
    statement = _adding(
        _dialect(session), table, tuple(key), columns, tuple(greatest), tuple(least)
    )
    _run(session, statement, rows)


def groups_by_hashing(session: Session) -> bool:
    """True on PostgreSQL, which groups rows by hashing them and sorts the values of
    each ``count(DISTINCT ...)`` apart: there, grouping a range's rows by (course,
    person) once costs less than counting several distinct sets. SQLite groups and
    counts distinct values in b-trees, cheap when the rows come in their order from an
    index."""
    return _dialect(session) == "postgresql"


def month_of(session: Session, day: Any) -> ColumnElement[Any]:
    """The first day of the month of ``day`` (a date column), in SQL."""
    if _dialect(session) == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def storable_text(text: str) -> bool:
    """Text both databases can hold and compare: PostgreSQL keeps U+0000 in no text
    column, and neither driver sends a lone surrogate (it is not UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def streamed_rows(
    session: Session, rows: Select[Any], size: int, types: Sequence[str]
) -> Iterator[Sequence[Any]]:
    """The rows of ``rows`` (a select whose columns have the PostgreSQL ``types``, in its
    order) in chunks of at most ``size``, for a long read such as an export.

    PostgreSQL sends them with ``COPY (...) TO STDOUT`` in its binary form: the server
    writes the rows while they are read here (one query instead of one per page, each
    answered before the next is asked), and bytes come as they are stored, not as text.
    SQLite's rows are read from its cursor a chunk at a time.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield from connection.execute(rows).partitions(size)
        return
    dialect = connection.dialect
    compiled = rows.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    # The values as the driver would be given them (an aware time made UTC, ...); COPY
    # takes no parameters, so psycopg writes them into the statement as literals.
    for bind, name in compiled.bind_names.items():
        processor = bind.type.bind_processor(dialect)
        if processor is not None and name in params:
            params[name] = processor(params[name])
    driver = connection.connection.driver_connection
    statement = f"COPY ({compiled}) TO STDOUT (FORMAT binary)"
    with driver.cursor() as cursor, cursor.copy(statement, params) as copy:  # type: ignore[union-attr]
        copy.set_types(list(types))
        chunk: list[Any] = []
        for row in copy.rows():
            chunk.append(row)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


class days_after(FunctionElement[Any]):
    """``days_after(day, n)``: the day ``n`` (a whole number, written into the SQL) days
    after a day, in SQL: so that a window of days is computed where it is compared, on
    SQLite (a day is ISO 8601 text) as on PostgreSQL (a ``date``)."""

    type = Date()
    name = "days_after"
    inherit_cache = True

    def __init__(self, day: Any, days: int) -> None:
        # The number is SQL text, not a parameter: part of the statement's cache key.
        super().__init__(day, literal_column(str(int(days)), Integer()))


def _days_after_parts(element: days_after, compiler: SQLCompiler, **kw: Any) -> tuple[str, int]:
    day, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return day, int(days)


@compiles(days_after, "sqlite")
def _days_after_sqlite(element: days_after, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = _days_after_parts(element, compiler, **kw)
    return f"date({day}, '{days:+d} days')"


@compiles(days_after, "postgresql")
def _days_after_postgresql(element: days_after, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = _days_after_parts(element, compiler, **kw)
    return f"({day} + {days:d})"


class read_time(FunctionElement[Any]):
    """``read_time(timestamp)``: a timestamp column in the form its driver reads for
    least, for ``lrs.insight._sql.utc`` to turn into times: whole microseconds since
    1970-01-01 UTC on PostgreSQL (an integer, where its text would be read and then
    parsed), the time's own ISO 8601 text on SQLite (computing the number there costs
    more than parsing the text)."""

    name = "read_time"
    inherit_cache = True


@compiles(read_time, "sqlite")
def _read_time_sqlite(element: read_time, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS VARCHAR)"


@compiles(read_time, "postgresql")
def _read_time_postgresql(element: read_time, compiler: SQLCompiler, **kw: Any) -> str:
    time = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {time}) * 1000000 AS BIGINT)"


class unindexed(FunctionElement[Any]):
    """``unindexed(column)``: the column's value, which SQLite's planner may not reach
    through an index (``+column``): so that a query compares it entry by entry in the
    index the rest of its conditions choose. PostgreSQL weighs its indexes from their
    sizes, and reads the column as it is."""

    name = "unindexed"
    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


@compiles(unindexed, "postgresql")
def _unindexed_postgresql(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


TIME_SEPARATOR = "\x1e"
"""What ``joined_times`` puts between times: a control character, in no time's text."""


class joined_times(FunctionElement[Any]):
    """``joined_times(timestamp)``: an aggregate, the group's timestamps as ``read_time``
    gives them (microseconds since the epoch on PostgreSQL, ISO 8601 text on SQLite) as
    text joined by ``TIME_SEPARATOR``, in no particular order: one value per group to
    split, where a row per timestamp costs the driver a row and Python its objects."""

    name = "joined_times"
    inherit_cache = True


@compiles(joined_times, "sqlite")
def _joined_times_sqlite(element: joined_times, compiler: SQLCompiler, **kw: Any) -> str:
    time = compiler.process(element.clauses, **kw)
    return f"group_concat(CAST({time} AS VARCHAR), char({ord(TIME_SEPARATOR)}))"


@compiles(joined_times, "postgresql")
def _joined_times_postgresql(element: joined_times, compiler: SQLCompiler, **kw: Any) -> str:
    time = compiler.process(element.clauses, **kw)
    micro = f"CAST(EXTRACT(EPOCH FROM {time}) * 1000000 AS BIGINT)"
    return f"string_agg(CAST({micro} AS TEXT), chr({ord(TIME_SEPARATOR)}))"


# -- which state of the data a read transaction sees ---------------------------------

_SEEN = "lrs_data_version"
"""Where a SQLite connection keeps the ``PRAGMA data_version`` it read last (its pooled
DBAPI connection's ``info``, which lives as long as that connection)."""


class _Epoch:
    """A SQLite database's count of the changes its readers in this process have noticed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = 0


_epochs: weakref.WeakKeyDictionary[Any, _Epoch] = weakref.WeakKeyDictionary()
_epochs_lock = threading.Lock()


def _epoch(pool: Any) -> _Epoch:
    with _epochs_lock:
        epoch = _epochs.get(pool)
        if epoch is None:
            epoch = _epochs[pool] = _Epoch()
        return epoch


def data_version(session: Session) -> Hashable | None:
    """A value that is equal for two read transactions only when they see the same data
    (every table, every row), or None when this one cannot tell. Read first in the
    transaction, before anything else, so that what it reads afterwards is that data or
    data written later (never older).

    PostgreSQL: the transaction's snapshot (``pg_current_snapshot``), which changes when
    any transaction that wrote commits or aborts. SQLite: ``PRAGMA data_version`` starts
    the read transaction and tells a connection whether another one committed since it
    last looked, but neither its own commits (``forget_data_version`` marks them) nor
    anything comparable between connections; so this process counts the changes its
    connections notice, and a transaction that notices one (or runs on a connection not
    seen before or that wrote since) answers None, since it cannot know whether an answer
    of the count it started with was computed before that change."""
    connection = session.connection()
    url = str(connection.engine.url)
    if connection.dialect.name == "postgresql":
        snapshot = connection.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar()
        return (url, snapshot)
    epoch = _epoch(connection.engine.pool)
    with epoch.lock:
        before = epoch.value
    seen = connection.exec_driver_sql("PRAGMA data_version").scalar()
    with epoch.lock:
        if connection.info.get(_SEEN) == seen:
            return (url, before)
        connection.info[_SEEN] = seen
        epoch.value += 1
        return None


def forget_data_version(connection: Any) -> None:
    """Listener of a SQLite engine's ``commit``: what this connection commits does not
    change its own ``PRAGMA data_version``, so its next read starts as on a connection
    never seen (``data_version``)."""
    connection.info.pop(_SEEN, None)
