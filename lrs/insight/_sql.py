"""Shared SQL and frame helpers of the read side's queries (private to ``lrs.insight``).

Every number is a SQL aggregate over ``learning_fact`` (one narrow row per stored,
non-voided statement), its tags, or a rollup (``daily_activity`` per day and filter
dimension, ``actor_day`` per person with ``actor_informal_month`` and ``actor_month``,
``course_progress`` per course, person and day, ``course_learner`` per course and person,
``hourly_activity``, ``content_day``, ``tag_day`` and ``activity_day`` with their monthly
sums, ``content_use_month`` per content and person) — never over statement payloads. These
helpers turn ``Filters`` into conditions on each table, say which rollup can answer, and
read results into DataFrames. Lists are limited in SQL and carry the size of the whole set
in ``frame.attrs["total"]`` ("top 10 of N").

They also enforce who may see what: ``Filters.scope`` (``lrs.insight.scope``) becomes
conditions in the same helpers (``scope_conditions``), so a query that uses them cannot
forget it. A member's scope (one person) is answered from the facts or the per-person
rollups only: ``daily_activity`` and ``hourly_activity`` do not know people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from pandas.api.types import is_numeric_dtype
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from lrs.insight.concepts import AUTHORING, COMPLETED, CONTRIBUTE, RESPONDING
from lrs.insight.filters import Filters
from lrs.insight.scope import Scope
from lrs.store.models import (
    ActorDay,
    ContentAuthor,
    CourseLearner,
    CourseProgress,
    DailyActivity,
    FilterValue,
    LearningFact,
)

F = LearningFact
R = DailyActivity
A = ActorDay
P = CourseProgress
L = CourseLearner
_ROWS_PER_BATCH = 500


def uses_rollup(filters: Filters) -> bool:
    """True when ``daily_activity`` can answer counts under these filters (not for one
    person, nor for a scope of one person)."""
    return filters.activity is None and filters.person is None and filters.scope.person is None


def uses_people_rollup(filters: Filters) -> bool:
    """True when ``actor_day`` can answer per-person counts (day range and team only;
    ``hourly_activity`` too, so never for a scope of one person)."""
    return (
        filters.activity is None
        and filters.person is None
        and filters.kind is None
        and filters.platform is None
        and filters.verb is None
        and filters.scope.person is None
    )


def unfiltered(filters: Filters) -> bool:
    """True for all time, every team, everyone in scope: the rollups kept over all days
    (``course_learner``, ``filter_value``) can answer."""
    return filters == Filters()


def uses_learner_rollup(filters: Filters) -> bool:
    """True when ``course_learner`` answers per (course, person) questions: unfiltered
    (it sums each pair's days and keeps one team per pair)."""
    return unfiltered(filters)


def scope_conditions(
    scope: Scope, table: Any = F, *, person: Any = None
) -> list[ColumnElement[bool]]:
    """Conditions that keep the rows of ``table`` to what ``scope`` allows: its ``team``
    among the scope's teams, its person (``actor_key``, or the ``person`` column given)
    the scope's person. A table without the columns a scope needs answers nothing."""
    conditions: list[ColumnElement[bool]] = []
    if scope.teams is not None:
        team = getattr(table, "team", None)
        conditions.append(false() if team is None else team.in_(sorted(scope.teams)))
    if scope.person is not None:
        column = person if person is not None else getattr(table, "actor_key", None)
        conditions.append(false() if column is None else column == scope.person)
    return conditions


def people_conditions(
    filters: Filters, table: Any = A, *, day: Any = None
) -> list[ColumnElement[bool]]:
    """Conditions on ``actor_day`` (or ``course_progress``, ``hourly_activity``) for the
    scope, the day range and team; ``day``, when given, stands for the table's day
    column in the range (``unindexed(table.day)``, say)."""
    conditions = scope_conditions(filters.scope, table)
    day = table.day if day is None else day
    if filters.start is not None:
        conditions.append(day >= filters.start)
    if filters.end is not None:
        conditions.append(day <= filters.end)
    if filters.team is not None:
        conditions.append(table.team == filters.team)
    return conditions


def fact_conditions(filters: Filters, table: Any = F) -> list[ColumnElement[bool]]:
    """Conditions on ``learning_fact`` (or an alias of it) for every filter."""
    conditions = rollup_conditions(filters, table)
    if filters.activity is not None:
        conditions.append(
            or_(table.activity_id == filters.activity, table.space_id == filters.activity)
        )
    if filters.person is not None:
        conditions.append(table.actor_key == filters.person)
    return conditions


def rollup_conditions(filters: Filters, table: Any = R) -> list[ColumnElement[bool]]:
    """Conditions on ``daily_activity`` (or the facts) for all but activity and person."""
    conditions = people_conditions(filters, table)
    if filters.kind is not None:
        conditions.append(table.source_kind == filters.kind)
    if filters.platform is not None:
        conditions.append(table.platform == filters.platform)
    if filters.verb is not None:
        conditions.append(table.verb_id == filters.verb)
    return conditions


def read_frame(
    session: Session, query: Executable, columns: Sequence[str], *, raw: bool = False
) -> pd.DataFrame:
    """The rows of ``query`` as a frame of ``columns``; ``raw``: as ``read_columns``
    reads them (a query of text and integer columns only)."""
    # Core execution on the session's connection: the ORM's result wrapping costs more
    # than the query itself on the larger frames. The rows are read in batches smaller
    # than the garbage collector's threshold (700 new objects) and kept as columns of
    # plain values: holding every row at once set off collections of the whole heap
    # that cost as much as the query.
    if raw:
        values = read_columns(session, query, len(columns))
    else:
        values = [[] for _ in columns]
        for batch in session.connection().execute(query).partitions(_ROWS_PER_BATCH):
            for column, batch_values in zip(values, zip(*batch, strict=True), strict=True):
                column.extend(batch_values)
    if not values[0]:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(dict(zip(columns, values, strict=True)), columns=list(columns))


def read_columns(session: Session, query: Executable, count: int) -> list[list[Any]]:
    """The ``count`` columns of ``query``'s rows as lists, read from the database
    driver's own rows, in batches as ``read_frame`` reads them. Only for columns that
    both drivers give as Python wants them, with no conversion of SQLAlchemy's (text,
    integers, ``raw_time``): building SQLAlchemy's row of each cost twice the query at
    a hundred thousand rows."""
    values: list[list[Any]] = [[] for _ in range(count)]
    result: Any = session.connection().execute(query)
    try:
        cursor = result.cursor
        while batch := cursor.fetchmany(_ROWS_PER_BATCH):
            for column, batch_values in zip(values, zip(*batch, strict=True), strict=True):
                column.extend(batch_values)
    finally:
        result.close()
    return values


def utc(values: Any) -> pd.Series:
    """Timestamps read raw (``raw_time``, or ``read_time``: microseconds since the epoch
    on PostgreSQL) as a UTC datetime series, in nanoseconds whatever the text's
    precision (or none, when empty), so that series compare and merge with one another."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if is_numeric_dtype(series.dtype) or _holds_integers(series):
        # In microseconds first: a time beyond what nanoseconds hold is refused, as its
        # text is, instead of wrapping round.
        return pd.to_datetime(series.astype("Int64"), unit="us", utc=True).dt.as_unit("ns")
    parsed = pd.to_datetime(series.astype(object), utc=True, format="ISO8601")
    return parsed.dt.as_unit("ns")


def _holds_integers(series: pd.Series) -> bool:
    """True for a column of Python integers (and None) in an object series."""
    first = series.first_valid_index()
    return first is not None and isinstance(series[first], int)


def raw_time(column: Any) -> Any:
    """A timestamp read as ISO 8601 text, for ``utc`` to parse in one vectorised step:
    converting row by row costs more than the query on the larger frames."""
    return cast(column, String)


def with_total(frame: pd.DataFrame, total: int) -> pd.DataFrame:
    frame.attrs["total"] = int(total)
    return frame


def scalar(session: Session, query: Executable) -> int:
    return int(session.connection().execute(query).scalar() or 0)


def count_distinct(session: Session, column: Any, conditions: Sequence[ColumnElement[bool]]) -> int:
    """``count(DISTINCT column)`` as a count of ``SELECT DISTINCT`` rows: PostgreSQL sorts
    for count(DISTINCT) but hashes a DISTINCT, and SQLite can skip through an index led
    by the column."""
    values = select(column).where(*conditions, column.is_not(None)).distinct().subquery()
    return scalar(session, select(func.count()).select_from(values))


def group_count() -> Any:
    """The number of groups of a grouped query, on each of its rows (its last column)."""
    return func.count().over()


def ranked_frame(
    session: Session, query: Executable, columns: Sequence[str]
) -> tuple[pd.DataFrame, int]:
    """A limited grouped query whose last column is ``group_count()``: the frame and the
    number of groups before the limit, in one pass over the facts."""
    frame = read_frame(session, query, [*columns, "group_count"])
    total = int(frame["group_count"].iloc[0]) if len(frame) else 0
    return frame.drop(columns=["group_count"]), total


def activity_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """Activity display names from the filter bar's rollup (the greatest name seen, as
    ``max(activity_name)`` over the facts would give) without reading every fact of a
    popular activity."""
    if not ids:
        return {}
    V = FilterValue
    rows = session.execute(
        select(V.value, V.label).where(V.dimension == "activity", V.value.in_(list(ids)))
    ).all()
    return {str(activity): str(name) for activity, name in rows if name}


def authored(table: Any = F) -> ColumnElement[bool]:
    """Informal facts that write a post, page or question, with the values inline as
    ``ix_learning_fact_authored`` is written: a planner (SQLite's always) reads a partial
    index only for a query whose conditions show it holds every row asked for."""
    concepts: Any = bindparam(None, AUTHORING, expanding=True, literal_execute=True)
    informal = literal("informal", literal_execute=True)
    return and_(table.concept.in_(concepts), table.source_kind == informal)


def answering(table: Any = F) -> ColumnElement[bool]:
    """Comments and replies, with the values inline as ``ix_learning_fact_answers`` is
    written (see ``authored``)."""
    concepts: Any = bindparam(None, RESPONDING, expanding=True, literal_execute=True)
    condition: ColumnElement[bool] = table.concept.in_(concepts)
    return condition


def contributing(table: Any = F) -> ColumnElement[bool]:
    """Informal contributions on a piece of content, with the values inline as
    ``ix_learning_fact_contributions`` is written (see ``authored``)."""
    concepts: Any = bindparam(None, CONTRIBUTE, expanding=True, literal_execute=True)
    informal = literal("informal", literal_execute=True)
    return and_(
        table.concept.in_(concepts), table.source_kind == informal, table.content_id.is_not(None)
    )


def completing(table: Any = F) -> ColumnElement[bool]:
    """Completions of a course, with the values inline as ``ix_learning_fact_completions``
    is written (see ``authored``)."""
    concepts: Any = bindparam(None, COMPLETED, expanding=True, literal_execute=True)
    return and_(table.concept.in_(concepts), table.course_id.is_not(None))


def content_authors() -> Select[str, str, dt.datetime]:
    """content_id -> author: the actor of the first authored/created statement on it
    (the ``content_author`` rollup)."""
    C = ContentAuthor
    return select(C.content_id, C.author_key, C.at)


Span = tuple[dt.date | None, dt.date | None]
"""A range of days or months, inclusive; None: open at that end."""


def months_within(start: dt.date | None, end: dt.date | None) -> tuple[Span | None, list[Span]]:
    """The whole calendar months inside the day range [start, end] (None: open), as the
    first days of the first and last of them (None when there is none), and the day
    ranges left at its ends."""
    first = start if start is None or start.day == 1 else _next_month(start)
    last = None if end is None else _next_month(end) - dt.timedelta(days=1)
    last_month = None
    if end is not None:
        last_month = end.replace(day=1) if end == last else _month_before(end)
    if first is not None and last_month is not None and first > last_month:
        return None, [(start, end)]
    edges: list[Span] = []
    if start is not None and first is not None and start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    if end is not None and last_month is not None and end >= _next_month(last_month):
        edges.append((_next_month(last_month), end))
    return (first, last_month), edges


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def period_conditions(
    filters: Filters, table: Any, period: Any, span: Span
) -> list[ColumnElement[bool]]:
    """Conditions on a rollup kept per day or per month (``period``: its ``day`` or
    ``month`` column) for the scope, the team and the span of periods (inclusive; None:
    open), e.g. the whole months of a range (``months_within``)."""
    low, high = span
    where = scope_conditions(filters.scope, table)
    if filters.team is not None:
        where.append(table.team == filters.team)
    if low is not None:
        where.append(period >= low)
    if high is not None:
        where.append(period <= high)
    return where


def by_period(
    filters: Filters,
    daily: Any,
    monthly: Any,
    columns: Sequence[str],
    conditions: Callable[[Any], list[ColumnElement[bool]]] | None = None,
) -> Any:
    """``columns`` and ``statements`` of a rollup kept per day and per month, for the
    filters' day range, team and scope: the whole months from the monthly table, the
    days at the range's ends from the daily one (a subquery of their rows, to be summed).
    ``conditions(table)``, when given, adds the question's own conditions on either table."""
    months, edges = months_within(filters.start, filters.end)
    parts = []
    for table, period, ranges in (
        (monthly, monthly.month, [months] if months is not None else []),
        (daily, daily.day, edges),
    ):
        for span in ranges:
            own = conditions(table) if conditions is not None else []
            where = [*period_conditions(filters, table, period, span), *own]
            chosen = [getattr(table, column) for column in (*columns, "statements")]
            parts.append(select(*chosen).where(*where))
    if not parts:  # an empty range: no row, with the columns
        empty = select(*[getattr(daily, column) for column in (*columns, "statements")])
        return empty.where(false()).subquery()
    return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
