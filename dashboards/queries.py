"""Pure read functions of the dashboards: ``(Session, Filters) -> DataFrame``.

Every number is a SQL aggregate over ``learning_fact`` (one narrow row per stored,
non-voided statement), its tags, or the ``daily_activity`` rollup — never over statement
payloads. Queries that the rollup can answer (no person or activity filter) read the
rollup. Lists are limited in SQL and carry the size of the whole set in
``frame.attrs["total"]`` so that a chart can say "top 10 of N". No Dash imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from dashboards.filters import Filters
from lrs.store.facts import (
    AUTHORING,
    COMPLETED,
    ENROLLED,
    FAILED,
    PASSED,
    SESSION_END,
    STARTED,
)
from lrs.store.models import (
    ActorDay,
    ContentAuthor,
    CourseProgress,
    DailyActivity,
    FilterValue,
    HourlyActivity,
    LearningFact,
    LearningFactTag,
)
from statements.vocabulary import ACTION_OF_CONCEPT

F = LearningFact
R = DailyActivity
A = ActorDay
P = CourseProgress

CONTRIBUTE = tuple(c for c, a in ACTION_OF_CONCEPT.items() if a == "contribute")
REACT = tuple(c for c, a in ACTION_OF_CONCEPT.items() if a == "react")
CONSUME = tuple(c for c, a in ACTION_OF_CONCEPT.items() if a == "consume")
RESPONDING = ("commented", "replied")
KNOWLEDGE_CONCEPTS = ("authored", "created", "edited", "commented", "replied", "asked", "liked")
_ROWS_PER_BATCH = 500


# -- filters -------------------------------------------------------------------------


def uses_rollup(filters: Filters) -> bool:
    """True when ``daily_activity`` can answer counts under these filters."""
    return filters.activity is None and filters.person is None


def uses_people_rollup(filters: Filters) -> bool:
    """True when ``actor_day`` can answer per-person counts (day range and team only)."""
    return (
        filters.activity is None
        and filters.person is None
        and filters.kind is None
        and filters.platform is None
        and filters.verb is None
    )


def _people_conditions(filters: Filters, table: Any = A) -> list[ColumnElement[bool]]:
    """Conditions on ``actor_day`` (or ``course_progress``) for the day range and team."""
    conditions: list[ColumnElement[bool]] = []
    if filters.start is not None:
        conditions.append(table.day >= filters.start)
    if filters.end is not None:
        conditions.append(table.day <= filters.end)
    if filters.team is not None:
        conditions.append(table.team == filters.team)
    return conditions


def fact_conditions(filters: Filters, table: Any = F) -> list[ColumnElement[bool]]:
    """Conditions on ``learning_fact`` (or an alias of it) for every filter."""
    conditions = _rollup_conditions(filters, table)
    if filters.activity is not None:
        conditions.append(
            or_(table.activity_id == filters.activity, table.space_id == filters.activity)
        )
    if filters.person is not None:
        conditions.append(table.actor_key == filters.person)
    return conditions


def _rollup_conditions(filters: Filters, table: Any = R) -> list[ColumnElement[bool]]:
    """Conditions on ``daily_activity`` (or the facts) for all but activity and person."""
    conditions = _people_conditions(filters, table)
    if filters.kind is not None:
        conditions.append(table.source_kind == filters.kind)
    if filters.platform is not None:
        conditions.append(table.platform == filters.platform)
    if filters.verb is not None:
        conditions.append(table.verb_id == filters.verb)
    return conditions


def _frame(session: Session, query: Executable, columns: Sequence[str]) -> pd.DataFrame:
    # Core execution on the session's connection: the ORM's result wrapping costs more
    # than the query itself on the larger frames. The rows are read in batches smaller
    # than the garbage collector's threshold (700 new objects) and kept as columns of
    # plain values: holding every row at once set off collections of the whole heap
    # that cost as much as the query.
    values: list[list[Any]] = [[] for _ in columns]
    for batch in session.connection().execute(query).partitions(_ROWS_PER_BATCH):
        for column, batch_values in zip(values, zip(*batch, strict=True), strict=True):
            column.extend(batch_values)
    if not values[0]:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(dict(zip(columns, values, strict=True)), columns=list(columns))


def _utc(values: Any) -> pd.Series:
    """Timestamps read raw (``_raw_time``) as a UTC datetime series, in nanoseconds
    whatever the text's precision (or none, when empty), so that series compare and
    merge with one another."""
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    return parsed.dt.as_unit("ns")


def _raw_time(column: Any) -> Any:
    """A timestamp read as ISO 8601 text, for ``_utc`` to parse in one vectorised step:
    converting row by row costs more than the query on the larger frames."""
    return cast(column, String)


def _with_total(frame: pd.DataFrame, total: int) -> pd.DataFrame:
    frame.attrs["total"] = int(total)
    return frame


def _scalar(session: Session, query: Executable) -> int:
    return int(session.connection().execute(query).scalar() or 0)


# -- filter bar ----------------------------------------------------------------------


def filter_options(session: Session, limit: int = 500) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices of the filter bar: teams, systems, verbs, activities."""
    V = FilterValue

    def values(dimension: str) -> Select[str, str | None]:
        return select(V.value, V.label).where(V.dimension == dimension, V.statements > 0)

    teams = session.execute(values("team").order_by(V.value)).all()
    platforms = session.execute(values("platform").order_by(V.value)).all()
    verbs = session.execute(values("verb").order_by(V.label, V.value)).all()
    activities = session.execute(
        values("activity").order_by(V.statements.desc(), V.value).limit(limit)
    ).all()
    return {
        "team": [(team, team) for team, _ in teams],
        "platform": [(platform, platform) for platform, _ in platforms],
        "verb": [(verb, f"{concept} ({_tail(verb)})") for verb, concept in verbs],
        "activity": [(str(activity), str(name or activity)) for activity, name in activities],
    }


