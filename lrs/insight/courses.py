"""Courses (formal learning): the funnel per course, scores, time spent, and the
learners who started a course and stalled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from lrs.insight._sql import (
    F,
    L,
    P,
    activity_names,
    fact_conditions,
    group_count,
    people_conditions,
    ranked_frame,
    read_columns,
    read_frame,
    scalar,
    uses_learner_rollup,
    uses_people_rollup,
    with_total,
)
from lrs.insight.concepts import (
    ATTEMPT_END,
    JUDGED,
    PROGRESS,
    SESSION_END,
    course_key,
    enrols,
)
from lrs.insight.filters import Filters
from lrs.store.dialects import groups_by_hashing, unindexed

STAGES = ("enrolled", "started", "completed", "passed", "failed", "satisfied")

# -- courses (formal) ----------------------------------------------------------------


LEARNER_COLUMNS = (*STAGES, "statements", "session_seconds", "attempt_seconds",
                   "best_score", "last_day", "name", "team")  # fmt: skip
"""The columns of ``learners`` besides course and actor_key."""


def learners(
    session: Session,
    filters: Filters,
    columns: Sequence[str] = LEARNER_COLUMNS,
    rows: Callable[[Any], Sequence[ColumnElement[bool]]] | None = None,
) -> Any:
    """One row per (course, person) with formal facts under ``filters``: the stages
    reached (counts of enrolling, started, completed, passed, failed and satisfied
    statements; enrolling is a ``registered`` or a new registration), the
    statements, the seconds of session ends and of attempt ends, the best score of a pass
    or fail, the last day active, the person's name and team. A common table expression,
    which both databases compute once however often a question reads it.

    Only ``columns`` (of ``LEARNER_COLUMNS``) are computed: each sum over every row
    costs. ``rows(table)``, when given, keeps the rows of the rollup read
    (``course_learner`` or ``course_progress``) that can change the question's answer."""
    if uses_learner_rollup(filters):
        # All time, everyone: one stored row per (course, person), nothing to group. A
        # subquery, not a common table expression: each question reads the table itself
        # rather than a materialised copy of every learner's row.
        stored = {
            **{stage: getattr(L, stage) for stage in STAGES},
            "statements": L.statements,
            "session_seconds": L.seconds,
            "attempt_seconds": L.attempt_seconds,
            "best_score": L.best_score,
            "last_day": L.last_day,
            "name": L.actor_name,
            "team": case((L.team != "", L.team)),
        }
        return (
            select(
                L.course.label("course"),
                L.actor_key.label("actor_key"),
                *[stored[name].label(name) for name in columns],
            )
            .where(*(rows(L) if rows else ()))
            .subquery("learners")
        )
    if uses_people_rollup(filters):
        # Grouped in the order of ix_course_progress_course_actor: read from the index.
        summed = {
            **{stage: func.sum(getattr(P, stage)) for stage in STAGES},
            "statements": func.sum(P.statements),
            "session_seconds": func.sum(P.seconds),
            "attempt_seconds": func.sum(P.attempt_seconds),
            "best_score": func.max(P.best_score),
            "last_day": func.max(P.day),
            "name": func.max(P.actor_name),
            "team": func.max(case((P.team != "", P.team))),
        }
        return (
            select(
                P.course.label("course"),
                P.actor_key.label("actor_key"),
                *[summed[name].label(name) for name in columns],
            )
            .where(*_progress_conditions(filters), *(rows(P) if rows else ()))
            .group_by(P.course, P.actor_key)
            .cte("learners")
        )
    course = course_key()

    def counted(stage: str) -> Any:
        reached = enrols() if stage == "enrolled" else F.concept.in_(PROGRESS[stage])
        return func.sum(case((reached, 1), else_=0))

    def seconds(concepts: Sequence[str]) -> Any:
        return func.coalesce(func.sum(case((F.concept.in_(concepts), F.duration_seconds))), 0.0)

    grouped = {
        **{stage: counted(stage) for stage in STAGES},
        "statements": func.count(),
        "session_seconds": seconds(SESSION_END),
        "attempt_seconds": seconds(ATTEMPT_END),
        "best_score": func.max(case((F.concept.in_(JUDGED), F.score_scaled))),
        "last_day": func.max(F.day),
        "name": func.max(F.actor_name),
        "team": func.max(F.team),
    }
    return (
        select(
            course.label("course"),
            F.actor_key.label("actor_key"),
            *[grouped[name].label(name) for name in columns],
        )
        .where(*fact_conditions(filters), F.source_kind == "formal", course.is_not(None))
        .group_by(course, F.actor_key)
        .cte("learners")
    )


