"""Dashboard facts and their rollups, written in the ingest transaction.

``record`` adds one ``learning_fact`` row per stored statement (plus its tags) and
counts it in the rollups: ``daily_activity`` (per day and filter dimension),
``actor_day`` (per day, person and team) with ``actor_informal_month`` (its informal
counts per month) and ``actor_month`` (its facts, name, contributions and scores per
month), ``course_progress`` (per day, course and person) with ``course_learner`` (the
same per course and person over all days),
``filter_value`` (the filter bar's choices), ``content_author`` (who created each piece
of content), ``content_tag`` (the tags each piece of content is written with),
``contribution_tag`` (the tags of each piece of content's contributions),
``completion_tag`` (the tags of each course's completions per day and team),
``content_contributor`` (per content and person, what they wrote on it),
``content_use_month`` (per content, person, team and month, their reads and responses),
``content_response`` (per content and person, their answers, edits and reactions),
``content_day``
(informal facts per day, content, team, concept and activity type), ``tag_day``
(informal facts per day, team and tag) and ``activity_day`` (facts per day, activity
and source kind), the last three also summed per month (``content_month``,
``tag_month``, ``activity_month``). Each rollup is
written with one statement per batch, keys sorted so that concurrent writers lock rows
in the same order. ``forget`` (voiding) and ``forget_seqs`` (privacy erasure, retention)
remove facts and take them out of every rollup exactly, so dashboards never count a
voided or erased statement (xAPI-Data 2.3.2). ``rebuild_rollups`` recomputes them all.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from lrs.store import dialects
from lrs.store.models import (
    ActivityDay,
    ActivityMonth,
    ActorDay,
    ActorInformalMonth,
    ActorMonth,
    Base,
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
from statements.vocabulary import (
    ATTEMPT_END,
    AUTHORING,
    COMPLETED,
    CONSUME,
    CONTRIBUTE,
    EDITING,
    ENROLLED,
    JUDGED,
    PROGRESS,
    REACT,
    RESPONDING,
    RESPONSES,
    SESSION_END,
    WRITING,
    course_of,
)

F = LearningFact
RollupKey = tuple[Any, str, str, str, str, str]
ActorKey = tuple[Any, str, str]
CourseKey = tuple[Any, str, str, str]
LearnerKey = tuple[str, str]
HourKey = tuple[Any, int, int, str]
ContentKey = tuple[Any, str, str, str, str]
TagKey = tuple[Any, str, str]
ActivityKey = tuple[Any, str, str]
COMPLETION_TIMES = ("completed_at", "part_completed_at")
"""``course_progress``'s first completion on the course itself, and on it or any part."""
ACTOR_COUNTS = ("statements", "formal", "informal", "contributions", "reactions", "scores")
_CHUNK = 500
KEY_BYTES = 512
"""Longest identifier a fact keeps as it is: a fact's covering index entries hold three
of them and must stay under PostgreSQL's B-tree limit (a third of an 8 KiB page)."""
TYPE_CHARACTERS = 200
"""The start of an activity type that ``content_day`` keeps (its key entries stay under
PostgreSQL's B-tree limit): the types it is asked about are far shorter."""
_KEY_COLUMNS = ("actor_key", "verb_id", "activity_id", "content_id", "space_id", "course_id",
                "named_course", "team", "platform")  # fmt: skip


def bounded_key(value: str | None) -> str | None:
    """``value`` if it fits in ``KEY_BYTES`` UTF-8 bytes; else its start and a SHA-256 of
    the whole, so that long identifiers stay distinct, stable and recognisable."""
    # A character takes at most 4 bytes: most identifiers pass without being encoded.
    if value is None or len(value) <= KEY_BYTES // 4:
        return value
    encoded = value.encode()
    if len(encoded) <= KEY_BYTES:
        return value
    digest = hashlib.sha256(encoded).hexdigest()
    start = encoded[: KEY_BYTES - len(digest) - 8].decode(errors="ignore")
    return f"{start}#sha256:{digest}"


def course_key(table: Any = F) -> ColumnElement[Any]:
    """``statements.vocabulary.course_of`` in SQL, over the facts (or an alias of them)."""
    column: ColumnElement[Any] = table.course_id
    return column


def enrols(table: Any = F) -> ColumnElement[bool]:
    """Whether a fact enrols its actor in its course: a ``registered`` verb, or the
    first fact of a new registration (cmi5 LMSs enrol by creating a registration and
    send no ``registered``)."""
    return or_(table.concept.in_(ENROLLED), table.opens_registration.is_(True))


def _enrols(row: dict[str, Any]) -> bool:
    return row["concept"] in ENROLLED or bool(row.get("opens_registration"))


def _stage(row: dict[str, Any], column: str) -> bool:
    return _enrols(row) if column == "enrolled" else row["concept"] in PROGRESS[column]


def _stage_sql(column: str) -> ColumnElement[bool]:
    return enrols() if column == "enrolled" else F.concept.in_(PROGRESS[column])


# The order in which every path writes the rollups, each in the order of its keys.
ROLLUP_ORDER: tuple[str, ...] = (
    "completion_tag", "course_progress", "course_learner", "daily_activity", "actor_day",
    "actor_informal_month", "actor_month", "hourly_activity", "filter_value", "content_day",
    "content_month", "tag_day", "tag_month", "activity_day", "activity_month",
    "content_author", "content_tag", "contribution_tag", "content_contributor",
    "content_use_month", "content_response",
)  # fmt: skip


@dataclass(frozen=True)
class Counting:
    """Facts read for and ready to be written and counted (``prepare``, ``count``)."""

    rows: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    moved: set[CourseKey]
    few: bool


def record(
    session: Session, facts: Sequence[tuple[int, dict[str, Any]]], *, count: bool = True
) -> None:
    """Store one fact per (seq, fact) pair, its tags, and count it in the rollups (unless
    ``count`` is false: a bulk recomputation rebuilds them once at its end)."""
    counting = prepare(session, facts, count=count)
    if counting is not None:
        # Only writes that return nothing: PostgreSQL gets them all in one round trip
        # instead of one each.
        with dialects.pipelined(session):
            add(session, counting)


def prepare(
    session: Session, facts: Sequence[tuple[int, dict[str, Any]]], *, count: bool = True
) -> Counting | None:
    """``record``'s reads (and the writes they need first): what is left is writes only,
    for ``add`` to send, which the caller may join to its own writes in one pipeline
    (``dialects.pipelined``). None when nothing is left (no facts, or ``count`` false)."""
    if not facts:
        return None
    rows: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for seq, fact in facts:
        row = {"seq": seq, **fact}
        for column in _KEY_COLUMNS:
            row[column] = bounded_key(row.get(column))
        tags += [{"seq": seq, "tag": tag} for tag in row.pop("tags", None) or ()]
        rows.append(row)
    learned = _learn_registrations(session, rows)
    _open_registrations(session, rows)
    # The facts of registrations that learned their course are read back with the
    # stored ones (_move_to_courses): they are inserted first. Otherwise a request's
    # few facts join the rollups' writes.
    few = count and not learned and len(rows) + len(tags) <= dialects.FEW_ROWS
    if not few:
        # Core inserts on the tables: the ORM's bulk insert costs more than the rows.
        dialects.insert_rows(session, _table(LearningFact), rows)
        dialects.insert_rows(session, _table(LearningFactTag), tags)
    if not count:
        _move_to_courses(session, learned, count=False)
        return None
    moved = _move_to_courses(session, learned)
    return Counting(rows, tags, moved, few)


def add(session: Session, counting: Counting) -> None:
    """Write the facts ``prepare`` read for (when they were few) and count them in the
    rollups: writes only, nothing read back."""
    if counting.few:
        dialects.insert_rows(session, _table(LearningFact), counting.rows)
        dialects.insert_rows(session, _table(LearningFactTag), counting.tags)
    _add_to_rollups(session, counting.rows, counting.tags, counting.moved)