def people_options(session: Session, search: str = "", limit: int = 50) -> pd.DataFrame:
    """People whose name or key contains ``search``, most active first."""
    query = select(F.actor_key, func.max(F.actor_name), func.count()).group_by(F.actor_key)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(F.actor_name).like(pattern), func.lower(F.actor_key).like(pattern))
        )
    query = query.order_by(func.count().desc(), F.actor_key).limit(limit)
    return _frame(session, query, ["actor_key", "name", "statements"])


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


# -- overview ------------------------------------------------------------------------


def summary(session: Session, filters: Filters) -> pd.DataFrame:
    """One row: statements by source kind, distinct people and activities."""
    if uses_rollup(filters):
        kinds = session.execute(
            select(R.source_kind, func.sum(R.statements))
            .where(*_rollup_conditions(filters))
            .group_by(R.source_kind)
        ).all()
    else:
        kinds = session.execute(
            select(F.source_kind, func.count())
            .where(*fact_conditions(filters))
            .group_by(F.source_kind)
        ).all()
    by_kind = {kind: int(n) for kind, n in kinds}
    people = _distinct_people(session, filters)
    if filters == Filters():
        # Every activity of the store is a filter bar choice: no fact to read.
        activities = _scalar(
            session,
            select(func.count()).where(
                FilterValue.dimension == "activity", FilterValue.statements > 0
            ),
        )
    else:
        activities = _count_distinct(session, F.activity_id, fact_conditions(filters))
    return pd.DataFrame(
        [
            {
                "statements": sum(by_kind.values()),
                "formal": by_kind.get("formal", 0),
                "informal": by_kind.get("informal", 0),
                "other": by_kind.get("other", 0),
                "people": int(people),
                "activities": int(activities),
            }
        ]
    )


def _distinct_people(session: Session, filters: Filters) -> int:
    if uses_people_rollup(filters):
        return _count_distinct(session, A.actor_key, _people_conditions(filters))
    return _count_distinct(session, F.actor_key, fact_conditions(filters))


def _count_distinct(
    session: Session, column: Any, conditions: Sequence[ColumnElement[bool]]
) -> int:
    """``count(DISTINCT column)`` as a count of ``SELECT DISTINCT`` rows: PostgreSQL sorts
    for count(DISTINCT) but hashes a DISTINCT, and SQLite can skip through an index led
    by the column."""
    values = select(column).where(*conditions, column.is_not(None)).distinct().subquery()
    return _scalar(session, select(func.count()).select_from(values))