def _progress_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """``people_conditions`` on ``course_progress``, its day compared entry by entry
    when every team is read: so that SQLite reads ``ix_course_progress_course_actor`` in
    (course, person) order, the order every question here groups in, rather than a
    range's hundred thousand rows through the primary key and then sorting them
    (PostgreSQL weighs both itself)."""
    if filters.team is not None or filters.scope.teams is not None:
        # A few teams' rows are few: read through the primary key and sorted.
        return people_conditions(filters, P)
    return people_conditions(filters, P, day=unindexed(P.day))


def _measured(table: Any) -> list[ColumnElement[bool]]:
    """The rollup rows with a score or seconds of either kind: the others add nothing to
    a person's best score or time on a course. Written as ``ix_course_progress_measured``
    keeps its rows, word for word: SQLite reads a partial index only for a query that
    states its condition."""
    return [or_(table.best_score.is_not(None), *_timed(table))]


def _timed_measured(table: Any) -> list[ColumnElement[bool]]:
    """``_timed``'s rows; of ``course_progress``, with ``_measured``'s condition that they
    all meet, so that they are read from ``ix_course_progress_measured`` (the other
    tables' timed rows have their own index, or none)."""
    return [*_measured(table), *_timed(table)] if table is P else _timed(table)


def _timed(table: Any) -> list[ColumnElement[bool]]:
    """The rollup rows with seconds of either kind: the others add nothing to a
    person's time on a course. The zero is written in the SQL, not bound, so that
    PostgreSQL's generic plans can use ``ix_course_learner_timed`` (its rows)."""
    zero: Any = literal_column("0")
    return [or_(table.seconds != zero, table.attempt_seconds != zero)]


def spent_seconds(pairs: Any) -> Any:
    """A person's time on a course: the larger of the session-end and the attempt-end
    sums (see ``time_spent``)."""
    session_seconds, attempt_seconds = pairs.c.session_seconds, pairs.c.attempt_seconds
    return case((session_seconds >= attempt_seconds, session_seconds), else_=attempt_seconds)