def _add_to_rollups(
    session: Session,
    rows: Sequence[dict[str, Any]],
    tags: Sequence[dict[str, Any]],
    moved: set[CourseKey],
) -> None:
    """Count new facts in every rollup (those of ``moved`` course progress keys were
    recounted whole already); only writes, nothing read back."""
    # In ROLLUP_ORDER, as every path: _move_to_courses wrote the first two already.
    _add_completion_tags(session, rows, tags)
    _add_to_course_progress(session, [row for row in rows if _course_key(row) not in moved])
    # After both: a moved pair's learner row is recounted from its course progress whole
    # (locked by _move_to_courses).
    learners = sorted({(course, actor) for _, course, actor, _ in moved})
    _recount_learners(session, learners, locked=True)
    _add_to_rollup(session, Counter(_rollup_key(row) for row in rows))
    _add_to_actor_day(session, rows)
    _add_informal_months(session, rows)
    _add_actor_months(session, rows)
    _add_to_hourly(session, Counter(map(_hour_key, rows)))
    _add_filter_values(session, rows)
    _add_by_period(session, CONTENT, Counter(filter(None, map(_content_key, rows))))
    _add_by_period(session, TAGS, _tag_counts(rows, tags))
    _add_by_period(session, ACTIVITIES, Counter(filter(None, map(_activity_key, rows))))
    # New facts have higher seqs than any stored one: a stored author stays the first.
    authors: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["concept"] in AUTHORING and row.get("activity_id") is not None:
            authors.setdefault(
                row["activity_id"],
                {"content_id": row["activity_id"], "seq": row["seq"],
                 "author_key": row["actor_key"], "at": row["timestamp"]},
            )  # fmt: skip
    dialects.insert_ignore(session, _table(ContentAuthor), [authors[k] for k in sorted(authors)])
    for content_tags in (CONTENT_TAGS, CONTRIBUTION_TAGS):
        content_tags.add(session, rows, tags)
    _add_contributors(session, rows)
    _add_uses(session, rows)
    _add_responses(session, rows)