def statements_over_time(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per day and source kind (columns day, source_kind, statements)."""
    if uses_rollup(filters):
        query = (
            select(R.day, R.source_kind, func.sum(R.statements))
            .where(*_rollup_conditions(filters))
            .group_by(R.day, R.source_kind)
            .order_by(R.day, R.source_kind)
        )
    else:
        query = (
            select(F.day, F.source_kind, func.count())
            .where(*fact_conditions(filters))
            .group_by(F.day, F.source_kind)
            .order_by(F.day, F.source_kind)
        )
    frame = _frame(session, query, ["day", "source_kind", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame


def active_people_over_time(session: Session, filters: Filters) -> pd.DataFrame:
    """Distinct people with at least one statement, per day (columns day, people)."""
    if uses_people_rollup(filters):
        rollup = (
            select(A.day, func.count(distinct(A.actor_key)))
            .where(*_people_conditions(filters))
            .group_by(A.day)
            .order_by(A.day)
        )
        return _frame(session, rollup, ["day", "people"])
    query = (
        select(F.day, func.count(distinct(F.actor_key)))
        .where(*fact_conditions(filters))
        .group_by(F.day)
        .order_by(F.day)
    )
    return _frame(session, query, ["day", "people"])


def top_people(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most active people: statements in total, formal and informal; attrs total = people."""
    columns = ["actor_key", "name", "statements", "formal", "informal"]
    if uses_people_rollup(filters):
        n = func.sum(A.statements)
        rollup = (
            select(
                A.actor_key,
                func.max(A.actor_name),
                n,
                func.sum(A.formal),
                func.sum(A.informal),
                _groups(),
            )
            .where(*_people_conditions(filters))
            .group_by(A.actor_key)
            .order_by(n.desc(), A.actor_key)
            .limit(limit)
        )
        frame, total = _ranked_frame(session, rollup, columns)
        for column in ("statements", "formal", "informal"):
            frame[column] = frame[column].astype("int64")
        frame["name"] = frame["name"].fillna(frame["actor_key"])
        return _with_total(frame, total)
    formal = func.sum(case((F.source_kind == "formal", 1), else_=0))
    informal = func.sum(case((F.source_kind == "informal", 1), else_=0))
    query = (
        select(F.actor_key, func.max(F.actor_name), func.count(), formal, informal, _groups())
        .where(*fact_conditions(filters))
        .group_by(F.actor_key)
        .order_by(func.count().desc(), F.actor_key)
        .limit(limit)
    )
    frame, total = _ranked_frame(session, query, columns)
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    return _with_total(frame, total)


def top_activities(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most used activities; attrs total = distinct activities."""
    statements = func.count()
    query = (
        select(
            F.activity_id,
            func.min(F.source_kind),
            statements,
            func.count(distinct(F.actor_key)),
            _groups(),
        )
        .where(*fact_conditions(filters), F.activity_id.is_not(None))
        .group_by(F.activity_id)
        .order_by(statements.desc(), F.activity_id)
        .limit(limit)
    )
    columns = ["activity_id", "source_kind", "statements", "people"]
    frame, total = _ranked_frame(session, query, columns)
    names = _names(session, frame["activity_id"].tolist())
    frame.insert(1, "name", [names.get(a, a) for a in frame["activity_id"]])
    return _with_total(frame, total)


def _groups() -> Any:
    """The number of groups of a grouped query, on each of its rows (its last column)."""
    return func.count().over()


def _ranked_frame(
    session: Session, query: Executable, columns: Sequence[str]
) -> tuple[pd.DataFrame, int]:
    """A limited grouped query whose last column is ``_groups()``: the frame and the
    number of groups before the limit, in one pass over the facts."""
    frame = _frame(session, query, [*columns, "_groups"])
    total = int(frame["_groups"].iloc[0]) if len(frame) else 0
    return frame.drop(columns=["_groups"]), total


def top_verbs(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most used verbs with their concept; attrs total = distinct verbs."""
    if uses_rollup(filters):
        query = (
            select(R.verb_id, func.min(R.concept), func.sum(R.statements))
            .where(*_rollup_conditions(filters))
            .group_by(R.verb_id)
        )
    else:
        query = (
            select(F.verb_id, func.min(F.concept), func.count())
            .where(*fact_conditions(filters))
            .group_by(F.verb_id)
        )
    frame = _frame(session, query, ["verb_id", "concept", "statements"])
    frame = frame.sort_values(["statements", "verb_id"], ascending=[False, True])
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    frame["statements"] = frame["statements"].astype("int64")
    return _with_total(frame, total)


def rhythm(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per ISO weekday (1 = Monday) and UTC hour."""
    if uses_people_rollup(filters):
        H = HourlyActivity
        n = func.sum(H.statements)
        rollup = (
            select(H.weekday, H.hour, n)
            .where(*_people_conditions(filters, H))
            .group_by(H.weekday, H.hour)
            .order_by(H.weekday, H.hour)
        )
        frame = _frame(session, rollup, ["weekday", "hour", "statements"])
        frame["statements"] = frame["statements"].astype("int64")
        return frame
    query = (
        select(F.weekday, F.hour, func.count())
        .where(*fact_conditions(filters))
        .group_by(F.weekday, F.hour)
        .order_by(F.weekday, F.hour)
    )
    return _frame(session, query, ["weekday", "hour", "statements"])


# -- courses (formal) ----------------------------------------------------------------


def _course_key() -> ColumnElement[Any]:
    return func.coalesce(F.space_id, F.activity_id)


def _names(session: Session, ids: Sequence[str]) -> dict[str, str]:
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


def course_funnel(session: Session, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Per course: distinct people enrolled, started, completed, passed, failed.

    A course is the statement's course/space (``contextActivities`` grouping or parent)
    or the course activity itself; only formal statements count. Attrs total = courses.
    """
    query: Any
    if uses_people_rollup(filters):
        # Grouped by course alone, in the order of ix_course_progress_course_actor: the
        # distinct people of one course are few, while a (course, person) grouping has
        # as many groups as rows, which PostgreSQL sorts on disk.
        stages = ("enrolled", "started", "completed", "passed", "failed")
        learners = func.count(distinct(P.actor_key))
        query = (
            select(
                P.course,
                *[func.count(distinct(case((getattr(P, stage) > 0, P.actor_key))))
                  for stage in stages],
                learners,
                func.sum(P.statements),
            )
            .where(*_people_conditions(filters, P))
            .group_by(P.course)
            .order_by(learners.desc(), P.course)
        )  # fmt: skip
    else:
        course = _course_key().label("course")

        def people(concepts: Sequence[str]) -> ColumnElement[Any]:
            return func.count(distinct(case((F.concept.in_(concepts), F.actor_key))))

        conditions = [*fact_conditions(filters), F.source_kind == "formal", course.is_not(None)]
        query = (
            select(
                course,
                people(ENROLLED),
                people(STARTED),
                people(COMPLETED),
                people(PASSED),
                people(FAILED),
                func.count(distinct(F.actor_key)),
                func.count(),
            )
            .where(*conditions)
            .group_by(course)
            .order_by(func.count(distinct(F.actor_key)).desc(), course)
        )
    columns = ["course", "enrolled", "started", "completed", "passed", "failed", "people"]
    frame = _frame(session, query, [*columns, "statements"])
    # PostgreSQL sums bigints as numeric: the same integers on both databases.
    frame["statements"] = frame["statements"].astype("int64")
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    names = _names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    # Rates are of the people who showed any activity on the course.
    base = frame["people"].where(frame["people"] > 0)
    frame["completion_rate"] = (frame["completed"] / base).fillna(0.0)
    judged = (frame["passed"] + frame["failed"]).where(lambda s: s > 0)
    frame["pass_rate"] = (frame["passed"] / judged).fillna(0.0)
    return _with_total(frame, total)


def score_distribution(session: Session, filters: Filters) -> pd.DataFrame:
    """Scaled scores of formal results in tenths: columns bucket (0.0 to 0.9), results."""
    conditions = [*fact_conditions(filters), F.source_kind == "formal", F.score_scaled.is_not(None)]
    clamped = case(
        (F.score_scaled >= 1.0, 9),
        (F.score_scaled < 0.0, 0),
        else_=func.floor(F.score_scaled * 10),
    )
    query = select(clamped, func.count()).where(*conditions).group_by(clamped).order_by(clamped)
    frame = _frame(session, query, ["bucket", "results"])
    frame["bucket"] = frame["bucket"].astype(float) / 10.0
    return frame


def time_spent(session: Session, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Per course: people with timed sessions, total hours, mean minutes per person.

    Sums ``result.duration`` of session-ending statements (terminated, abandoned) only, so
    completed/passed durations are not counted twice (cmi5 9.5.4).
    """
    query: Any
    if uses_people_rollup(filters):
        seconds = func.sum(P.seconds)
        query = (
            select(P.course, func.count(distinct(P.actor_key)), seconds)
            .where(*_people_conditions(filters, P), P.timed > 0)
            .group_by(P.course)
            .order_by(seconds.desc(), P.course)
        )
    else:
        course = _course_key().label("course")
        conditions = [
            *fact_conditions(filters),
            F.source_kind == "formal",
            F.concept.in_(SESSION_END),
            F.duration_seconds.is_not(None),
            course.is_not(None),
        ]
        query = (
            select(course, func.count(distinct(F.actor_key)), func.sum(F.duration_seconds))
            .where(*conditions)
            .group_by(course)
            .order_by(func.sum(F.duration_seconds).desc(), course)
        )
    frame = _frame(session, query, ["course", "people", "seconds"])
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    names = _names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    frame["hours"] = frame["seconds"].astype(float) / 3600.0
    frame["minutes_per_person"] = frame["seconds"].astype(float) / 60.0 / frame["people"]
    return _with_total(frame, total)


def stalled(
    session: Session,
    filters: Filters,
    days: int = 14,
    today: dt.date | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """People who started a course, have not completed it, and were last active on it
    more than ``days`` days before ``today``: oldest first; attrs total = such pairs."""
    today = today or dt.datetime.now(dt.UTC).date()
    cutoff = today - dt.timedelta(days=days)
    columns = ["actor_key", "name", "course", "last_day"]
    if uses_people_rollup(filters):
        total = _stalled_pairs(session, filters, cutoff)
        # At most ``total`` rows: the scan ends at the last stalled pair, or never starts.
        frame = _frame(session, _oldest_stalled(filters, cutoff, min(limit, total)), columns)
        return _stalled_frame(session, frame, total, today)
    course = _course_key().label("course")
    done = func.max(case((F.concept.in_(COMPLETED), 1), else_=0))
    started = func.max(case((F.concept.in_((*STARTED, *ENROLLED)), 1), else_=0))
    last = func.max(F.day)
    pairs = (
        select(F.actor_key, func.max(F.actor_name), course, last)
        .where(*fact_conditions(filters), F.source_kind == "formal", course.is_not(None))
        # Course first: grouping by the person first lets SQLite walk the person index
        # with one random read per fact instead of one sequential scan.
        .group_by(course, F.actor_key)
        .having(and_(done == 0, started == 1, last < cutoff))
        .subquery()
    )
    ranked = select(pairs, _groups()).order_by(pairs.c[3], pairs.c[0], pairs.c[2]).limit(limit)
    frame, total = _ranked_frame(session, ranked, columns)
    return _stalled_frame(session, frame, total, today)


def _stalled_pairs(session: Session, filters: Filters, cutoff: dt.date) -> int:
    """How many (course, person) pairs are stalled. Per course: the people who started or
    are ruled out (by a completion, or by activity since the cutoff), less those ruled
    out; distinct people per course, as a grouping by pair has nearly a group per row."""
    ruled_out = or_(P.completed > 0, P.day >= cutoff)
    started = or_(P.started > 0, P.enrolled > 0, ruled_out)
    per_course = (
        select(
            (
                func.count(distinct(case((started, P.actor_key))))
                - func.count(distinct(case((ruled_out, P.actor_key))))
            ).label("stalled")
        )
        .where(*_people_conditions(filters, P))
        .group_by(P.course)
        .subquery()
    )
    return _scalar(session, select(func.sum(per_course.c.stalled)))


def _oldest_stalled(filters: Filters, cutoff: dt.date, limit: int) -> Select[Any]:
    """The ``limit`` stalled pairs of the oldest last day: each pair's last row (the one
    of the lowest team on that day), read in day order and checked against the pair's
    other rows through ix_course_progress_course_actor, so the scan stops at the
    ``limit``-th pair instead of grouping every row."""
    other = aliased(P)
    pair = [
        other.course == P.course,
        other.actor_key == P.actor_key,
        *_people_conditions(filters, other),
    ]
    later_or_done = or_(
        other.day > P.day,
        other.completed > 0,
        and_(other.day == P.day, other.team < P.team),
    )
    name = select(func.max(other.actor_name)).where(*pair).scalar_subquery()
    return (
        select(P.actor_key, name, P.course, P.day)
        .where(
            *_people_conditions(filters, P),
            P.day < cutoff,
            P.completed == 0,
            ~select(other.day).where(*pair, later_or_done).exists(),
            select(other.day).where(*pair, or_(other.started > 0, other.enrolled > 0)).exists(),
        )
        .order_by(P.day, P.actor_key, P.course)
        .limit(limit)
    )


def _stalled_frame(
    session: Session, frame: pd.DataFrame, total: int, today: dt.date
) -> pd.DataFrame:
    names = _names(session, frame["course"].tolist())
    frame["course_name"] = [names.get(c, c) for c in frame["course"]]
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    frame["days_idle"] = [(today - day).days for day in frame["last_day"]]
    return _with_total(frame, total)


# -- knowledge (informal) ------------------------------------------------------------


def contributions_over_time(session: Session, filters: Filters) -> pd.DataFrame:
    """Informal posts, edits, comments, replies, questions and likes per day and concept."""
    if uses_rollup(filters):
        query = (
            select(R.day, R.concept, func.sum(R.statements))
            .where(
                *_rollup_conditions(filters),
                R.source_kind == "informal",
                R.concept.in_(KNOWLEDGE_CONCEPTS),
            )
            .group_by(R.day, R.concept)
            .order_by(R.day, R.concept)
        )
    else:
        query = (
            select(F.day, F.concept, func.count())
            .where(
                *fact_conditions(filters),
                F.source_kind == "informal",
                F.concept.in_(KNOWLEDGE_CONCEPTS),
            )
            .group_by(F.day, F.concept)
            .order_by(F.day, F.concept)
        )
    frame = _frame(session, query, ["day", "concept", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame


def participation(session: Session, filters: Filters) -> pd.DataFrame:
    """The participation pyramid on informal activity: contributors (≥ 1 post, edit,
    comment...), reactors (likes only) and readers (only viewed), with people and
    contributions per group."""
    per_person: Any
    if uses_people_rollup(filters):
        per_person = (
            select(
                A.actor_key,
                func.sum(A.contributions).label("c"),
                func.sum(A.reactions).label("r"),
            )
            .where(*_people_conditions(filters), A.informal > 0)
            .group_by(A.actor_key)
            .subquery()
        )
    else:
        contributions = func.sum(case((F.concept.in_(CONTRIBUTE), 1), else_=0))
        reactions = func.sum(case((F.concept.in_(REACT), 1), else_=0))
        per_person = (
            select(F.actor_key, contributions.label("c"), reactions.label("r"))
            .where(*fact_conditions(filters), F.source_kind == "informal")
            .group_by(F.actor_key)
            .subquery()
        )
    role = case(
        (per_person.c.c > 0, "contributors"),
        (per_person.c.r > 0, "reactors"),
        else_="readers",
    )
    rows = session.execute(
        select(role, func.count(), func.sum(per_person.c.c)).group_by(role)
    ).all()
    found = {name: (int(people), int(made or 0)) for name, people, made in rows}
    return pd.DataFrame(
        [
            {"role": name, "people": found.get(name, (0, 0))[0],
             "contributions": found.get(name, (0, 0))[1]}
            for name in ("contributors", "reactors", "readers")
        ]
    )  # fmt: skip


def contribution_shares(session: Session, filters: Filters) -> pd.DataFrame:
    """Contributions per contributor, most first (for the 1 % / 9 % / 90 % split)."""
    if uses_people_rollup(filters):
        made = func.sum(A.contributions)
        rollup = (
            select(A.actor_key, made)
            .where(*_people_conditions(filters), A.contributions > 0)
            .group_by(A.actor_key)
            .order_by(made.desc(), A.actor_key)
        )
        frame = _frame(session, rollup, ["actor_key", "contributions"])
        frame["contributions"] = frame["contributions"].astype("int64")
        return frame
    query = (
        select(F.actor_key, func.count())
        .where(*fact_conditions(filters), F.source_kind == "informal", F.concept.in_(CONTRIBUTE))
        .group_by(F.actor_key)
        .order_by(func.count().desc(), F.actor_key)
    )
    return _frame(session, query, ["actor_key", "contributions"])


def top_content(
    session: Session, filters: Filters, metric: str = "read", limit: int = 10
) -> pd.DataFrame:
    """Informal content ranked by ``metric``: read (views), edited (edits), discussed
    (comments and replies), reused (distinct readers other than its authors)."""
    concepts = {
        "read": CONSUME,
        "reused": CONSUME,
        "edited": ("edited",),
        "discussed": RESPONDING,
    }[metric]

    def conditions(table: Any) -> list[ColumnElement[bool]]:
        return [
            *fact_conditions(filters, table),
            table.source_kind == "informal",
            table.concept.in_(concepts),
            table.content_id.is_not(None),
        ]

    if metric == "reused":
        # Every distinct reader, less one where the author is among them (one probe per
        # piece of content): leaving the author's reads out by a join on (content,
        # person) had PostgreSQL sort every read instead of reading the content index.
        C = ContentAuthor
        reader = aliased(F)
        author_read = (
            select(reader.seq)
            .join(C, and_(C.content_id == reader.content_id, C.author_key == reader.actor_key))
            .where(reader.content_id == F.content_id, *conditions(reader))
            .exists()
        )
        measure = func.count(distinct(F.actor_key)) - case((author_read, 1), else_=0)
        base = select(F.content_id, measure, _groups()).where(*conditions(F)).having(measure > 0)
    else:
        measure = func.count()
        base = select(F.content_id, measure, _groups()).where(*conditions(F))
    query = base.group_by(F.content_id).order_by(measure.desc(), F.content_id).limit(limit)
    frame, total = _ranked_frame(session, query, ["content_id", "count"])
    names = _names(session, frame["content_id"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["content_id"]])
    return _with_total(frame, total)


def _authors() -> Select[str, str, dt.datetime]:
    """content_id -> author: the actor of the first authored/created statement on it
    (the ``content_author`` rollup)."""
    C = ContentAuthor
    return select(C.content_id, C.author_key, C.at)


def response_times(session: Session, filters: Filters) -> pd.DataFrame:
    """Per post or question created in the range: hours until the first comment or reply
    by someone else (NaN when unanswered). Columns content_id, kind, created, hours."""
    authors = _authors().subquery()
    created = (
        select(F.activity_id, F.concept, _raw_time(F.timestamp))
        .where(
            *fact_conditions(filters),
            F.concept.in_(AUTHORING),
            F.source_kind == "informal",
        )
        .subquery()
    )
    answers = [
        authors.c.content_id == F.content_id,
        F.concept.in_(RESPONDING),
        F.actor_key != authors.c.author_key,
    ]
    # The first answer's day from ix_learning_fact_content_concept alone, then the
    # timestamps of that day's answers only: the day is the UTC date of the timestamp,
    # and reading every answer's timestamp costs one random read per answer.
    first_day = (
        select(F.content_id, func.min(F.day).label("day"))
        .join(authors, and_(*answers))
        .group_by(F.content_id)
        .subquery()
    )
    first_answer = (
        select(F.content_id, func.min(F.timestamp).label("first"))
        .join(first_day, and_(first_day.c.content_id == F.content_id, first_day.c.day == F.day))
        .join(authors, and_(*answers))
        .group_by(F.content_id)
        .subquery()
    )
    query = select(
        created.c.activity_id, created.c.concept, created.c[2], _raw_time(first_answer.c.first)
    ).outerjoin(first_answer, first_answer.c.content_id == created.c.activity_id)
    frame = _frame(session, query, ["content_id", "kind", "created", "first"])
    created_at = _utc(frame["created"])
    frame["hours"] = (_utc(frame.pop("first")) - created_at).dt.total_seconds() / 3600.0
    if len(frame):  # an empty frame keeps the untyped column it has always had
        frame["created"] = created_at
    return frame


def emerging_topics(
    session: Session, filters: Filters, recent_days: int = 30, limit: int = 10
) -> pd.DataFrame:
    """Tags of informal activity: statements in the last ``recent_days`` of the range vs
    the period before; growth = recent share ÷ earlier share. Attrs total = tags."""
    end = filters.end or session.execute(select(func.max(F.day))).scalar()
    if end is None:
        return _with_total(pd.DataFrame(columns=["tag", "recent", "earlier", "growth"]), 0)
    split = end - dt.timedelta(days=recent_days - 1)
    recent = func.sum(case((F.day >= split, 1), else_=0))
    earlier = func.sum(case((F.day < split, 1), else_=0))
    query = (
        select(LearningFactTag.tag, recent, earlier)
        .join(F, F.seq == LearningFactTag.seq)
        .where(*fact_conditions(filters.replace(end=end)), F.source_kind == "informal")
        .group_by(LearningFactTag.tag)
    )
    frame = _frame(session, query, ["tag", "recent", "earlier"])
    total = len(frame)
    recent_all = max(int(frame["recent"].sum()), 1)
    earlier_all = max(int(frame["earlier"].sum()), 1)
    frame["growth"] = (frame["recent"] / recent_all) / ((frame["earlier"] + 1) / earlier_all)
    frame = frame[frame["recent"] > 0].sort_values(["growth", "tag"], ascending=[False, True])
    return _with_total(frame.head(limit).reset_index(drop=True), total)


# -- convergence ---------------------------------------------------------------------


def team_mix(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per team and source kind (teamless statements under "(no team)")."""
    if uses_rollup(filters):
        team = case((R.team == "", "(no team)"), else_=R.team)
        query = (
            select(team, R.source_kind, func.sum(R.statements))
            .where(*_rollup_conditions(filters))
            .group_by(team, R.source_kind)
        )
    else:
        fact_team = func.coalesce(F.team, "(no team)")
        query = (
            select(fact_team, F.source_kind, func.count())
            .where(*fact_conditions(filters))
            .group_by(fact_team, F.source_kind)
        )
    frame = _frame(session, query, ["team", "source_kind", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame.sort_values(["team", "source_kind"]).reset_index(drop=True)


def contribution_vs_results(session: Session, filters: Filters) -> pd.DataFrame:
    """Per person with formal results: informal contributions (x), mean scaled score and
    completions (y), team. People without any score are left out."""
    if uses_people_rollup(filters):
        return _contribution_vs_results_rollup(session, filters)
    contributions = func.sum(
        case((and_(F.source_kind == "informal", F.concept.in_(CONTRIBUTE)), 1), else_=0)
    )
    score = func.avg(case((F.source_kind == "formal", F.score_scaled)))
    completions = func.count(
        distinct(case((F.concept.in_(COMPLETED), func.coalesce(F.space_id, F.activity_id))))
    )
    query = (
        select(
            F.actor_key,
            func.max(F.actor_name),
            func.max(F.team),
            contributions,
            score,
            completions,
        )
        .where(*fact_conditions(filters))
        .group_by(F.actor_key)
        .having(score.is_not(None))
        .order_by(F.actor_key)
    )
    frame = _frame(
        session, query, ["actor_key", "name", "team", "contributions", "mean_score", "completions"]
    )
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    frame["team"] = frame["team"].fillna("(no team)")
    frame["mean_score"] = frame["mean_score"].astype(float)
    return frame


def _contribution_vs_results_rollup(session: Session, filters: Filters) -> pd.DataFrame:
    scores = func.sum(A.scores)
    query = (
        select(
            A.actor_key,
            func.max(A.actor_name),
            func.max(case((A.team != "", A.team))),
            func.sum(A.contributions),
            func.sum(A.score_sum) / scores,
        )
        .where(*_people_conditions(filters))
        .group_by(A.actor_key)
        .having(scores > 0)
        .order_by(A.actor_key)
    )
    frame = _frame(session, query, ["actor_key", "name", "team", "contributions", "mean_score"])
    course = _course_key()
    # Distinct (course, person) first: with the person first, SQLite walks the whole
    # person index instead of the few completion facts found through (concept, day).
    done = (
        select(course.label("course"), F.actor_key)
        .where(*fact_conditions(filters), F.concept.in_(COMPLETED), course.is_not(None))
        .distinct()
        .subquery()
    )
    completions: dict[str, int] = dict(
        session.execute(select(done.c.actor_key, func.count()).group_by(done.c.actor_key)).all()
    )
    frame["completions"] = [completions.get(key, 0) for key in frame["actor_key"]]
    frame["contributions"] = frame["contributions"].astype("int64")
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    frame["team"] = frame["team"].fillna("(no team)")
    frame["mean_score"] = frame["mean_score"].astype(float)
    return frame


def completion_to_contribution(session: Session, filters: Filters) -> pd.DataFrame:
    """Per (person, tag): days from the first formal completion carrying the tag to the
    person's first informal contribution with the same tag after it (NaN: none yet)."""
    T = LearningFactTag
    # The facts lead (``seq + 0`` keeps SQLite from reaching them by seq from every tag)
    # and are read from ix_learning_fact_concept_day alone.
    tagged = T.seq == F.seq + 0
    completion = (
        select(F.actor_key, T.tag, _raw_time(func.min(F.timestamp)))
        .join(T, tagged)
        .where(*fact_conditions(filters), F.source_kind == "formal", F.concept.in_(COMPLETED))
        # Tag first: grouping by the person first lets SQLite walk the person index.
        .group_by(T.tag, F.actor_key)
        .order_by(F.actor_key, T.tag)
    )
    frame = _frame(session, completion, ["actor_key", "tag", "completed"])
    done = _utc(frame["completed"])
    frame["completed"] = done
    contributed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    made = pd.DataFrame(columns=["actor_key", "tag", "at"])
    if len(frame):
        # The first informal contribution with the same tag at or after the completion
        # (any time, whatever the filters): matched here rather than by a correlated
        # subquery per (person, tag), which the databases ran as one scan each.
        made = _frame(
            session,
            select(F.actor_key, T.tag, _raw_time(F.timestamp))
            .join(T, tagged)
            .where(
                F.source_kind == "informal",
                F.concept.in_(CONTRIBUTE),
                # The day bound is implied by the timestamp's and ranges the index.
                F.day >= done.min().date(),
                F.timestamp >= done.min().to_pydatetime(),
            ),
            ["actor_key", "tag", "at"],
        )
        made["at"] = _utc(made["at"])
    if len(made):
        pairs = frame[["actor_key", "tag"]].assign(done=done, row=frame.index)
        first = pd.merge_asof(
            pairs.sort_values("done"),
            made.sort_values("at"),
            left_on="done",
            right_on="at",
            by=["actor_key", "tag"],
            direction="forward",
        ).dropna(subset=["at"])
        contributed.loc[first["row"].to_numpy()] = first["at"].to_numpy()
    frame["contributed"] = contributed
    frame["days"] = (contributed - done).dt.total_seconds() / 86400.0
    return frame


def knowledge_flow(
    session: Session, filters: Filters, relation: str = "contribute", limit: int = 150
) -> pd.DataFrame:
    """Edges person -> author of the content they acted on, weighted by statements.

    ``contribute``: comments, replies, edits and likes on someone else's content;
    ``learn``: views of someone else's content (who learns from whom). The author of a
    piece of content is the actor of its first authored/created statement. Attrs total =
    edges before the limit.
    """
    concepts = (*RESPONDING, "edited", *REACT) if relation == "contribute" else CONSUME
    authors = _authors().subquery()
    weight = func.count()
    query = (
        select(F.actor_key, authors.c.author_key, weight)
        .join(authors, authors.c.content_id == F.content_id)
        .where(
            *fact_conditions(filters),
            F.concept.in_(concepts),
            F.actor_key != authors.c.author_key,
        )
        .group_by(F.actor_key, authors.c.author_key)
    )
    edges = query.subquery()
    ranked = select(edges, _groups()).order_by(edges.c[2].desc(), edges.c[0], edges.c[1])
    frame, total = _ranked_frame(session, ranked.limit(limit), ["source", "target", "weight"])
    names = person_names(session, sorted(set(frame["source"]) | set(frame["target"])))
    frame["source_name"] = [names.get(k, (k, None))[0] for k in frame["source"]]
    frame["target_name"] = [names.get(k, (k, None))[0] for k in frame["target"]]
    frame["source_team"] = [names.get(k, (k, None))[1] for k in frame["source"]]
    frame["target_team"] = [names.get(k, (k, None))[1] for k in frame["target"]]
    return _with_total(frame, total)


def person_names(session: Session, keys: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """actor_key -> (display name, team), from ``actor_day`` in person order (index only)."""
    if not keys:
        return {}
    rows = session.execute(
        select(A.actor_key, func.max(A.actor_name), func.max(case((A.team != "", A.team))))
        .where(A.actor_key.in_(list(keys)))
        .group_by(A.actor_key)
    ).all()
    return {key: (name or key, team) for key, name, team in rows}


# -- people --------------------------------------------------------------------------


def person_timeline(session: Session, filters: Filters, person: str) -> pd.DataFrame:
    """One person's statements per day and source kind."""
    return statements_over_time(session, filters.replace(person=person))


def person_summary(session: Session, filters: Filters, person: str) -> pd.DataFrame:
    """One row: the person's formal and informal sides summed."""
    conditions = fact_conditions(filters.replace(person=person))
    row = session.execute(
        select(
            func.count(),
            func.sum(case((F.source_kind == "formal", 1), else_=0)),
            func.sum(case((F.source_kind == "informal", 1), else_=0)),
            func.count(distinct(case((F.concept.in_(COMPLETED), _course_key())))),
            func.count(distinct(case((F.concept.in_(PASSED), _course_key())))),
            func.avg(case((F.source_kind == "formal", F.score_scaled))),
            func.sum(
                case((and_(F.source_kind == "informal", F.concept.in_(CONTRIBUTE)), 1), else_=0)
            ),
            func.sum(case((F.concept.in_(SESSION_END), F.duration_seconds), else_=0.0)),
            func.max(F.actor_name),
        ).where(*conditions)
    ).one()
    statements, formal, informal, completed, passed, score, contributions, seconds, name = row
    return pd.DataFrame(
        [
            {
                "actor_key": person,
                "name": name or person,
                "statements": int(statements or 0),
                "formal": int(formal or 0),
                "informal": int(informal or 0),
                "courses_completed": int(completed or 0),
                "courses_passed": int(passed or 0),
                "mean_score": float(score) if score is not None else None,
                "contributions": int(contributions or 0),
                "hours_learning": float(seconds or 0.0) / 3600.0,
            }
        ]
    )


# -- explorer ------------------------------------------------------------------------

FACT_COLUMNS = (
    "seq",
    "timestamp",
    "actor_name",
    "actor_key",
    "concept",
    "verb_id",
    "activity_name",
    "activity_id",
    "source_kind",
    "platform",
    "team",
    "score_scaled",
    "success",
    "completion",
    "duration_seconds",
)


def count_facts(session: Session, filters: Filters) -> int:
    """How many statements match the filters."""
    if uses_rollup(filters):
        return _scalar(session, select(func.sum(R.statements)).where(*_rollup_conditions(filters)))
    return _scalar(session, select(func.count()).where(*fact_conditions(filters)))


def fact_page(session: Session, filters: Filters, page: int = 0, size: int = 25) -> pd.DataFrame:
    """One page of matching statements, newest first (``page`` counts from 0).

    The day range is applied as the equivalent UTC timestamp range (``day`` is the UTC
    date of ``timestamp``) so that the (timestamp, seq) and (team, timestamp, seq)
    indexes give the order without sorting the range."""
    columns = [getattr(F, name) for name in FACT_COLUMNS]
    conditions = fact_conditions(filters.replace(start=None, end=None))
    if filters.start is not None:
        conditions.append(F.timestamp >= _midnight(filters.start))
    if filters.end is not None:
        conditions.append(F.timestamp < _midnight(filters.end + dt.timedelta(days=1)))
    query = (
        select(*columns)
        .where(*conditions)
        .order_by(F.timestamp.desc(), F.seq.desc())
        .offset(max(page, 0) * size)
        .limit(size)
    )
    return _frame(session, query, FACT_COLUMNS)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def iter_facts(session: Session, filters: Filters, batch: int = 2000) -> Iterator[tuple[Any, ...]]:
    """Every matching statement's fact row in ``seq`` order, streamed in batches."""
    columns = [getattr(F, name) for name in FACT_COLUMNS]
    query = select(*columns).where(*fact_conditions(filters)).order_by(F.seq)
    result = session.execute(query.execution_options(yield_per=batch))
    for row in result:
        yield tuple(row)