def _medians(pairs: Any, value: Any, label: str) -> Any:
    """Per course, the median of ``value`` over the (course, person) rows where it is
    set and positive or not null (mean of the two middle values for an even count), by
    window functions both databases run."""
    ranked = (
        select(
            pairs.c.course.label("course"),
            value.label("value"),
            func.row_number().over(partition_by=pairs.c.course, order_by=value).label("rank"),
            func.count().over(partition_by=pairs.c.course).label("n"),
        )
        .where(value.is_not(None))
        .subquery()
    )
    middle = and_(ranked.c.rank >= (ranked.c.n + 1) // 2, ranked.c.rank <= ranked.c.n // 2 + 1)
    return (
        select(ranked.c.course, func.avg(ranked.c.value).label(label))
        .where(middle)
        .group_by(ranked.c.course)
        .subquery()
    )


FUNNEL_SORTS = ("people", "name", "pass_rate", "completion_rate", "mean_score",
                "median_minutes")  # fmt: skip
"""The orders ``course_funnel`` can give: most people first, by name, or the worst
first (lowest pass or completion rate, score or time)."""


def course_funnel(
    session: Session, filters: Filters, limit: int = 15, sort: str = "people"
) -> pd.DataFrame:
    """Per course: distinct people enrolled, started, completed, passed, failed and
    satisfied (cmi5: the LMS judged the course's moveOn criteria met), rates, scores and
    the median time spent.

    Only courses are rows: the course activity a statement is about, the course among its
    context activities, or its registration's course (``course_id``); a module, AU, video
    or question counts towards its course; only formal statements count. Enrolled: a
    ``registered`` verb or a new registration. ``passed`` counts the
    people with a pass; ``failed`` those with a fail and no pass, so that every judged
    person is in exactly one of them. ``pass_rate`` = passed / (passed + failed): of the
    people with a judged result, those who passed (0 when no one was judged).
    ``completion_rate`` = completed / people with any statement on the course. A
    person's score on a course is their best scaled score of a pass or fail;
    ``mean_score`` and ``median_score`` are over the people with one (empty without).
    ``median_minutes`` is the median of the time spent (``time_spent``) over the people
    with timed statements. Sorted by ``sort`` (``FUNNEL_SORTS``: the rates, score and
    time lowest first). Attrs total = courses.
    """
    columns = ["course", "enrolled", "started", "completed", "passed", "failed", "satisfied",
               "people", "statements", "mean_score", "median_score", "median_seconds"]  # fmt: skip
    if uses_learner_rollup(filters):
        frame = read_frame(session, _funnel_of_learners(), [*columns[:10]])
        scores = _median_of_each(session, _learner_scores())
        times = _median_of_each(session, _learner_times())
        frame["median_score"] = [scores.get(course) for course in frame["course"]]
        frame["median_seconds"] = [times.get(course) for course in frame["course"]]
    else:
        if uses_people_rollup(filters):
            frame = _funnel_of_progress(session, filters, columns)
        else:
            frame = read_frame(session, _funnel_of_pairs(learners(session, filters)), columns)
    for column in columns[1:9]:
        # PostgreSQL sums bigints as numeric: the same integers on both databases.
        frame[column] = frame[column].astype("int64")
    for column in columns[9:]:
        frame[column] = frame[column].astype(float)
    names = activity_names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    base = frame["people"].where(frame["people"] > 0)
    frame["completion_rate"] = (frame["completed"] / base).fillna(0.0)
    judged = (frame["passed"] + frame["failed"]).where(lambda s: s > 0)
    frame["pass_rate"] = (frame["passed"] / judged).fillna(0.0)
    frame["median_minutes"] = frame.pop("median_seconds") / 60.0
    if sort == "people":
        frame = frame.sort_values(["people", "course"], ascending=[False, True])
    else:
        frame = frame.sort_values([sort, "course"], na_position="last")
    total = len(frame)
    return with_total(frame.head(limit).reset_index(drop=True), total)


def _people(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _funnel_of_pairs(pairs: Any) -> Any:
    """``course_funnel``'s numbers from one row per (course, person) (``learners``)."""
    spent = spent_seconds(pairs)
    scores = _medians(pairs, pairs.c.best_score, "median_score")
    times = _medians(pairs, case((spent > 0, spent)), "median_seconds")
    per_course = (
        select(
            pairs.c.course.label("course"),
            *[_people(pairs.c[stage] > 0).label(stage) for stage in STAGES[:4]],
            _people(and_(pairs.c.failed > 0, pairs.c.passed == 0)).label("failed"),
            _people(pairs.c.satisfied > 0).label("satisfied"),
            func.count().label("people"),
            func.sum(pairs.c.statements).label("statements"),
            func.avg(pairs.c.best_score).label("mean_score"),
        )
        .group_by(pairs.c.course)
        .subquery()
    )
    return (
        select(per_course, scores.c.median_score, times.c.median_seconds)
        .outerjoin(scores, scores.c.course == per_course.c.course)
        .outerjoin(times, times.c.course == per_course.c.course)
    )


def _funnel_of_learners() -> Any:
    """``course_funnel``'s counts and mean score over all time from ``course_learner``
    (one row per pair), in one pass; the medians are ``_learner_scores`` and
    ``_learner_times``'s."""
    scored = select(L.course.label("course"), L.best_score.label("value")).where(
        L.best_score.is_not(None)
    )
    per_course = select(
        L.course.label("course"),
        *[func.count().filter(getattr(L, stage) > 0).label(stage) for stage in STAGES[:4]],
        func.count().filter(L.failed > 0, L.passed == 0).label("failed"),
        func.count().filter(L.satisfied > 0).label("satisfied"),
        func.count().label("people"),
        func.sum(L.statements).label("statements"),
    ).group_by(L.course)
    return _funnel_joined(per_course.subquery(), scored.subquery())


def _learner_scores() -> Any:
    """(course, best score) of the pairs with a score, over all time, in course order:
    from ``ix_course_learner_scored`` as it is ordered."""
    return (
        select(L.course, L.best_score)
        .where(L.best_score.is_not(None))
        .order_by(L.course, L.best_score)
    )


def _learner_times() -> Any:
    """(course, time spent) of the pairs with a time, over all time, in course order:
    from ``ix_course_learner_timed`` as it is ordered (each course's times are sorted by
    ``_median``)."""
    spent = case((L.seconds >= L.attempt_seconds, L.seconds), else_=L.attempt_seconds)
    return select(L.course, spent).where(*_timed(L), spent > 0).order_by(L.course)


def _median_of_each(session: Session, values: Any) -> dict[str, float]:
    """Per course, the median of the (course, value) rows of ``values``, in course order
    (see ``_median``). Picked here from the rows: SQLite's window functions cost three
    times the reading of the rows (all-time funnel and time spent at a million facts)."""
    courses, numbers = read_columns(session, values, 2)
    found = np.asarray(numbers, dtype=float)
    return {course: _median(found[start:end]) for course, start, end in _runs(courses)}


def _runs(courses: list[Any]) -> list[tuple[str, int, int]]:
    """(course, start, end) of each run of one course in ``courses`` (rows in course
    order): its rows are those from ``start`` to before ``end``."""
    if not courses:
        return []
    keys = np.asarray(courses, dtype=object)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]).tolist()
    ends = [*starts[1:], len(keys)]
    return [(str(keys[start]), start, end) for start, end in zip(starts, ends, strict=True)]