def _learn_registrations(session: Session, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Give facts without a course the course of their registration, learning it from
    those that name one; returns the registrations learned in this batch."""
    registrations = sorted({row["registration"] for row in rows if row.get("registration")})
    if not registrations:
        return {}
    R = RegistrationCourse
    known: dict[str, str] = {
        str(registration): str(course)
        for registration, course in session.execute(_COURSES, {"registrations": registrations})
    }
    new: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda row: row["seq"]):
        registration, course = row.get("registration"), row.get("course_id")
        if registration and course and registration not in known:
            new.setdefault(registration, {"registration": registration, "course": course,
                                          "seq": row["seq"]})  # fmt: skip
    if new:
        dialects.insert_ignore(session, _table(R), [new[key] for key in sorted(new)])
        # A concurrent writer may have named another course first: its course stands.
        stored = session.execute(_COURSES, {"registrations": sorted(new)})
        known.update((str(reg), str(course)) for reg, course in stored)
    for row in rows:
        if row.get("course_id") is None and row.get("registration") in known:
            row["course_id"] = known[row["registration"]]
    return {registration: known[registration] for registration in new}


def _open_registrations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Mark the first fact (lowest seq) of each registration no stored fact has."""
    for row in rows:
        row["opens_registration"] = False
    registrations = sorted({row["registration"] for row in rows if row.get("registration")})
    if not registrations:
        return
    stored = set(session.execute(_OPENED, {"registrations": registrations}).scalars())
    for row in sorted(rows, key=lambda row: row["seq"]):
        registration = row.get("registration")
        if registration and registration not in stored:
            row["opens_registration"] = True
            stored.add(registration)


def _reopen_registrations(session: Session, removed: list[dict[str, Any]]) -> list[CourseKey]:
    """After removing the facts that opened registrations, the next fact of each opens
    it; returns the course progress keys of those facts."""
    registrations = sorted(
        {row["registration"] for row in removed if row.get("opens_registration")}
    )
    if not registrations:
        return []
    first = (
        select(func.min(F.seq))
        .where(F.registration.in_(registrations))
        .group_by(F.registration)
        .scalar_subquery()
    )
    session.execute(update(F).where(F.seq.in_(first)).values(opens_registration=True))
    team = func.coalesce(F.team, "")
    found = session.execute(
        select(F.day, F.course_id, F.actor_key, team).where(
            F.seq.in_(first), F.source_kind == "formal", F.course_id.is_not(None)
        )
    ).all()
    return [(day, str(course), actor, team) for day, course, actor, team in found]


def _move_to_courses(
    session: Session, learned: dict[str, str], *, count: bool = True
) -> set[CourseKey]:
    """Stored facts of newly learned registrations join their course: set their
    ``course_id`` and recount the course progress they now belong to (new facts
    included); returns the recounted keys."""
    if not learned:
        return set()
    team = func.coalesce(F.team, "")
    # Read by registration alone and keep the rows without a course here: with
    # `course_id IS NULL` in the query, SQLite walks the course index through every
    # fact that has no course (most of them) instead of the registration index.
    found = [
        row
        for row in session.execute(
            select(F.seq, F.day, F.registration, F.actor_key, team, F.source_kind,
                   F.course_id, F.concept).where(F.registration.in_(sorted(learned)))
        )
        if row.course_id is None
    ]  # fmt: skip
    # Most registrations a batch learns are new ones: no stored fact waits for their
    # course, and there is nothing to update (one statement per registration that has).
    waiting: dict[str, list[int]] = {}
    for row in found:
        waiting.setdefault(str(row.registration), []).append(row.seq)
    for registration in sorted(waiting):
        session.execute(
            update(F)
            .where(F.seq.in_(waiting[registration]))
            .values(course_id=learned[registration])
        )
    keys = {(day, learned[str(registration)], actor, team_)
            for _, day, registration, actor, team_, kind, _, _ in found
            if count and kind == "formal"}  # fmt: skip
    completions = {seq: (day, learned[str(registration)], team_)
                   for seq, day, registration, _, team_, kind, _, concept in found
                   if count and kind == "formal" and concept in COMPLETED}  # fmt: skip
    if completions:
        # The moved completions' tags are their new course's (read by seq: their facts
        # are at hand).
        T = LearningFactTag
        tagged = session.execute(select(T.seq, T.tag).where(T.seq.in_(sorted(completions))))
        rows = sorted({(*completions[seq], tag) for seq, tag in tagged})
        dialects.insert_ignore(
            session,
            _table(CompletionTag),
            [dict(zip(_COMPLETION_TAG_COLUMNS, row, strict=True)) for row in rows],
        )
    if keys:
        P = CourseProgress
        ordered = sorted(keys)
        _lock(session, P, ("day", "course", "actor_key", "team"), ordered)
        session.execute(delete(P).where(tuple_(P.day, P.course, P.actor_key, P.team).in_(ordered)))
        _insert_course_progress(session, ordered)
        # Their learner rows are recounted in the pipeline of record, where no row is read.
        learners = sorted({(course, actor) for _, course, actor, _ in ordered})
        _lock(session, CourseLearner, ("course", "actor_key"), learners)
    return keys


def forget(session: Session, voided_ids: Iterable[str]) -> None:
    """Drop the facts of voided statements and take them out of the rollups."""
    wanted = list(set(voided_ids))
    if not wanted:
        return
    seqs = session.execute(select(Statement.seq).where(Statement.id.in_(wanted))).scalars()
    forget_seqs(session, list(seqs))


def forget_seqs(session: Session, seqs: Sequence[int]) -> None:
    """Drop the facts (and tags) of these statements and take them out of the rollups."""
    ordered = sorted(set(seqs))
    for start in range(0, len(ordered), _CHUNK):
        _forget_chunk(session, ordered[start : start + _CHUNK])


def _forget_chunk(session: Session, seqs: list[int]) -> None:
    if not seqs:
        return
    columns = list(_table(F).columns)
    removed = [
        dict(row._mapping) for row in session.execute(select(*columns).where(F.seq.in_(seqs)))
    ]
    if not removed:
        return
    T = LearningFactTag
    tags = [{"seq": seq, "tag": tag} for seq, tag in session.execute(
        select(T.seq, T.tag).where(T.seq.in_(seqs)))]  # fmt: skip
    session.execute(delete(T).where(T.seq.in_(seqs)))
    session.execute(delete(F).where(F.seq.in_(seqs)))
    reopened = _reopen_registrations(session, removed)
    # The rollups in ROLLUP_ORDER, as record adds to them, each in the order of its keys.
    courses = sorted({key for key in map(_course_key, removed) if key is not None} | set(reopened))
    _recount_completion_tags(session, removed, courses)
    if courses:
        P = CourseProgress
        _lock(session, P, ("day", "course", "actor_key", "team"), courses)
        session.execute(delete(P).where(tuple_(P.day, P.course, P.actor_key, P.team).in_(courses)))
        _insert_course_progress(session, courses)
        _recount_learners(session, sorted({(course, actor) for _, course, actor, _ in courses}))
    counts: Counter[RollupKey] = Counter()
    for row in removed:
        counts[_rollup_key(row)] -= 1
    _add_to_rollup(session, counts)
    session.execute(delete(DailyActivity).where(DailyActivity.statements <= 0))
    days = sorted({_actor_key(row) for row in removed})
    _lock(session, ActorDay, ("day", "actor_key", "team"), days)
    session.execute(
        delete(ActorDay).where(tuple_(ActorDay.day, ActorDay.actor_key, ActorDay.team).in_(days))
    )
    _insert_actor_days(session, days)
    _add_informal_months(session, removed, -1)
    _recount_actor_months(session, days)
    hours: Counter[HourKey] = Counter()
    for row in removed:
        hours[_hour_key(row)] -= 1
    _add_to_hourly(session, hours)
    session.execute(delete(HourlyActivity).where(HourlyActivity.statements <= 0))
    _refresh_filter_values(session, removed)
    contents: Counter[ContentKey] = Counter()
    for key in filter(None, map(_content_key, removed)):
        contents[key] -= 1
    _add_by_period(session, CONTENT, contents)
    tag_counts = _tag_counts(removed, tags)
    _add_by_period(session, TAGS, Counter({key: -n for key, n in tag_counts.items()}))
    activities: Counter[ActivityKey] = Counter()
    for found in filter(None, map(_activity_key, removed)):
        activities[found] -= 1
    _add_by_period(session, ACTIVITIES, activities)
    gone = {row["seq"] for row in removed}
    authored = sorted(
        {row["activity_id"] for row in removed
         if row["concept"] in AUTHORING and row.get("activity_id") is not None}
    )  # fmt: skip
    if authored:
        _lock(session, ContentAuthor, ("content_id",), [(content,) for content in authored])
        session.execute(
            delete(ContentAuthor).where(
                ContentAuthor.content_id.in_(authored), ContentAuthor.seq.in_(gone)
            )
        )
        _insert_authors(session, authored)
    for content_tags in (CONTENT_TAGS, CONTRIBUTION_TAGS):
        content_tags.recount(session, removed)
    for model, counted, insert_rows in (
        (ContentContributor, _contributes, _insert_contributors),
        (ContentUseMonth, _uses, _insert_uses),
        (ContentResponse, _responds, _insert_responses),
    ):
        _recount_per_content(session, model, counted, insert_rows, removed)


def _recount_per_content(
    session: Session,
    model: Any,
    counted: Callable[[dict[str, Any]], bool],
    insert_rows: Callable[[Session, Sequence[tuple[str, str]]], None],
    removed: Sequence[dict[str, Any]],
) -> None:
    """Recount the (content, person) rows of ``model`` that the ``removed`` facts it
    ``counted`` fell in: delete them, then insert them counted anew from the facts."""
    pairs = sorted({(row["content_id"], row["actor_key"]) for row in removed if counted(row)})
    if not pairs:
        return
    _lock(session, model, ("content_id", "actor_key"), pairs)
    session.execute(delete(model).where(tuple_(model.content_id, model.actor_key).in_(pairs)))
    insert_rows(session, pairs)


def _lock(session: Session, model: Any, columns: Sequence[str], keys: Sequence[Any]) -> None:
    """Lock the rows of a rollup about to be recounted in the order of their keys (see
    ``dialects.lock_in_key_order``), before a DELETE takes them in its plan's order."""
    dialects.lock_in_key_order(session, _table(model), columns, [tuple(key) for key in keys])


def move_facts(
    session: Session, from_key: str, to_key: str, identifiers: Sequence[str] | None = None
) -> None:
    """Count the facts of person ``from_key`` (only those whose statement's actor is one of
    ``identifiers``, when given) under person ``to_key``, and recompute both persons'
    rollup rows: set-based, touching only these two persons' rows."""
    old, new = bounded_key(from_key), bounded_key(to_key)
    if old == new or old is None or new is None:
        return
    condition = F.actor_key == old
    if identifiers is not None:
        actor = select(Statement.seq).where(
            Statement.seq == F.seq, Statement.actor_key.in_(sorted(set(identifiers)))
        )
        condition = condition & actor.exists()
    session.execute(
        update(F).where(condition).values(actor_key=new),
        execution_options={"synchronize_session": False},
    )
    refresh_persons(session, [old, new])


def refresh_persons(session: Session, actor_keys: Sequence[str]) -> None:
    """Recompute the rollup rows of these persons (fact ``actor_key`` values) from their
    facts: ``actor_day``, ``course_progress`` and the authors of their content."""
    keys = sorted(set(actor_keys))
    if not keys:
        return
    session.execute(delete(ActorDay).where(ActorDay.actor_key.in_(keys)))
    _insert_actor_days(session, None, keys)
    M = ActorInformalMonth
    session.execute(delete(M).where(M.actor_key.in_(keys)))
    _insert_informal_months(session, keys)
    session.execute(delete(ActorMonth).where(ActorMonth.actor_key.in_(keys)))
    _insert_actor_months(session, keys)
    session.execute(delete(CourseProgress).where(CourseProgress.actor_key.in_(keys)))
    _insert_course_progress(session, None, keys)
    session.execute(delete(CourseLearner).where(CourseLearner.actor_key.in_(keys)))
    _insert_learners(session, None, keys)
    session.execute(delete(ContentContributor).where(ContentContributor.actor_key.in_(keys)))
    _insert_contributors(session, None, keys)
    session.execute(delete(ContentUseMonth).where(ContentUseMonth.actor_key.in_(keys)))
    _insert_uses(session, None, keys)
    session.execute(delete(ContentResponse).where(ContentResponse.actor_key.in_(keys)))
    _insert_responses(session, None, keys)
    author = select(F.actor_key).where(F.seq == ContentAuthor.seq).scalar_subquery()
    session.execute(
        update(ContentAuthor)
        .where(ContentAuthor.author_key.in_(keys))
        .values(author_key=func.coalesce(author, ContentAuthor.author_key)),
        execution_options={"synchronize_session": False},
    )


def rebuild_rollups(session: Session) -> None:
    """Recompute every rollup from the facts (after bulk loads or repairs)."""
    rebuild_rollup(session)
    session.execute(delete(ActorDay))
    _insert_actor_days(session, None)
    session.execute(delete(ActorInformalMonth))
    _insert_informal_months(session, None)
    session.execute(delete(ActorMonth))
    _insert_actor_months(session, None)
    session.execute(delete(CourseProgress))
    _insert_course_progress(session, None)
    session.execute(delete(CourseLearner))
    _insert_learners(session, None)
    session.execute(delete(HourlyActivity))
    team = func.coalesce(F.team, "")
    session.execute(
        insert(HourlyActivity).from_select(
            ["day", "weekday", "hour", "team", "statements"],
            select(F.day, F.weekday, F.hour, team, func.count()).group_by(
                F.day, F.weekday, F.hour, team
            ),
        )
    )
    session.execute(delete(FilterValue))
    _insert_filter_values(session, None)
    session.execute(delete(ContentAuthor))
    _insert_authors(session, None)
    for content_tags in (CONTENT_TAGS, CONTRIBUTION_TAGS):
        content_tags.rebuild(session)
    session.execute(delete(CompletionTag))
    session.execute(insert(CompletionTag).from_select(_COMPLETION_TAG_COLUMNS, _completion_tags()))
    session.execute(delete(ContentContributor))
    _insert_contributors(session, None)
    session.execute(delete(ContentUseMonth))
    _insert_uses(session, None)
    session.execute(delete(ContentResponse))
    _insert_responses(session, None)
    for rollup in (CONTENT, TAGS, ACTIVITIES):
        _rebuild_by_period(session, rollup)


def rebuild_rollup(session: Session) -> None:
    """Recompute ``daily_activity`` from the facts."""
    session.execute(delete(DailyActivity))
    team = func.coalesce(F.team, "")
    platform = func.coalesce(F.platform, "")
    session.execute(
        insert(DailyActivity).from_select(
            ["day", "source_kind", "verb_id", "team", "platform", "concept", "statements"],
            select(
                F.day, F.source_kind, F.verb_id, team, platform, func.min(F.concept), func.count()
            ).group_by(F.day, F.source_kind, F.verb_id, team, platform),
        )
    )


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


# The reads of every request that names registrations, built once, on the tables.
_REGISTRATIONS: BindParameter[Any] = bindparam("registrations", expanding=True)
_COURSES = select(
    _table(RegistrationCourse).c.registration, _table(RegistrationCourse).c.course
).where(_table(RegistrationCourse).c.registration.in_(_REGISTRATIONS))
_OPENED = (
    select(_table(LearningFact).c.registration)
    .where(_table(LearningFact).c.registration.in_(_REGISTRATIONS))
    .distinct()
)


def _rollup_key(row: dict[str, Any]) -> RollupKey:
    return (
        row["day"],
        row["source_kind"],
        row["verb_id"],
        row.get("team") or "",
        row.get("platform") or "",
        row["concept"],
    )


def _add_to_rollup(session: Session, counts: Counter[RollupKey]) -> None:
    # Sorted keys: concurrent writers lock rollup rows in the same order (no deadlock).
    rows = [
        {
            "day": day,
            "source_kind": kind,
            "verb_id": verb,
            "team": team,
            "platform": platform,
            "concept": concept,
            "statements": n,
        }
        for (day, kind, verb, team, platform, concept), n in sorted(counts.items())
        if n
    ]
    dialects.increment(
        session,
        _table(DailyActivity),
        rows,
        key=("day", "source_kind", "verb_id", "team", "platform"),
        column="statements",
    )


def _actor_key(row: dict[str, Any]) -> ActorKey:
    return (row["day"], row["actor_key"], row.get("team") or "")


def _add_to_actor_day(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    counts: dict[ActorKey, dict[str, Any]] = {}
    for row in rows:
        key = _actor_key(row)
        formal = row["source_kind"] == "formal"
        informal = row["source_kind"] == "informal"
        score = row.get("score_scaled") if formal else None
        total = counts.setdefault(
            key,
            {"day": key[0], "actor_key": key[1], "team": key[2], "actor_name": None,
             **dict.fromkeys(ACTOR_COUNTS, 0), "score_sum": 0.0},
        )  # fmt: skip
        name = row.get("actor_name")
        if name is not None and (total["actor_name"] is None or name > total["actor_name"]):
            total["actor_name"] = name
        total["statements"] += 1
        total["formal"] += formal
        total["informal"] += informal
        total["contributions"] += informal and row["concept"] in CONTRIBUTE
        total["reactions"] += informal and row["concept"] in REACT
        total["scores"] += score is not None
        total["score_sum"] += score or 0.0
    dialects.increment(
        session,
        _table(ActorDay),
        [counts[key] for key in sorted(counts)],
        key=("day", "actor_key", "team"),
        column=(*ACTOR_COUNTS, "score_sum"),
        greatest=("actor_name",),
    )


def _add_informal_months(session: Session, rows: Iterable[dict[str, Any]], sign: int = 1) -> None:
    """Add (``sign`` 1) or take out (-1) the informal facts among ``rows`` in
    ``actor_informal_month``; a row left with no informal fact is removed."""
    counts: dict[ActorKey, dict[str, Any]] = {}
    for row in rows:
        if row["source_kind"] != "informal":
            continue
        day, actor, team = _actor_key(row)
        key = (day.replace(day=1), actor, team)
        total = counts.setdefault(
            key,
            {"month": key[0], "actor_key": actor, "team": team, "informal": 0,
             "contributions": 0, "reactions": 0},
        )  # fmt: skip
        total["informal"] += sign
        total["contributions"] += sign * (row["concept"] in CONTRIBUTE)
        total["reactions"] += sign * (row["concept"] in REACT)
    keys = sorted(counts)
    M = ActorInformalMonth
    dialects.increment(
        session,
        _table(M),
        [counts[key] for key in keys],
        key=("month", "actor_key", "team"),
        column=("informal", "contributions", "reactions"),
    )
    if sign < 0:
        for start in range(0, len(keys), _CHUNK):
            session.execute(
                delete(M).where(
                    tuple_(M.month, M.actor_key, M.team).in_(keys[start : start + _CHUNK]),
                    M.informal <= 0,
                )
            )


def _insert_informal_months(session: Session, actor_keys: Sequence[str] | None) -> None:
    """Insert ``actor_informal_month`` rows summed from ``actor_day`` (only those of
    ``actor_keys`` when given)."""
    A = ActorDay
    month = dialects.month_of(session, A.day)
    query = (
        select(month, A.actor_key, A.team, func.sum(A.informal), func.sum(A.contributions),
               func.sum(A.reactions))
        .where(A.informal > 0)
        .group_by(month, A.actor_key, A.team)
    )  # fmt: skip
    if actor_keys is not None:
        query = query.where(A.actor_key.in_(list(actor_keys)))
    columns = ["month", "actor_key", "team", "informal", "contributions", "reactions"]
    session.execute(insert(ActorInformalMonth).from_select(columns, query))


def _add_actor_months(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Add ``rows`` to ``actor_month`` as ``_add_to_actor_day`` adds them to ``actor_day``."""
    counts: dict[ActorKey, dict[str, Any]] = {}
    for row in rows:
        day, actor, team = _actor_key(row)
        key = (day.replace(day=1), actor, team)
        formal = row["source_kind"] == "formal"
        informal = row["source_kind"] == "informal"
        score = row.get("score_scaled") if formal else None
        total = counts.setdefault(
            key,
            {"month": key[0], "actor_key": actor, "team": team, "statements": 0, "formal": 0,
             "informal": 0, "actor_name": None, "contributions": 0, "scores": 0,
             "score_sum": 0.0},
        )  # fmt: skip
        name = row.get("actor_name")
        if name is not None and (total["actor_name"] is None or name > total["actor_name"]):
            total["actor_name"] = name
        total["statements"] += 1
        total["formal"] += formal
        total["informal"] += informal
        total["contributions"] += informal and row["concept"] in CONTRIBUTE
        total["scores"] += score is not None
        total["score_sum"] += score or 0.0
    dialects.increment(
        session,
        _table(ActorMonth),
        [counts[key] for key in sorted(counts)],
        key=("month", "actor_key", "team"),
        column=("statements", "formal", "informal", "contributions", "scores", "score_sum"),
        greatest=("actor_name",),
    )


def _recount_actor_months(session: Session, days: Sequence[ActorKey]) -> None:
    """Recount from ``actor_day`` the ``actor_month`` rows of the months of these
    (day, person, team) keys, once their days were: a score taken out by subtraction
    would leave a rounding residue, and a name taken out could have been the greatest."""
    M = ActorMonth
    months = sorted({(day.replace(day=1), actor, team) for day, actor, team in days})
    for start in range(0, len(months), _CHUNK):
        chunk = months[start : start + _CHUNK]
        _lock(session, M, ("month", "actor_key", "team"), chunk)
        session.execute(delete(M).where(tuple_(M.month, M.actor_key, M.team).in_(chunk)))
        _insert_actor_months(session, sorted({key[1] for key in chunk}), chunk)


def _insert_actor_months(
    session: Session,
    actor_keys: Sequence[str] | None,
    months: Sequence[ActorKey] | None = None,
) -> None:
    """Insert ``actor_month`` rows summed from ``actor_day`` (only those of
    ``actor_keys``, and of the (month, person, team) ``months``, when given)."""
    A = ActorDay
    month = dialects.month_of(session, A.day)
    query = select(
        month, A.actor_key, A.team, func.sum(A.statements), func.sum(A.formal),
        func.sum(A.informal), func.max(A.actor_name), func.sum(A.contributions),
        func.sum(A.scores), func.sum(A.score_sum),
    ).group_by(month, A.actor_key, A.team)  # fmt: skip
    if actor_keys is not None:
        query = query.where(A.actor_key.in_(list(actor_keys)))
    if months is not None:
        query = query.where(tuple_(month, A.actor_key, A.team).in_(list(months)))
    columns = ["month", "actor_key", "team", "statements", "formal", "informal", "actor_name",
               "contributions", "scores", "score_sum"]  # fmt: skip
    session.execute(insert(ActorMonth).from_select(columns, query))


def _insert_actor_days(
    session: Session, keys: Sequence[ActorKey] | None, actor_keys: Sequence[str] | None = None
) -> None:
    """Insert ``actor_day`` rows counted from the facts (only ``keys``, or only those of
    ``actor_keys``, when given)."""
    team = func.coalesce(F.team, "")
    formal = F.source_kind == "formal"
    informal = F.source_kind == "informal"
    query = select(
        F.day,
        F.actor_key,
        team,
        func.max(F.actor_name),
        func.count(),
        func.sum(case((formal, 1), else_=0)),
        func.sum(case((informal, 1), else_=0)),
        func.sum(case((informal & F.concept.in_(CONTRIBUTE), 1), else_=0)),
        func.sum(case((informal & F.concept.in_(REACT), 1), else_=0)),
        func.sum(case((formal & F.score_scaled.is_not(None), 1), else_=0)),
        func.coalesce(func.sum(case((formal, F.score_scaled))), 0.0),
    ).group_by(F.day, F.actor_key, team)
    if keys is not None:
        if not keys:
            return
        query = query.where(
            F.actor_key.in_(sorted({key[1] for key in keys})),
            tuple_(F.day, F.actor_key, team).in_(list(keys)),
        )
    if actor_keys is not None:
        query = query.where(F.actor_key.in_(list(actor_keys)))
    columns = ["day", "actor_key", "team", "actor_name", *ACTOR_COUNTS, "score_sum"]
    session.execute(insert(ActorDay).from_select(columns, query))


def _hour_key(row: dict[str, Any]) -> HourKey:
    return (row["day"], row["weekday"], row["hour"], row.get("team") or "")


def _add_to_hourly(session: Session, counts: Counter[HourKey]) -> None:
    rows = [
        {"day": day, "weekday": weekday, "hour": hour, "team": team, "statements": n}
        for (day, weekday, hour, team), n in sorted(counts.items())
        if n
    ]
    dialects.increment(
        session,
        _table(HourlyActivity),
        rows,
        key=("day", "weekday", "hour", "team"),
        column="statements",
    )


def _course_key(row: dict[str, Any]) -> CourseKey | None:
    course = course_of(row.get("course_id"))
    if row["source_kind"] != "formal" or course is None:
        return None
    return (row["day"], course, row["actor_key"], row.get("team") or "")


def _add_to_course_progress(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    counts: dict[CourseKey, dict[str, Any]] = {}
    for row in rows:
        key = _course_key(row)
        if key is None:
            continue
        total = counts.setdefault(
            key,
            {"day": key[0], "course": key[1], "actor_key": key[2], "team": key[3],
             "actor_name": None, "statements": 0, **dict.fromkeys(PROGRESS, 0), "timed": 0,
             "seconds": 0.0, "attempt_seconds": 0.0, "best_score": None,
             **dict.fromkeys(COMPLETION_TIMES)},
        )  # fmt: skip
        name = row.get("actor_name")
        if name is not None and (total["actor_name"] is None or name > total["actor_name"]):
            total["actor_name"] = name
        total["statements"] += 1
        for column in PROGRESS:
            total[column] += _stage(row, column)
        seconds = row.get("duration_seconds")
        if row["concept"] in SESSION_END and seconds is not None:
            total["timed"] += 1
            total["seconds"] += seconds
        if row["concept"] in ATTEMPT_END and seconds is not None:
            total["attempt_seconds"] += seconds
        score = row.get("score_scaled")
        if row["concept"] in JUDGED and score is not None:
            best = total["best_score"]
            total["best_score"] = score if best is None else max(best, score)
        if row["concept"] in COMPLETED:
            at = row["timestamp"]
            on_course = row.get("activity_id") == key[1]
            for column in COMPLETION_TIMES if on_course else COMPLETION_TIMES[1:]:
                if total[column] is None or at < total[column]:
                    total[column] = at
    dialects.increment(
        session,
        _table(CourseProgress),
        [counts[key] for key in sorted(counts)],
        key=("day", "course", "actor_key", "team"),
        column=("statements", *PROGRESS, "timed", "seconds", "attempt_seconds"),
        greatest=("actor_name", "best_score"),
        least=COMPLETION_TIMES,
    )
    learners: dict[LearnerKey, dict[str, Any]] = {}
    for (day, course, actor, _), total in sorted(counts.items()):
        learner = learners.get((course, actor))
        if learner is None:
            learner = learners[(course, actor)] = {
                **{k: v for k, v in total.items() if k != "day"},
                "first_day": day, "last_day": day,
                "completed_last": day if total["completed"] else None,
            }  # fmt: skip
            continue
        for column in ("statements", *PROGRESS, "timed", "seconds", "attempt_seconds"):
            learner[column] += total[column]
        for column in ("actor_name", "best_score", "team"):
            if total[column] is not None and (
                learner[column] is None or total[column] > learner[column]
            ):
                learner[column] = total[column]
        learner["last_day"] = max(learner["last_day"], day)
        if total["completed"]:
            last = learner["completed_last"]
            learner["completed_last"] = day if last is None else max(last, day)
        for column in COMPLETION_TIMES:
            if total[column] is not None and (
                learner[column] is None or total[column] < learner[column]
            ):
                learner[column] = total[column]
    dialects.increment(
        session,
        _table(CourseLearner),
        [learners[key] for key in sorted(learners)],
        key=("course", "actor_key"),
        column=("statements", *PROGRESS, "timed", "seconds", "attempt_seconds"),
        greatest=("actor_name", "best_score", "team", "last_day", "completed_last"),
        least=("first_day", *COMPLETION_TIMES),
    )
    _name_completions(session, sorted(learners))


def _name_completions(session: Session, pairs: Sequence[LearnerKey]) -> None:
    """Set ``completed_name`` of these ``course_learner`` rows that count a completion
    from their ``course_progress`` rows: the greatest name of a day with a completion,
    which a later fact of that day without one may raise (a write only, on the rows the
    caller's increment locked)."""
    for start in range(0, len(pairs), _CHUNK):
        session.execute(_NAME_COMPLETIONS, {"pairs": list(pairs[start : start + _CHUNK])})


def _naming_completions() -> Any:
    # Built once, on the tables: most requests run it, and building it cost more than
    # running it.
    L, P = _table(CourseLearner).c, _table(CourseProgress).c
    name = (
        select(func.max(P.actor_name))
        .where(P.course == L.course, P.actor_key == L.actor_key, P.completed > 0)
        .scalar_subquery()
    )
    return (
        update(_table(CourseLearner))
        .where(
            tuple_(L.course, L.actor_key).in_(bindparam("pairs", expanding=True)),
            L.completed > 0,
        )
        .values(completed_name=name)
    )


_NAME_COMPLETIONS = _naming_completions()


def _recount_learners(
    session: Session, pairs: Sequence[LearnerKey], *, locked: bool = False
) -> None:
    """Recount these (course, person) rows of ``course_learner`` from course progress
    (``locked``: the caller locked them already, as inside a pipeline no row is read)."""
    L = CourseLearner
    for start in range(0, len(pairs), _CHUNK):
        chunk = list(pairs[start : start + _CHUNK])
        if not locked:
            _lock(session, L, ("course", "actor_key"), chunk)
        session.execute(delete(L).where(tuple_(L.course, L.actor_key).in_(chunk)))
        _insert_learners(session, chunk)


def _insert_learners(
    session: Session, pairs: Sequence[LearnerKey] | None, actor_keys: Sequence[str] | None = None
) -> None:
    """Insert ``course_learner`` rows summed from ``course_progress`` (only ``pairs``, or
    only those of ``actor_keys``, when given)."""
    P = CourseProgress
    counted = ("statements", *PROGRESS, "timed", "seconds", "attempt_seconds")
    query = select(
        P.course,
        P.actor_key,
        func.max(P.team),
        func.max(P.actor_name),
        *[func.sum(getattr(P, column)) for column in counted],
        func.max(P.best_score),
        func.min(P.day),
        func.max(P.day),
        func.max(case((P.completed > 0, P.day))),
        *[func.min(getattr(P, column)) for column in COMPLETION_TIMES],
        func.max(case((P.completed > 0, P.actor_name))),
    ).group_by(P.course, P.actor_key)
    if pairs is not None:
        if not pairs:
            return
        query = query.where(
            P.actor_key.in_(sorted({actor for _, actor in pairs})),
            tuple_(P.course, P.actor_key).in_(list(pairs)),
        )
    if actor_keys is not None:
        query = query.where(P.actor_key.in_(list(actor_keys)))
    columns = ["course", "actor_key", "team", "actor_name", *counted, "best_score",
               "first_day", "last_day", "completed_last", *COMPLETION_TIMES,
               "completed_name"]  # fmt: skip
    session.execute(insert(CourseLearner).from_select(columns, query))


def _insert_course_progress(
    session: Session, keys: Sequence[CourseKey] | None, actor_keys: Sequence[str] | None = None
) -> None:
    """Insert ``course_progress`` rows counted from the facts (only ``keys``, or only
    those of ``actor_keys``, when given)."""
    team = func.coalesce(F.team, "")
    course = course_key()
    timed = F.concept.in_(SESSION_END) & F.duration_seconds.is_not(None)
    attempt = F.concept.in_(ATTEMPT_END)
    completed = F.concept.in_(COMPLETED)
    query = (
        select(
            F.day,
            course,
            F.actor_key,
            team,
            func.max(F.actor_name),
            func.count(),
            *[func.sum(case((_stage_sql(column), 1), else_=0)) for column in PROGRESS],
            func.sum(case((timed, 1), else_=0)),
            func.coalesce(func.sum(case((timed, F.duration_seconds))), 0.0),
            func.coalesce(func.sum(case((attempt, F.duration_seconds))), 0.0),
            func.max(case((F.concept.in_(JUDGED), F.score_scaled))),
            func.min(case((completed & (F.activity_id == course), F.timestamp))),
            func.min(case((completed, F.timestamp))),
        )
        .where(F.source_kind == "formal", course.is_not(None))
        .group_by(F.day, course, F.actor_key, team)
    )
    if keys is not None:
        query = query.where(
            F.actor_key.in_(sorted({key[2] for key in keys})),
            tuple_(F.day, course, F.actor_key, team).in_(list(keys)),
        )
    if actor_keys is not None:
        query = query.where(F.actor_key.in_(list(actor_keys)))
    columns = ["day", "course", "actor_key", "team", "actor_name", "statements", *PROGRESS,
               "timed", "seconds", "attempt_seconds", "best_score", *COMPLETION_TIMES]  # fmt: skip
    session.execute(insert(CourseProgress).from_select(columns, query))


def _dimension_values(row: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    values = [("verb", row["verb_id"], row["concept"])]
    if row.get("team"):
        values.append(("team", row["team"], row["team"]))
    if row.get("platform"):
        values.append(("platform", row["platform"], row["platform"]))
    if row.get("activity_id") is not None:
        values.append(("activity", row["activity_id"], row.get("activity_name")))
    return values


def _add_filter_values(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    labels: dict[tuple[str, str], str | None] = {}
    for row in rows:
        for dimension, value, label in _dimension_values(row):
            key = (dimension, value)
            counts[key] += 1
            known = labels.get(key)
            labels[key] = label if known is None or (label is not None and label > known) else known
    values = [
        {"dimension": d, "value": v, "label": labels[(d, v)], "statements": n}
        for (d, v), n in sorted(counts.items())
    ]
    dialects.increment(
        session,
        _table(FilterValue),
        values,
        key=("dimension", "value"),
        column="statements",
        greatest=("label",),
    )


def _refresh_filter_values(session: Session, removed: Iterable[dict[str, Any]]) -> None:
    keys = sorted({(d, v) for row in removed for d, v, _ in _dimension_values(row)})
    _lock(session, FilterValue, ("dimension", "value"), keys)
    session.execute(
        delete(FilterValue).where(tuple_(FilterValue.dimension, FilterValue.value).in_(keys))
    )
    _insert_filter_values(session, keys)


def _insert_filter_values(session: Session, keys: Sequence[tuple[str, str]] | None) -> None:
    """Insert filter values counted from the facts (only ``keys`` when given)."""
    wanted: dict[str, list[str]] = {}
    for dimension, value in keys or ():
        wanted.setdefault(dimension, []).append(value)
    sources: list[tuple[str, Any, Any, Any]] = [
        ("team", F.team, F.team, F.team != ""),
        ("platform", F.platform, F.platform, F.platform != ""),
        ("verb", F.verb_id, F.concept, literal(True)),
        ("activity", F.activity_id, F.activity_name, literal(True)),
    ]
    columns = ["dimension", "value", "label", "statements"]
    for dimension, value, label, condition in sources:
        if keys is not None and dimension not in wanted:
            continue
        query = (
            select(literal(dimension), value, func.max(label), func.count())
            .where(value.is_not(None), condition)
            .group_by(value)
        )
        if keys is not None:
            query = query.where(value.in_(wanted[dimension]))
        session.execute(insert(FilterValue).from_select(columns, query))


def _insert_authors(session: Session, contents: Sequence[str] | None) -> None:
    """Insert the author of each content (only ``contents`` when given) from the facts."""
    first = select(F.activity_id.label("content_id"), func.min(F.seq).label("seq")).where(
        F.concept.in_(AUTHORING), F.activity_id.is_not(None)
    )
    if contents is not None:
        first = first.where(F.activity_id.in_(list(contents)))
    firsts = first.group_by(F.activity_id).subquery()
    # A content whose author was not among the facts removed keeps its row (the first
    # author still), so the rows of the others alone go in.
    dialects.insert_ignore_select(
        session,
        _table(ContentAuthor),
        ["content_id", "seq", "author_key", "at"],
        select(firsts.c.content_id, firsts.c.seq, F.actor_key, F.timestamp).join(
            firsts, F.seq == firsts.c.seq
        ),
    )


_COMPLETION_TAG_COLUMNS = ["day", "course", "team", "tag"]


def _completes(row: dict[str, Any]) -> bool:
    """Whether a fact completes a course (its tags are then the course's that day)."""
    return (
        row["source_kind"] == "formal"
        and row["concept"] in COMPLETED
        and course_of(row.get("course_id")) is not None
    )


def _completion_tags(keys: Sequence[tuple[Any, str, str]] | None = None) -> Any:
    """(day, course, team, tag) of the completions' tags, distinct (only those of the
    (day, course, team) ``keys`` when given)."""
    T = LearningFactTag
    team = func.coalesce(F.team, "")
    query = (
        select(F.day, F.course_id, team, T.tag)
        .join(T, T.seq == F.seq)
        .where(F.source_kind == "formal", F.concept.in_(COMPLETED), F.course_id.is_not(None))
        .distinct()
    )
    if keys is not None:
        query = query.where(
            F.course_id.in_(sorted({course for _, course, _ in keys})),
            tuple_(F.day, F.course_id, team).in_(list(keys)),
        )
    return query


def _add_completion_tags(
    session: Session, rows: Sequence[dict[str, Any]], tags: Sequence[dict[str, Any]]
) -> None:
    """Count the tags of the completions among ``rows`` as their course's that day
    (those still waiting for their registration's course count when it is learned,
    ``_move_to_courses``)."""
    done = {row["seq"]: row for row in rows if _completes(row)}
    found = {
        (row["day"], row["course_id"], row.get("team") or "", t["tag"])
        for t in tags
        if (row := done.get(t["seq"])) is not None
    }
    dialects.insert_ignore(
        session,
        _table(CompletionTag),
        [dict(zip(_COMPLETION_TAG_COLUMNS, key, strict=True)) for key in sorted(found)],
    )


def _recount_completion_tags(
    session: Session, removed: Sequence[dict[str, Any]], courses: Sequence[CourseKey]
) -> None:
    """Recount the completion tags of the (day, course, team) of removed completions and
    of the course progress recounted with them (facts whose registration lost its
    course)."""
    keys: list[tuple[Any, str, str]] = sorted(
        {(row["day"], row["course_id"], row.get("team") or "")
         for row in removed if _completes(row)}
        | {(day, course, team) for day, course, _, team in courses}
    )  # fmt: skip
    if not keys:
        return
    K = CompletionTag
    _lock(session, K, ("day", "course", "team"), keys)
    session.execute(delete(K).where(tuple_(K.day, K.course, K.team).in_(keys)))
    rows = session.execute(_completion_tags(keys)).all()
    dialects.insert_ignore(
        session,
        _table(CompletionTag),
        [dict(zip(_COMPLETION_TAG_COLUMNS, row, strict=True)) for row in rows],
    )


_CONTRIBUTING = (*WRITING, *RESPONDING)


def _contributes(row: dict[str, Any]) -> bool:
    """Whether a fact writes, edits or answers a piece of content."""
    return (
        row["source_kind"] == "informal"
        and row["concept"] in _CONTRIBUTING
        and row.get("content_id") is not None
    )


def _add_contributors(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Count the writings, edits and comments among ``rows`` per (content, person)."""
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        if not _contributes(row):
            continue
        key = (row["content_id"], row["actor_key"])
        total = counts.setdefault(key, {
            "content_id": key[0], "actor_key": key[1], "wrote": 0, "edited": 0,
            "commented": 0, "written_last": None, "commented_last": None,
        })  # fmt: skip
        concept, day = row["concept"], row["day"]
        if concept in RESPONDING:
            total["commented"] += 1
            last = total["commented_last"]
            total["commented_last"] = day if last is None else max(last, day)
        else:
            total["wrote" if concept in AUTHORING else "edited"] += 1
            last = total["written_last"]
            total["written_last"] = day if last is None else max(last, day)
    dialects.increment(
        session,
        _table(ContentContributor),
        [counts[key] for key in sorted(counts)],
        key=("content_id", "actor_key"),
        column=("wrote", "edited", "commented"),
        greatest=("written_last", "commented_last"),
    )


def concept_count(concepts: Sequence[str]) -> Any:
    """In a grouped query on ``learning_fact``: how many of the group's facts are of one
    of ``concepts``."""
    return func.sum(case((F.concept.in_(concepts), 1), else_=0))


def _insert_contributors(
    session: Session,
    pairs: Sequence[tuple[str, str]] | None,
    actor_keys: Sequence[str] | None = None,
) -> None:
    """Insert ``content_contributor`` rows counted from the facts (only ``pairs``, or
    only those of ``actor_keys``, when given)."""
    query = (
        select(
            F.content_id,
            F.actor_key,
            concept_count(AUTHORING),
            concept_count(EDITING),
            concept_count(RESPONDING),
            func.max(case((F.concept.in_(WRITING), F.day))),
            func.max(case((F.concept.in_(RESPONDING), F.day))),
        )
        .where(
            F.source_kind == "informal",
            F.concept.in_(_CONTRIBUTING),
            F.content_id.is_not(None),
        )
        .group_by(F.content_id, F.actor_key)
    )
    columns = ["content_id", "actor_key", "wrote", "edited", "commented", "written_last",
               "commented_last"]  # fmt: skip
    _insert_per_content(session, ContentContributor, columns, query, pairs, actor_keys)


_USING = (*CONSUME, *EDITING, *RESPONDING)
_RESPONSES = (*EDITING, *RESPONDING)


def _uses(row: dict[str, Any]) -> bool:
    """Whether a fact reads, edits or answers a piece of content (``content_use_month``)."""
    return (
        row["source_kind"] == "informal"
        and row["concept"] in _USING
        and row.get("content_id") is not None
    )


def _add_uses(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Count the reads and responses among ``rows`` per (content, person, team, month)."""
    counts: dict[tuple[str, str, str, Any], dict[str, Any]] = {}
    for row in rows:
        if not _uses(row):
            continue
        day = row["day"]
        key = (row["content_id"], row["actor_key"], row.get("team") or "", day.replace(day=1))
        total = counts.setdefault(key, {
            "content_id": key[0], "actor_key": key[1], "team": key[2], "month": key[3],
            "reads": 0, "responses": 0, "first_read": None, "last_response": None,
        })  # fmt: skip
        if row["concept"] in CONSUME:
            total["reads"] += 1
            first = total["first_read"]
            total["first_read"] = day if first is None else min(first, day)
        else:
            total["responses"] += 1
            last = total["last_response"]
            total["last_response"] = day if last is None else max(last, day)
    dialects.increment(
        session,
        _table(ContentUseMonth),
        [counts[key] for key in sorted(counts)],
        key=("content_id", "actor_key", "team", "month"),
        column=("reads", "responses"),
        greatest=("last_response",),
        least=("first_read",),
    )


def _insert_uses(
    session: Session,
    pairs: Sequence[tuple[str, str]] | None,
    actor_keys: Sequence[str] | None = None,
) -> None:
    """Insert ``content_use_month`` rows counted from the facts (only those of ``pairs``
    of content and person, or of ``actor_keys``, when given)."""
    month = dialects.month_of(session, F.day)
    team = func.coalesce(F.team, "")
    query = (
        select(
            F.content_id,
            F.actor_key,
            team,
            month,
            concept_count(CONSUME),
            concept_count(_RESPONSES),
            func.min(case((F.concept.in_(CONSUME), F.day))),
            func.max(case((F.concept.in_(_RESPONSES), F.day))),
        )
        .where(F.source_kind == "informal", F.concept.in_(_USING), F.content_id.is_not(None))
        .group_by(F.content_id, F.actor_key, team, month)
    )
    columns = ["content_id", "actor_key", "team", "month", "reads", "responses", "first_read",
               "last_response"]  # fmt: skip
    _insert_per_content(session, ContentUseMonth, columns, query, pairs, actor_keys)


def _responds(row: dict[str, Any]) -> bool:
    """Whether a fact answers, edits or reacts to a piece of content (``content_response``)."""
    return row["concept"] in RESPONSES and row.get("content_id") is not None


def _add_responses(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Count the responses among ``rows`` per (content, person)."""
    counts = Counter((row["content_id"], row["actor_key"]) for row in rows if _responds(row))
    dialects.increment(
        session,
        _table(ContentResponse),
        [{"content_id": content, "actor_key": actor, "responses": counts[content, actor]}
         for content, actor in sorted(counts)],
        key=("content_id", "actor_key"),
        column="responses",
    )  # fmt: skip


def _insert_responses(
    session: Session,
    pairs: Sequence[tuple[str, str]] | None,
    actor_keys: Sequence[str] | None = None,
) -> None:
    """Insert ``content_response`` rows counted from the facts (only those of ``pairs`` of
    content and person, or of ``actor_keys``, when given)."""
    query = (
        select(F.content_id, F.actor_key, func.count())
        .where(F.concept.in_(RESPONSES), F.content_id.is_not(None))
        .group_by(F.content_id, F.actor_key)
    )
    columns = ["content_id", "actor_key", "responses"]
    _insert_per_content(session, ContentResponse, columns, query, pairs, actor_keys)


def _insert_per_content(
    session: Session,
    table: type[Base],
    columns: list[str],
    query: Select[*tuple[Any, ...]],
    pairs: Sequence[tuple[str, str]] | None,
    actor_keys: Sequence[str] | None,
) -> None:
    """Insert the rows of ``query`` (grouped by content and person) into ``table``: only
    those of ``pairs`` of content and person, or of ``actor_keys``, when given."""
    if pairs is not None:
        if not pairs:
            return
        query = query.where(
            F.content_id.in_(sorted({content for content, _ in pairs})),
            tuple_(F.content_id, F.actor_key).in_(list(pairs)),
        )
    if actor_keys is not None:
        query = query.where(F.actor_key.in_(list(actor_keys)))
    session.execute(insert(table).from_select(columns, query))


class _ByPeriod:
    """A rollup kept per day and summed per month: its two tables and their key columns
    after the period (``day`` in the daily table, ``month`` in the monthly one)."""

    def __init__(self, daily: Any, monthly: Any, key: tuple[str, ...]) -> None:
        self.daily, self.monthly, self.key = daily, monthly, key


CONTENT = _ByPeriod(ContentDay, ContentMonth, ("content_id", "team", "concept", "activity_type"))
TAGS = _ByPeriod(TagDay, TagMonth, ("team", "tag"))
ACTIVITIES = _ByPeriod(ActivityDay, ActivityMonth, ("activity_id", "source_kind"))


class _ContentTags:
    """The tags of each piece of content's informal facts of some concepts, one table
    (``content_id``, ``tag``): its writings' (``content_tag``), its contributions'
    (``contribution_tag``). A fact's tags are added as it is stored; a content that loses
    one of those facts has its tags recounted from the facts left."""

    def __init__(self, table: Any, concepts: Sequence[str]) -> None:
        self.table, self.concepts = table, tuple(concepts)

    def counts(self, row: dict[str, Any]) -> bool:
        """Whether the fact ``row``'s tags are its content's here."""
        return (
            row["source_kind"] == "informal"
            and row["concept"] in self.concepts
            and row.get("content_id") is not None
        )

    def add(
        self, session: Session, rows: Sequence[dict[str, Any]], tags: Sequence[dict[str, Any]]
    ) -> None:
        """Count the tags of the facts among ``rows`` that count as their content's."""
        if not tags:
            return
        contents = {row["seq"]: row["content_id"] for row in rows if self.counts(row)}
        pairs = sorted({(contents[t["seq"]], t["tag"]) for t in tags if t["seq"] in contents})
        dialects.insert_ignore(
            session, _table(self.table), [{"content_id": c, "tag": tag} for c, tag in pairs]
        )

    def recount(self, session: Session, removed: Iterable[dict[str, Any]]) -> None:
        """The tags of the contents of the ``removed`` facts, from the facts left."""
        contents = sorted({row["content_id"] for row in removed if self.counts(row)})
        if contents:
            _lock(session, self.table, ("content_id",), [(content,) for content in contents])
            session.execute(delete(self.table).where(self.table.content_id.in_(contents)))
            self.insert(session, contents)

    def rebuild(self, session: Session) -> None:
        session.execute(delete(self.table))
        self.insert(session, None)

    def insert(self, session: Session, contents: Sequence[str] | None) -> None:
        """Insert the tags of each content (only ``contents`` when given) from the facts."""
        T = LearningFactTag
        query = (
            select(F.content_id, T.tag)
            .join(T, T.seq == F.seq)
            .where(
                F.source_kind == "informal",
                F.concept.in_(self.concepts),
                F.content_id.is_not(None),
            )
            .distinct()
        )
        if contents is not None:
            query = query.where(F.content_id.in_(list(contents)))
        session.execute(insert(self.table).from_select(["content_id", "tag"], query))


CONTENT_TAGS = _ContentTags(ContentTag, WRITING)
CONTRIBUTION_TAGS = _ContentTags(ContributionTag, CONTRIBUTE)


def _content_key(row: dict[str, Any]) -> ContentKey | None:
    """The ``content_day`` key of an informal fact on content (else None)."""
    if row["source_kind"] != "informal" or row.get("content_id") is None:
        return None
    kind = (row.get("activity_type") or "")[:TYPE_CHARACTERS]
    return (row["day"], row["content_id"], row.get("team") or "", row["concept"], kind)


def _activity_key(row: dict[str, Any]) -> ActivityKey | None:
    """The ``activity_day`` key of a fact about an activity (else None)."""
    if row.get("activity_id") is None:
        return None
    return (row["day"], row["activity_id"], row["source_kind"])


def _tag_counts(rows: Iterable[dict[str, Any]], tags: Iterable[dict[str, Any]]) -> Counter[TagKey]:
    """``tag_day`` counts of the tags of these facts (informal facts only)."""
    informal = {row["seq"]: row for row in rows if row["source_kind"] == "informal"}
    counts: Counter[TagKey] = Counter()
    for tag in tags:
        row = informal.get(tag["seq"])
        if row is not None:
            counts[(row["day"], row.get("team") or "", tag["tag"])] += 1
    return counts


def _add_by_period(session: Session, rollup: _ByPeriod, counts: Counter[Any]) -> None:
    """Add ``counts`` (keyed by day, then ``rollup.key``) to the daily and the monthly
    table; a row whose count falls to zero is removed."""
    months: Counter[Any] = Counter()
    for (day, *rest), n in counts.items():
        months[(day.replace(day=1), *rest)] += n
    for table, period, found in ((rollup.daily, "day", counts), (rollup.monthly, "month", months)):
        keys = sorted(key for key, n in found.items() if n)
        if not keys:
            continue
        columns = (period, *rollup.key)
        rows = [{**dict(zip(columns, key, strict=True)), "statements": found[key]} for key in keys]
        dialects.increment(session, _table(table), rows, key=columns, column="statements")
        if any(found[key] < 0 for key in keys):
            gone = [key for key in keys if found[key] < 0]
            for start in range(0, len(gone), _CHUNK):
                session.execute(
                    delete(table).where(
                        tuple_(*[getattr(table, c) for c in columns]).in_(
                            gone[start : start + _CHUNK]
                        ),
                        table.statements <= 0,
                    )
                )


def _rebuild_by_period(session: Session, rollup: _ByPeriod) -> None:
    """Recount a rollup's daily table from the facts (and tags) and its monthly table
    from the daily one."""
    session.execute(delete(rollup.daily))
    session.execute(delete(rollup.monthly))
    team = func.coalesce(F.team, "")
    informal = F.source_kind == "informal"
    daily: Any
    if rollup is CONTENT:
        kind = func.substr(func.coalesce(F.activity_type, ""), 1, TYPE_CHARACTERS)
        daily = (
            select(F.day, F.content_id, team, F.concept, kind, func.count())
            .where(informal, F.content_id.is_not(None))
            .group_by(F.day, F.content_id, team, F.concept, kind)
        )
    elif rollup is ACTIVITIES:
        daily = (
            select(F.day, F.activity_id, F.source_kind, func.count())
            .where(F.activity_id.is_not(None))
            .group_by(F.day, F.activity_id, F.source_kind)
        )
    else:
        T = LearningFactTag
        daily = (
            select(F.day, team, T.tag, func.count())
            .join(T, T.seq == F.seq)
            .where(informal)
            .group_by(F.day, team, T.tag)
        )
    columns = [*rollup.key, "statements"]
    session.execute(insert(rollup.daily).from_select(["day", *columns], daily))
    D = rollup.daily
    month = dialects.month_of(session, D.day)
    keys = [getattr(D, column) for column in rollup.key]
    session.execute(
        insert(rollup.monthly).from_select(
            ["month", *columns],
            select(month, *keys, func.sum(D.statements)).group_by(month, *keys),
        )
    )
