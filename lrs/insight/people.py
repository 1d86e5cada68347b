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


def people_options(
    session: Session, search: str = "", limit: int = 50, scope: Scope = EVERYTHING
) -> pd.DataFrame:
    """People of ``scope`` whose name or key contains ``search``, most active first (none
    for text no stored name can hold: U+0000 or not UTF-8). Read from ``actor_day``, whose
    days sum to each person's facts: the picker opens with every person listed, and
    grouping every fact for it took over a second at a million facts on SQLite."""
    statements = func.sum(A.statements)
    query = (
        select(A.actor_key, func.max(A.actor_name), statements)
        .where(*scope_conditions(scope, A))
        .group_by(A.actor_key)
    )
    if not storable_text(search):
        query = query.where(false())
    elif search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(A.actor_name).like(pattern), func.lower(A.actor_key).like(pattern))
        )
    query = query.order_by(statements.desc(), A.actor_key).limit(limit)
    frame = read_frame(session, query, ["actor_key", "name", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame


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
                group_count(),
            )
            .where(*people_conditions(filters))
            .group_by(A.actor_key)
            .order_by(n.desc(), A.actor_key)
            .limit(limit)
        )
        frame, total = ranked_frame(session, rollup, columns)
        for column in ("statements", "formal", "informal"):
            frame[column] = frame[column].astype("int64")
        frame["name"] = frame["name"].fillna(frame["actor_key"])
        return with_total(frame, total)
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