def _median(values: Any) -> float:
    """The median of some values: the mean of the two middle ones for an even count, as
    ``_medians`` computes it in SQL."""
    ordered = np.sort(values)
    count = len(ordered)
    return float((ordered[(count - 1) // 2] + ordered[count // 2]) / 2)


def _funnel_of_progress(session: Session, filters: Filters, columns: list[str]) -> pd.DataFrame:
    """``course_funnel``'s ``columns`` from ``course_progress`` (a day range, a team):
    a stage's people are the people with a row of that stage in the range, the best
    score and the time of a pair are grouped from its rows with a score or seconds
    alone (the others add nothing to them).

    PostgreSQL groups the range's rows by (course, person) once, by hashing, and counts
    each course's pairs per stage from them (each ``count(DISTINCT ...)`` would sort its
    course's people again). SQLite counts the distinct people of each stage in one pass
    over the rows in (course, person) order, a third of the cost of grouping them
    twice, and the scores' and times' medians are picked here (``_measured_pairs``)."""
    if not groups_by_hashing(session):
        frame = read_frame(session, _stage_people(filters), columns[:9])
        measures = _measured_pairs(session, filters)
        for column in columns[9:]:
            frame[column] = [measures.get(course, {}).get(column) for course in frame["course"]]
        return frame
    conditions = _progress_conditions(filters)
    pairs = (
        select(
            P.course.label("course"),
            # A stage's greatest count: more than 0 when the pair reached it.
            *[func.max(getattr(P, stage)).label(stage) for stage in STAGES],
            func.sum(P.statements).label("statements"),
        )
        .where(*conditions)
        .group_by(P.course, P.actor_key)
        .subquery("pairs")
    )
    per_course = select(
        pairs.c.course,
        *[func.count().filter(pairs.c[stage] > 0).label(stage) for stage in STAGES[:4]],
        func.count().filter(pairs.c.failed > 0, pairs.c.passed == 0).label("failed"),
        func.count().filter(pairs.c.satisfied > 0).label("satisfied"),
        func.count().label("people"),
        func.sum(pairs.c.statements).label("statements"),
    ).group_by(pairs.c.course)
    # The pairs with a score or with seconds, grouped once for both.
    session_seconds, attempt_seconds = func.sum(P.seconds), func.sum(P.attempt_seconds)
    spent = case((session_seconds >= attempt_seconds, session_seconds), else_=attempt_seconds)
    measured = (
        select(
            P.course.label("course"),
            func.max(P.best_score).label("score"),
            spent.label("spent"),
        )
        .where(*conditions, *_measured(P))
        .group_by(P.course, P.actor_key)
        .cte("measured")
    )
    scored = select(measured.c.course, measured.c.score.label("value")).where(
        measured.c.score.is_not(None)
    )
    timed = select(measured.c.course, measured.c.spent.label("value")).where(measured.c.spent > 0)
    query = _funnel_joined(per_course.subquery(), scored.cte("scored"), timed.subquery())
    return read_frame(session, query, columns)


def _stage_people(filters: Filters) -> Any:
    """Per course of ``course_progress`` under ``filters``: the distinct people with a row
    of each stage, all its people and its statements (``course_funnel``'s counts)."""

    def distinct_people(condition: ColumnElement[bool] | None = None) -> Any:
        people = func.count(distinct(P.actor_key))
        return people if condition is None else people.filter(condition)

    return (
        select(
            P.course.label("course"),
            *[distinct_people(getattr(P, stage) > 0).label(stage) for stage in STAGES[:4]],
            # failed: people with a fail and no pass, those judged less those who passed
            (
                distinct_people(or_(P.failed > 0, P.passed > 0)) - distinct_people(P.passed > 0)
            ).label("failed"),
            distinct_people(P.satisfied > 0).label("satisfied"),
            distinct_people().label("people"),
            func.sum(P.statements).label("statements"),
        )
        .where(*_progress_conditions(filters))
        .group_by(P.course)
    )


def _measured_pairs(session: Session, filters: Filters) -> dict[str, dict[str, float]]:
    """Per course of ``course_progress`` under ``filters``: the mean and the median of
    its pairs' best scores and the median of their times (``mean_score``,
    ``median_score``, ``median_seconds``, absent without any). Only the rows with a
    score or seconds are grouped (the others add nothing to a pair's best score or
    time), and the medians picked here from the pairs read in course order (see
    ``_median_of_each``)."""
    session_seconds, attempt_seconds = func.sum(P.seconds), func.sum(P.attempt_seconds)
    spent = case((session_seconds >= attempt_seconds, session_seconds), else_=attempt_seconds)
    query = (
        select(P.course, func.max(P.best_score), spent)
        .where(*_progress_conditions(filters), *_measured(P))
        .group_by(P.course, P.actor_key)
        .order_by(P.course, P.actor_key)
    )
    courses, scores, times = read_columns(session, query, 3)
    found: dict[str, dict[str, float]] = {}
    for course, start, end in _runs(courses):
        course_scores = [score for score in scores[start:end] if score is not None]
        course_times = [time for time in times[start:end] if time > 0]
        measures = found[course] = {}
        if course_scores:
            measures["mean_score"] = _sum_in_order(course_scores) / len(course_scores)
            measures["median_score"] = _median(np.asarray(course_scores, dtype=float))
        if course_times:
            measures["median_seconds"] = _median(np.asarray(course_times, dtype=float))
    return found


def _sum_in_order(values: list[float]) -> float:
    """The values added one after the other, in order, as the databases' sum and avg add
    a group's rows (numpy's sum adds them pairwise: other last digits)."""
    total = 0.0
    for value in values:
        total += value
    return total


def _funnel_joined(per_course: Any, scored: Any, timed: Any = None) -> Any:
    """The per-course counts with the mean of the pairs' scores (``scored``: course,
    value) and, when ``timed`` is given, the medians of their scores and of their times
    (``timed``)."""
    means = (
        select(scored.c.course, func.avg(scored.c.value).label("mean_score"))
        .group_by(scored.c.course)
        .subquery()
    )
    if timed is None:
        return select(per_course, means.c.mean_score).outerjoin(
            means, means.c.course == per_course.c.course
        )
    scores = _medians(scored, scored.c.value, "median_score")
    times = _medians(timed, timed.c.value, "median_seconds")
    return (
        select(per_course, means.c.mean_score, scores.c.median_score, times.c.median_seconds)
        .outerjoin(means, means.c.course == per_course.c.course)
        .outerjoin(scores, scores.c.course == per_course.c.course)
        .outerjoin(times, times.c.course == per_course.c.course)
    )


def score_distribution(session: Session, filters: Filters) -> pd.DataFrame:
    """Scaled scores of formal results in tenths: columns bucket (0.0 to 0.9), results."""
    conditions = [*fact_conditions(filters), F.source_kind == "formal", F.score_scaled.is_not(None)]
    clamped = case(
        (F.score_scaled >= 1.0, 9),
        (F.score_scaled < 0.0, 0),
        else_=func.floor(F.score_scaled * 10),
    )
    query = select(clamped, func.count()).where(*conditions).group_by(clamped).order_by(clamped)
    frame = read_frame(session, query, ["bucket", "results"])
    frame["bucket"] = frame["bucket"].astype(float) / 10.0
    return frame


def time_spent(session: Session, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """Per course: people with timed statements, their total hours, and the mean and
    median minutes per person, most hours first; attrs total = such courses.

    A person's time on a course is the larger of two sums of ``result.duration`` over
    their formal statements on it: those of session ends (terminated, abandoned), which
    in cmi5 cover a whole session, and those of attempt ends (completed, passed, failed,
    mastered), which course exports without sessions carry. The larger and not both, so
    that a cmi5 session, whose completed or passed statements carry the time since the
    session began as its terminated does (cmi5 9.5.4.1), is not counted twice.
    """
    pairs = learners(session, filters, ("session_seconds", "attempt_seconds"), _timed_measured)
    spent = spent_seconds(pairs)
    if uses_learner_rollup(filters):
        # All time: the totals in SQL, the medians from the sorted times (one row per
        # pair stored, nothing to group).
        timed_pairs = (
            select(pairs.c.course.label("course"), spent.label("spent")).where(spent > 0).subquery()
        )
        totals = (
            select(
                timed_pairs.c.course,
                func.count().label("people"),
                func.sum(timed_pairs.c.spent).label("seconds"),
            )
            .group_by(timed_pairs.c.course)
            .subquery()
        )
        query = select(totals).order_by(totals.c.seconds.desc(), totals.c.course)
        frame = read_frame(session, query, ["course", "people", "seconds"])
        medians = _median_of_each(session, _learner_times())
        frame["median"] = [medians.get(course) for course in frame["course"]]
    else:
        # The pairs' times in (course, person) order, as they are grouped: each course's
        # total and median picked here (SQLite's window functions cost more than
        # grouping the pairs).
        timed = (
            select(pairs.c.course, spent)
            .where(spent > 0)
            .order_by(pairs.c.course, pairs.c.actor_key)
        )
        frame = _totals_of_each(*read_columns(session, timed, 2))
        frame = frame.sort_values(["seconds", "course"], ascending=[False, True])
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    names = activity_names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    frame["people"] = frame["people"].astype("int64")
    frame["seconds"] = frame["seconds"].astype(float)
    frame["hours"] = frame["seconds"] / 3600.0
    frame["minutes_per_person"] = frame["seconds"] / 60.0 / frame["people"]
    frame["median_minutes"] = frame.pop("median").astype(float) / 60.0
    return with_total(frame, total)


def stalled(
    session: Session,
    filters: Filters,
    days: int = 14,
    today: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> pd.DataFrame:
    """People who started a course (a launch, an attempt, progress... not only an
    enrolment), have not completed it, and whose last statement on it is ``days`` days
    or more before the end of the range (``today`` when the range is open): longest idle
    first, ``limit`` rows from ``offset``; attrs total = such (person, course) pairs."""
    reference = filters.end or today or dt.datetime.now(dt.UTC).date()
    cutoff = reference - dt.timedelta(days=days)
    columns = ["actor_key", "name", "team", "course", "last_day"]
    if uses_learner_rollup(filters):
        # All time: the stored pairs that started and never completed, in the order of
        # ix_course_learner_stalled, a page of them and their count each from the index.
        zero: Any = literal_column("0")
        pairs = learners(
            session,
            filters,
            ("last_day", "name", "team"),
            lambda L: [L.started > zero, L.completed == zero, L.last_day <= cutoff],
        )
        page = (
            select(*[pairs.c[name] for name in columns])
            .order_by(pairs.c.last_day, pairs.c.actor_key, pairs.c.course)
            .offset(offset)
            .limit(limit)
        )
        frame = read_frame(session, page, columns)
        total = scalar(session, select(func.count()).select_from(pairs))
    elif uses_people_rollup(filters):
        frame, total = _stalled_of_progress(session, filters, cutoff, limit, offset)
    else:
        pairs = learners(session, filters, ("started", "completed", "last_day", "name", "team"))
        conditions = [pairs.c.started > 0, pairs.c.completed == 0, pairs.c.last_day <= cutoff]
        query = (
            select(*[pairs.c[name] for name in columns], group_count())
            .where(*conditions)
            .order_by(pairs.c.last_day, pairs.c.actor_key, pairs.c.course)
            .offset(offset)
            .limit(limit)
        )
        frame, total = ranked_frame(session, query, columns)
        if frame.empty and offset:
            total = scalar(session, select(func.count()).select_from(pairs).where(*conditions))
    names = activity_names(session, frame["course"].tolist())
    frame.insert(4, "course_name", [names.get(c, c) for c in frame["course"]])
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    frame["team"] = frame["team"].fillna("(no team)")
    frame["last_day"] = [_day(day) for day in frame["last_day"]]
    frame["days_idle"] = [(reference - day).days for day in frame["last_day"]]
    return with_total(frame, total)


def _stalled_of_progress(
    session: Session, filters: Filters, cutoff: dt.date, limit: int, offset: int
) -> tuple[pd.DataFrame, int]:
    """``stalled``'s page and count from ``course_progress`` (a day range, a team): the
    pairs are grouped with only what decides whether they stalled, and the names and
    teams read for the page's pairs alone (grouping each pair's name and team cost as
    much as finding the pairs)."""
    conditions = _progress_conditions(filters)
    last_day = func.max(P.day)
    pairs = (
        select(P.course.label("course"), P.actor_key.label("actor_key"),
               last_day.label("last_day"))
        .where(*conditions)
        .group_by(P.course, P.actor_key)
        # The greatest counts, not their sums: the same test, and PostgreSQL sums
        # bigints as numeric.
        .having(func.max(P.started) > 0, func.max(P.completed) == 0, last_day <= cutoff)
        .cte("pairs")
    )  # fmt: skip
    # Their count from the pairs grouped once (a table expression read twice), not by a
    # window over all of them, which SQLite keeps aside and sorts whole for the page.
    counted = select(func.count()).select_from(pairs).scalar_subquery()
    page = (
        select(pairs.c.actor_key, pairs.c.course, pairs.c.last_day, counted)
        .order_by(pairs.c.last_day, pairs.c.actor_key, pairs.c.course)
        .offset(offset)
        .limit(limit)
    )
    found, total = ranked_frame(session, page, ["actor_key", "course", "last_day"])
    if found.empty and offset:
        total = scalar(session, select(func.count()).select_from(pairs))
    keys = list(zip(found["course"], found["actor_key"], strict=True))
    names: dict[tuple[str, str], tuple[Any, Any]] = {}
    if keys:
        rows = session.connection().execute(
            select(P.course, P.actor_key, func.max(P.actor_name),
                   func.max(case((P.team != "", P.team))))
            .where(
                # Each course and person listed, so that SQLite seeks the pairs' days in
                # ix_course_progress_course_actor (a list of pairs alone it would
                # compare with every row of the range).
                *people_conditions(filters, P),
                P.course.in_(sorted({course for course, _ in keys})),
                P.actor_key.in_(sorted({actor for _, actor in keys})),
                tuple_(P.course, P.actor_key).in_(keys),
            )
            .group_by(P.course, P.actor_key)
        )  # fmt: skip
        names = {(course, actor): (name, team) for course, actor, name, team in rows}
    frame = pd.DataFrame(
        {
            "actor_key": found["actor_key"],
            "name": [names.get(key, (None, None))[0] for key in keys],
            "team": [names.get(key, (None, None))[1] for key in keys],
            "course": found["course"],
            "last_day": found["last_day"],
        },
        columns=["actor_key", "name", "team", "course", "last_day"],
    )
    return frame, total


def _totals_of_each(courses: list[Any], times: list[Any]) -> pd.DataFrame:
    """Per course of (course, time) rows in course order: its people, their seconds
    (``_sum_in_order``) and their median (``_median``)."""
    rows = [
        (course, end - start, _sum_in_order(own), _median(np.asarray(own, dtype=float)))
        for course, start, end in _runs(courses)
        for own in [times[start:end]]
    ]
    return pd.DataFrame(rows, columns=["course", "people", "seconds", "median"])


def _day(value: Any) -> dt.date:
    # SQLite answers max(day) as ISO text: a date on both databases.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


PERSON_COURSE_COLUMNS = ("course", "name", "status", "enrolled", "started", "completed",
                         "passed", "failed", "best_score", "minutes", "last_day")  # fmt: skip
STATUSES = ("passed", "failed", "completed", "started", "enrolled")
"""A person's status on a course: the first of these stages reached, in this order
(``failed``: a fail and no pass)."""


def person_courses(session: Session, filters: Filters) -> pd.DataFrame:
    """One person's courses (the person filter): the status reached, each stage's
    statements, the best score, the minutes spent (``time_spent``'s rule) and the last
    day active; most recent first."""
    pairs = learners(session, filters)
    query = select(
        pairs.c.course, *[pairs.c[stage] for stage in STAGES], pairs.c.best_score,
        spent_seconds(pairs), pairs.c.last_day,
    ).order_by(pairs.c.last_day.desc(), pairs.c.course)  # fmt: skip
    frame = read_frame(session, query, ["course", *STAGES, "best_score", "seconds", "last_day"])
    for stage in STAGES:
        frame[stage] = frame[stage].astype("int64")
    names = activity_names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    statuses = []
    for row in frame.itertuples(index=False):
        reached = {stage for stage in STAGES if getattr(row, stage) > 0}
        if "passed" in reached:
            reached.discard("failed")
        statuses.append(next((s for s in STATUSES if s in reached), "active"))
    frame.insert(2, "status", statuses)
    frame["minutes"] = frame.pop("seconds").astype(float) / 60.0
    frame["best_score"] = frame["best_score"].astype(float)
    frame["last_day"] = [_day(day) for day in frame["last_day"]]
    return frame[list(PERSON_COURSE_COLUMNS)]
