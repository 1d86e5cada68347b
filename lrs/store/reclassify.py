"""Re-applying classification rules to the stored facts, set-based, and recomputing
every fact from its statement.

A fact keeps what the vocabulary alone says (``base_kind``, ``named_course``), so that
an administrator's rules (``statements.vocabulary.Rules``) are applied to stored facts
as one SQL expression each — the same decisions ``learning_fact`` takes at ingest, in
the same order — without reading a statement: the kind of the first matching rule,
else ``base_kind``; the course of the first course entry matching the object, else the
space, else ``named_course``, else the registration's course. Functions take a
``Session`` and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from lrs.store import facts
from lrs.store.models import (
    ActorDay,
    ActorInformalMonth,
    ActorMonth,
    CompletionTag,
    ContentAuthor,
    ContentContributor,
    ContentDay,
    ContentMonth,
    ContentResponse,
    ContentTag,
    ContentUseMonth,
    ContributionTag,
    CourseLearner,
    CourseProgress,
    DailyActivity,
    FilterValue,
    HourlyActivity,
    LearningFact,
    LearningFactTag,
    RegistrationCourse,
    Statement,
    TagDay,
    TagMonth,
)
from statements.vocabulary import Rules

F = LearningFact
R = RegistrationCourse


def _starts(column: Any, prefix: str) -> ColumnElement[bool]:
    # substr counts characters on both databases, as str.startswith does; LIKE would
    # need its wildcards escaped.
    return func.substr(column, 1, len(prefix)) == prefix


def kind_of(rules: Rules) -> ColumnElement[Any]:
    """``source_kind`` under ``rules``, in SQL over the facts."""
    whens: list[tuple[ColumnElement[bool], Any]] = []
    for rule in rules.rules:
        conditions = []
        if rule.verb is not None:
            conditions.append(F.verb_id == rule.verb)
        if rule.type is not None:
            conditions.append(F.activity_type == rule.type)
        if rule.platform is not None:
            conditions.append(F.platform == rule.platform)
        if rule.prefix is not None:
            conditions.append(_starts(F.activity_id, rule.prefix))
        whens.append((and_(*conditions), literal(rule.verdict_kind)))
    if not whens:
        return F.base_kind.expression
    return case(*whens, else_=F.base_kind)


def own_course_of(rules: Rules) -> ColumnElement[Any]:
    """The course a fact names under ``rules`` (before its registration's), in SQL."""
    whens: list[tuple[ColumnElement[bool], Any]] = []
    for column in (F.activity_id, F.space_id):
        for entry in rules.course_rules:
            if entry.id is not None:
                matches = column == entry.id
            else:
                matches = _starts(column, entry.prefix or "")
            whens.append((matches, literal(entry.course) if entry.course else column))
    if not whens:
        return F.named_course.expression
    return case(*whens, else_=F.named_course)


def _registration_course() -> ColumnElement[Any]:
    return select(R.course).where(R.registration == F.registration).scalar_subquery()


def kind_changes(session: Session, rules: Rules) -> dict[tuple[str, str], int]:
    """How many facts would go from one kind to another under ``rules``."""
    new = kind_of(rules)
    query = (
        select(F.source_kind, new, func.count())
        .where(F.source_kind != new)
        .group_by(F.source_kind, new)
    )
    return {(str(old), str(kind)): int(n) for old, kind, n in session.execute(query)}


def course_changes(session: Session, rules: Rules) -> int:
    """How many facts would change course under ``rules`` (registrations' courses as
    they stand)."""
    new = func.coalesce(own_course_of(rules), _registration_course())
    return int(session.execute(select(func.count()).where(F.course_id.is_distinct_from(new)))
               .scalar_one())  # fmt: skip


def apply_rules(session: Session, rules: Rules) -> int:
    """Give every fact its kind and course under ``rules`` and recount the rollups
    (only when a fact changed); returns how many facts changed."""
    new = kind_of(rules)
    changed = _updated(session, update(F).where(F.source_kind != new).values(source_kind=new))
    own = own_course_of(rules)
    _relearn_registrations(session, own)
    course = func.coalesce(own, _registration_course())
    changed += _updated(
        session, update(F).where(F.course_id.is_distinct_from(course)).values(course_id=course)
    )
    if changed:
        facts.rebuild_rollups(session)
    return changed


def _updated(session: Session, statement: Any) -> int:
    result: Any = session.execute(statement)
    return int(result.rowcount or 0)


def _relearn_registrations(session: Session, own: ColumnElement[Any]) -> None:
    """The course of each registration is that of its first statement naming one. Facts
    name theirs anew; voided statements (no fact) keep what they named."""
    session.execute(delete(R).where(R.seq.in_(select(F.seq))))
    earlier = (
        select(F.seq)
        .where(F.registration == R.registration, F.seq < R.seq, own.is_not(None))
        .exists()
    )
    session.execute(delete(R).where(earlier))
    firsts = (
        select(F.registration.label("registration"), func.min(F.seq).label("seq"))
        .where(F.registration.is_not(None), own.is_not(None))
        .where(F.registration.not_in(select(R.registration)))
        .group_by(F.registration)
        .subquery()
    )
    session.execute(
        insert(R).from_select(
            ["registration", "course", "seq"],
            select(firsts.c.registration, own, firsts.c.seq).join(F, F.seq == firsts.c.seq),
        )
    )


def clear_facts(session: Session) -> None:
    """Remove every fact, tag, registration course and rollup (before recomputing)."""
    for model in (LearningFactTag, LearningFact, RegistrationCourse, DailyActivity, ActorDay,
                  ActorInformalMonth, ActorMonth,
                  CourseProgress, CourseLearner, HourlyActivity, FilterValue,
                  ContentAuthor, ContentTag, ContributionTag, CompletionTag, ContentContributor,
                  ContentDay, ContentMonth, ContentUseMonth, ContentResponse, TagDay,
                  TagMonth):  # fmt: skip
        session.execute(delete(model))


def statements_after(session: Session, seq: int, limit: int) -> list[tuple[int, Any, bool]]:
    """The next ``limit`` stored statements after ``seq``, in storage order: (seq,
    statement, voided)."""
    rows = session.execute(
        select(Statement.seq, Statement.payload, Statement.voided)
        .where(Statement.seq > seq)
        .order_by(Statement.seq)
        .limit(limit)
    )
    return [(int(seq), payload, bool(voided)) for seq, payload, voided in rows]
