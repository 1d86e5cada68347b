"""People: the most active, one person's formal and informal sides, names for keys, and
the people search of the filter bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from lrs.insight._sql import (
    A,
    F,
    by_period,
    fact_conditions,
    group_count,
    people_conditions,
    ranked_frame,
    read_frame,
    scope_conditions,
    uses_people_rollup,
    with_total,
)
from lrs.insight.concepts import (
    ATTEMPT_END,
    COMPLETED,
    CONTRIBUTE,
    PASSED,
    SESSION_END,
    course_key,
)
from lrs.insight.filters import Filters, to_query
from lrs.insight.scope import EVERYTHING, Scope
from lrs.store.dialects import storable_text
from lrs.store.models import ActorMonth


def people_options(
    session: Session, search: str = "", limit: int = 50, scope: Scope = EVERYTHING
) -> pd.DataFrame:
    """People of ``scope`` whose name or key contains ``search``, most active first (none
    for text no stored name can hold: U+0000 or not UTF-8). Without ``search`` (the
    picker opening with every person listed) read from ``actor_month``, whose months sum
    to each person's facts, and the names of the listed from ``actor_day``; a search
    reads ``actor_day``, which holds the names."""
    if storable_text(search) and not search:
        M = ActorMonth
        total = func.sum(M.statements)
        ranked = (
            select(M.actor_key, total)
            .where(*scope_conditions(scope, M))
            .group_by(M.actor_key)
            .order_by(total.desc(), M.actor_key)
            .limit(limit)
        )
        frame = read_frame(session, ranked, ["actor_key", "statements"])
        names = _names(session, frame["actor_key"].tolist(), scope_conditions(scope, A))
        frame.insert(1, "name", [names.get(key) for key in frame["actor_key"]])
        frame["statements"] = frame["statements"].astype("int64")
        return frame
    statements = func.sum(A.statements)
    query = (
        select(A.actor_key, func.max(A.actor_name), statements)
        .where(*scope_conditions(scope, A))
        .group_by(A.actor_key)
    )
    if not storable_text(search):
        query = query.where(false())
    else:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(A.actor_name).like(pattern), func.lower(A.actor_key).like(pattern))
        )
    query = query.order_by(statements.desc(), A.actor_key).limit(limit)
    frame = read_frame(session, query, ["actor_key", "name", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame


def _names(
    session: Session, keys: Sequence[str], conditions: Sequence[ColumnElement[bool]]
) -> dict[str, str | None]:
    """actor_key -> the greatest name on the ``actor_day`` rows of ``conditions`` (as
    ``max(actor_name)`` over them), read in person order for these few keys."""
    if not keys:
        return {}
    rows = session.execute(
        select(A.actor_key, func.max(A.actor_name))
        .where(A.actor_key.in_(list(keys)), *conditions)
        .group_by(A.actor_key)
    ).all()
    return {str(key): name for key, name in rows}


def top_people(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most active people: statements in total, formal and informal; attrs total = people."""
    columns = ["actor_key", "name", "statements", "formal", "informal"]
    if uses_people_rollup(filters):
        # Whole months from actor_month, the days at the range's ends from actor_day;
        # the names of the ranked few from their actor_day rows.
        rows = by_period(filters, A, ActorMonth, ("actor_key", "formal", "informal"))
        n = func.sum(rows.c.statements)
        rollup = (
            select(
                rows.c.actor_key,
                n,
                func.sum(rows.c.formal),
                func.sum(rows.c.informal),
                group_count(),
            )
            .group_by(rows.c.actor_key)
            .order_by(n.desc(), rows.c.actor_key)
            .limit(limit)
        )
        counts = ["actor_key", "statements", "formal", "informal"]
        frame, total = ranked_frame(session, rollup, counts)
        for column in ("statements", "formal", "informal"):
            frame[column] = frame[column].astype("int64")
        names = _names(session, frame["actor_key"].tolist(), people_conditions(filters))
        frame.insert(1, "name", [names.get(key) or key for key in frame["actor_key"]])
        return with_total(frame[columns], total)
    formal = func.sum(case((F.source_kind == "formal", 1), else_=0))
    informal = func.sum(case((F.source_kind == "informal", 1), else_=0))
    query = (
        select(F.actor_key, func.max(F.actor_name), func.count(), formal, informal, group_count())
        .where(*fact_conditions(filters))
        .group_by(F.actor_key)
        .order_by(func.count().desc(), F.actor_key)
        .limit(limit)
    )
    frame, total = ranked_frame(session, query, columns)
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    return with_total(frame, total)


def person_names(
    session: Session, keys: Sequence[str], scope: Scope = EVERYTHING
) -> dict[str, tuple[str, str | None]]:
    """actor_key -> (display name, team), from ``actor_day`` in person order (index only),
    of the people ``scope`` may see (authors of content are public: no scope there)."""
    keys = [key for key in keys if storable_text(key)]
    if not keys:
        return {}
    rows = session.execute(
        select(A.actor_key, func.max(A.actor_name), func.max(case((A.team != "", A.team))))
        .where(A.actor_key.in_(list(keys)), *scope_conditions(scope, A))
        .group_by(A.actor_key)
    ).all()
    return {key: (name or key, team) for key, name, team in rows}


def _seconds_learning(session: Session, conditions: Sequence[ColumnElement[bool]]) -> float:
    """Time spent learning, by the rule of the courses' time spent: per course the larger
    of the session-end and the attempt-end sums of ``result.duration`` (a cmi5 session's
    completed or passed carries the time its terminated carries too)."""

    def summed(concepts: Sequence[str]) -> Any:
        return func.coalesce(func.sum(case((F.concept.in_(concepts), F.duration_seconds))), 0.0)

    per_course = (
        select(summed(SESSION_END).label("session"), summed(ATTEMPT_END).label("attempt"))
        .where(*conditions)
        .group_by(course_key())
        .subquery()
    )
    larger = case(
        (per_course.c.session >= per_course.c.attempt, per_course.c.session),
        else_=per_course.c.attempt,
    )
    return float(session.execute(select(func.coalesce(func.sum(larger), 0.0))).scalar() or 0.0)


def person_summary(session: Session, filters: Filters) -> pd.DataFrame:
    """One row: the formal and informal sides of the matching statements summed; with
    the person filter, that person's."""
    person = filters.person
    conditions = fact_conditions(filters)
    row = session.execute(
        select(
            func.count(),
            func.sum(case((F.source_kind == "formal", 1), else_=0)),
            func.sum(case((F.source_kind == "informal", 1), else_=0)),
            func.count(distinct(case((F.concept.in_(COMPLETED), course_key())))),
            func.count(distinct(case((F.concept.in_(PASSED), course_key())))),
            func.avg(case((F.source_kind == "formal", F.score_scaled))),
            func.sum(
                case((and_(F.source_kind == "informal", F.concept.in_(CONTRIBUTE)), 1), else_=0)
            ),
            func.max(F.actor_name),
        ).where(*conditions)
    ).one()
    statements, formal, informal, completed, passed, score, contributions, name = row
    seconds = _seconds_learning(session, conditions)
    team = (
        person_names(session, [person], filters.scope).get(person, (person, None))[1]
        if person
        else None
    )
    return pd.DataFrame(
        [
            {
                "actor_key": person,
                "name": name or person,
                "team": team or "(no team)",
                "explorer_query": to_query({"person": person}),
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
