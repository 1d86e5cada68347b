"""Courses (formal learning): the funnel per course, scores, time spent, and the
learners who started a course and stalled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from lrs.insight._sql import (
    F,
    P,
    activity_names,
    fact_conditions,
    group_count,
    people_conditions,
    ranked_frame,
    read_frame,
    scalar,
    uses_people_rollup,
    with_total,
)
from lrs.insight.concepts import (
    COMPLETED,
    ENROLLED,
    FAILED,
    PASSED,
    SESSION_END,
    STARTED,
    course_key,
)
from lrs.insight.filters import Filters

# -- courses (formal) ----------------------------------------------------------------


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
            .where(*people_conditions(filters, P))
            .group_by(P.course)
            .order_by(learners.desc(), P.course)
        )  # fmt: skip
    else:
        course = course_key().label("course")

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
    frame = read_frame(session, query, [*columns, "statements"])
    # PostgreSQL sums bigints as numeric: the same integers on both databases.
    frame["statements"] = frame["statements"].astype("int64")
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    names = activity_names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    # Rates are of the people who showed any activity on the course.
    base = frame["people"].where(frame["people"] > 0)
    frame["completion_rate"] = (frame["completed"] / base).fillna(0.0)
    judged = (frame["passed"] + frame["failed"]).where(lambda s: s > 0)
    frame["pass_rate"] = (frame["passed"] / judged).fillna(0.0)
    return with_total(frame, total)


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
    """Per course: people with timed sessions, total hours, mean minutes per person.

    Sums ``result.duration`` of session-ending statements (terminated, abandoned) only, so
    completed/passed durations are not counted twice (cmi5 9.5.4).
    """
    query: Any
    if uses_people_rollup(filters):
        seconds = func.sum(P.seconds)
        query = (
            select(P.course, func.count(distinct(P.actor_key)), seconds)
            .where(*people_conditions(filters, P), P.timed > 0)
            .group_by(P.course)
            .order_by(seconds.desc(), P.course)
        )
    else:
        course = course_key().label("course")
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
    frame = read_frame(session, query, ["course", "people", "seconds"])
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    names = activity_names(session, frame["course"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["course"]])
    frame["hours"] = frame["seconds"].astype(float) / 3600.0
    frame["minutes_per_person"] = frame["seconds"].astype(float) / 60.0 / frame["people"]
    return with_total(frame, total)


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
        frame = read_frame(session, _oldest_stalled(filters, cutoff, min(limit, total)), columns)
        return _stalled_frame(session, frame, total, today)
    course = course_key().label("course")
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
    ranked = select(pairs, group_count()).order_by(pairs.c[3], pairs.c[0], pairs.c[2]).limit(limit)
    frame, total = ranked_frame(session, ranked, columns)
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
        .where(*people_conditions(filters, P))
        .group_by(P.course)
        .subquery()
    )
    return scalar(session, select(func.sum(per_course.c.stalled)))


def _oldest_stalled(filters: Filters, cutoff: dt.date, limit: int) -> Select[Any]:
    """The ``limit`` stalled pairs of the oldest last day: each pair's last row (the one
    of the lowest team on that day), read in day order and checked against the pair's
    other rows through ix_course_progress_course_actor, so the scan stops at the
    ``limit``-th pair instead of grouping every row."""
    other = aliased(P)
    pair = [
        other.course == P.course,
        other.actor_key == P.actor_key,
        *people_conditions(filters, other),
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
            *people_conditions(filters, P),
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
    names = activity_names(session, frame["course"].tolist())
    frame["course_name"] = [names.get(c, c) for c in frame["course"]]
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    frame["days_idle"] = [(today - day).days for day in frame["last_day"]]
    return with_total(frame, total)
