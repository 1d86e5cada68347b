"""Knowledge (informal learning): contributions over time, the participation pyramid,
the content most read, edited, reused and discussed, response times and emerging topics.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from lrs.insight._sql import (
    A,
    F,
    R,
    Span,
    activity_names,
    answering,
    authored,
    by_period,
    fact_conditions,
    group_count,
    months_within,
    people_conditions,
    period_conditions,
    ranked_frame,
    read_columns,
    read_frame,
    rollup_conditions,
    scope_conditions,
    uses_people_rollup,
    uses_rollup,
    utc,
    with_total,
)
from lrs.insight.concepts import (
    AUTHORING,
    CONSUME,
    CONTRIBUTE,
    EDITING,
    KNOWLEDGE_CONCEPTS,
    PAGE_TYPES,
    POST_TYPES,
    REACT,
    RESPONDING,
)
from lrs.insight.filters import Filters
from lrs.insight.people import person_names
from lrs.store.dialects import read_time
from lrs.store.facts import concept_count
from lrs.store.models import (
    ActorInformalMonth,
    ContentAuthor,
    ContentDay,
    ContentMonth,
    ContentUseMonth,
    LearningFactTag,
    TagDay,
    TagMonth,
)

# -- knowledge (informal) ------------------------------------------------------------


def contributions_over_time(session: Session, filters: Filters) -> pd.DataFrame:
    """Informal posts, edits, comments, replies, questions and likes per day and concept."""
    if uses_rollup(filters):
        query = (
            select(R.day, R.concept, func.sum(R.statements))
            .where(
                *rollup_conditions(filters),
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
    frame = read_frame(session, query, ["day", "concept", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    return frame


def participation(session: Session, filters: Filters) -> pd.DataFrame:
    """The participation pyramid on informal activity: contributors (≥ 1 post, edit,
    comment...), reactors (likes only) and readers (only viewed), with people and
    contributions per group."""
    per_person: Any
    if uses_people_rollup(filters):
        rows = _informal_periods(session, filters)
        per_person = (
            select(
                rows.c.actor_key,
                func.sum(rows.c.contributions).label("c"),
                func.sum(rows.c.reactions).label("r"),
            )
            .where(rows.c.informal > 0)
            .group_by(rows.c.actor_key)
            .subquery()
        )
    else:
        contributions = concept_count(CONTRIBUTE)
        reactions = concept_count(REACT)
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
             "contributions": found.get(name, (0, 0))[1], "definition": definition}
            for name, definition in ROLES.items()
        ]
    )  # fmt: skip


def _informal_periods(session: Session, filters: Filters) -> Any:
    """Per-person informal counts (``actor_key``, ``informal``, ``contributions``,
    ``reactions``; rows to be summed) for the filters' day range, team and scope: the
    whole months from ``actor_informal_month``, the days at the range's ends from
    ``actor_day`` (or whole months too, when their month has no fact on other days:
    ``_whole_months``)."""
    M = ActorInformalMonth
    months, edges = months_within(filters.start, filters.end)
    spans: list[Span] = [] if months is None else [months]
    edge_months, edges = _whole_months(session, edges)
    spans.extend((month, month) for month in edge_months)
    parts: list[Any] = []
    for span in spans:
        where = period_conditions(filters, M, M.month, span)
        parts.append(select(M.actor_key, M.informal, M.contributions, M.reactions).where(*where))
    for low, high in edges:
        days = people_conditions(filters.replace(start=low, end=high))
        parts.append(select(A.actor_key, A.informal, A.contributions, A.reactions).where(*days))
    if not parts:  # an empty range: no row, with the columns
        parts.append(select(M.actor_key, M.informal, M.contributions, M.reactions).where(false()))
    return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()


ROLES = {
    "contributors": "people with at least one informal post, page, edit, comment, reply or "
    "question in the range",
    "reactors": "people who only liked or bookmarked informal content: no contribution",
    "readers": "people who only read or viewed informal content: no contribution, no reaction",
}
"""The participation groups and their definitions, as the knowledge page shows them."""


def contribution_shares(session: Session, filters: Filters) -> pd.DataFrame:
    """Contributions per contributor, most first (for the 1 % / 9 % / 90 % split)."""
    if uses_people_rollup(filters):
        rows = _informal_periods(session, filters)
        made = func.sum(rows.c.contributions)
        rollup = (
            select(rows.c.actor_key, made)
            .where(rows.c.contributions > 0)
            .group_by(rows.c.actor_key)
            .order_by(made.desc(), rows.c.actor_key)
        )
        frame = read_frame(session, rollup, ["actor_key", "contributions"])
        frame["contributions"] = frame["contributions"].astype("int64")
        return frame
    query = (
        select(F.actor_key, func.count())
        .where(*fact_conditions(filters), F.source_kind == "informal", F.concept.in_(CONTRIBUTE))
        .group_by(F.actor_key)
        .order_by(func.count().desc(), F.actor_key)
    )
    return read_frame(session, query, ["actor_key", "contributions"])


CONTENT_KINDS = {"any": None, "posts": POST_TYPES, "pages": PAGE_TYPES}
"""What ``top_content`` can rank: any content, posts only or wiki pages only."""


def top_content(
    session: Session,
    filters: Filters,
    metric: str = "read",
    limit: int = 10,
    content: str = "any",
) -> pd.DataFrame:
    """Informal content ranked by ``metric``: read (views), edited (edits), discussed
    (comments and replies), or reused: the distinct people other than its author who read
    it and then (the same day or later) edited, commented on or replied to it — reading
    that led to a contribution, where "read" counts every view. ``content`` keeps posts
    or wiki pages only (by the activity type of the content). Attrs total = such content.
    """
    types = CONTENT_KINDS[content]
    if metric == "reused":
        return _reused(session, filters, limit, types)
    concepts = {"read": CONSUME, "edited": EDITING, "discussed": RESPONDING}[metric]
    if uses_people_rollup(filters) and (types is None or metric != "discussed"):
        return _top_content_rollup(session, filters, concepts, types, limit)
    conditions = [
        *fact_conditions(filters),
        F.source_kind == "informal",
        F.concept.in_(concepts),
        F.content_id.is_not(None),
    ]
    if types is not None and metric == "discussed":
        # A comment's own type is "comment": the type is that of the content it is on.
        typed = aliased(F)
        conditions.append(
            select(typed.seq)
            .where(typed.activity_id == F.content_id, typed.activity_type.in_(types))
            .exists()
        )
    elif types is not None:
        conditions.append(F.activity_type.in_(types))
    measure = func.count()
    query = (
        select(F.content_id, measure, group_count())
        .where(*conditions)
        .group_by(F.content_id)
        .order_by(measure.desc(), F.content_id)
        .limit(limit)
    )
    return _named_content(session, query)


def _top_content_rollup(
    session: Session,
    filters: Filters,
    concepts: tuple[str, ...],
    types: tuple[str, ...] | None,
    limit: int,
) -> pd.DataFrame:
    """``top_content`` from ``content_month`` and ``content_day`` (the facts' own
    activity types, as the facts' query reads them)."""

    def conditions(table: Any) -> list[ColumnElement[bool]]:
        found = [table.concept.in_(concepts)]
        if types is not None:
            found.append(table.activity_type.in_(types))
        return found

    rows = by_period(filters, ContentDay, ContentMonth, ["content_id"], conditions)
    measure = func.sum(rows.c.statements)
    query = (
        select(rows.c.content_id, measure, group_count())
        .group_by(rows.c.content_id)
        .order_by(measure.desc(), rows.c.content_id)
        .limit(limit)
    )
    frame = _named_content(session, query)
    if len(frame):  # an empty frame keeps the untyped column the facts' query gives
        frame["count"] = frame["count"].astype("int64")
    return frame


def _reused(
    session: Session, filters: Filters, limit: int, types: tuple[str, ...] | None
) -> pd.DataFrame:
    if uses_people_rollup(filters) and types is None:
        pairs = _reusing_pairs(session, filters)
    else:
        read: ColumnElement[bool] = F.concept.in_(CONSUME)
        if types is not None:
            read = and_(read, F.activity_type.in_(types))
        first_read = func.min(case((read, F.day)))
        last_made = func.max(case((F.concept.in_(RESPONSES), F.day)))
        pairs = (
            select(F.content_id.label("content_id"), F.actor_key.label("actor_key"))
            .where(*_use_conditions(filters))
            .group_by(F.content_id, F.actor_key)
            .having(first_read <= last_made)
            .subquery()
        )
    C = ContentAuthor
    measure = func.count()
    query = (
        select(pairs.c.content_id, measure, group_count())
        .outerjoin(C, C.content_id == pairs.c.content_id)
        .where(or_(C.author_key.is_(None), C.author_key != pairs.c.actor_key))
        .group_by(pairs.c.content_id)
        .order_by(measure.desc(), pairs.c.content_id)
        .limit(limit)
    )
    return _named_content(session, query)


RESPONSES = (*EDITING, *RESPONDING)
"""What counts as using what one read: an edit, a comment or a reply."""


def _use_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """The facts that read or respond to informal content under ``filters``."""
    return [
        *fact_conditions(filters),
        F.source_kind == "informal",
        F.concept.in_((*CONSUME, *RESPONSES)),
        F.content_id.is_not(None),
    ]


def _reusing_pairs(session: Session, filters: Filters) -> Any:
    """The (content, person) pairs of ``_reused`` from ``content_use_month``: the range's
    whole months from it, the days at the range's ends from the facts (or from it too,
    when their month has no fact outside them: ``_whole_months``); a pair reused its
    content when its first read is on or before its last response."""
    U = ContentUseMonth
    months, edges = months_within(filters.start, filters.end)
    spans: list[Span] = [] if months is None else [months]
    edge_months, edges = _whole_months(session, edges)
    spans.extend((month, month) for month in edge_months)
    parts: list[Any] = []
    for span in spans:
        where = period_conditions(filters, U, U.month, span)
        parts.append(select(U.content_id, U.actor_key, U.first_read, U.last_response).where(*where))
    for low, high in edges:
        read = case((F.concept.in_(CONSUME), F.day))
        made = case((F.concept.in_(RESPONSES), F.day))
        parts.append(
            select(F.content_id, F.actor_key, read, made).where(
                *_use_conditions(filters.replace(start=low, end=high))
            )
        )
    if not parts:
        return (
            select(U.content_id.label("content_id"), U.actor_key.label("actor_key"))
            .where(false())
            .subquery()
        )
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    content_id, actor_key, first_read, last_made = rows.c
    return (
        select(content_id.label("content_id"), actor_key.label("actor_key"))
        .group_by(content_id, actor_key)
        .having(func.min(first_read) <= func.max(last_made))
        .subquery()
    )


def _whole_months(session: Session, edges: list[Span]) -> tuple[list[dt.date], list[Span]]:
    """Of the day ranges at a range's ends (``months_within``), the first days of the
    months that have no fact on any other day, and the ranges left. Such a month's
    monthly rows count the range's facts alone: a range that ends today, or where the
    facts end, is then read from the monthly rollup instead of from a fact per view."""
    months: list[dt.date] = []
    left: list[Span] = []
    for low, high in edges:
        if low is None or high is None or (low.year, low.month) != (high.year, high.month):
            left.append((low, high))
            continue
        first = low.replace(day=1)
        last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        outside = [(first, low - dt.timedelta(days=1)), (high + dt.timedelta(days=1), last)]
        if any(
            session.execute(select(F.day).where(F.day >= start, F.day <= end).limit(1)).first()
            for start, end in outside
            if start <= end
        ):
            left.append((low, high))
        else:
            months.append(first)
    return months, left


def _named_content(session: Session, query: Any) -> pd.DataFrame:
    frame, total = ranked_frame(session, query, ["content_id", "count"])
    names = activity_names(session, frame["content_id"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["content_id"]])
    return with_total(frame, total)


CONTRIBUTOR_COLUMNS = ("actor_key", "name", "team", "contributions", "posts", "edits",
                       "comments", "other")  # fmt: skip
CONTRIBUTION_KINDS = {"posts": AUTHORING, "edits": EDITING, "comments": RESPONDING}
"""How a contribution counts in the ranking: posts (authored, created, asked), edits,
comments (comments and replies); the rest (shared, tagged...) is "other"."""


def top_contributors(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """People ranked by informal contributions, with their team and the split by kind
    (``CONTRIBUTION_KINDS``); attrs total = contributors."""
    made = func.count()
    kinds = [concept_count(concepts) for concepts in CONTRIBUTION_KINDS.values()]
    conditions = [*fact_conditions(filters), F.source_kind == "informal", F.concept.in_(CONTRIBUTE)]
    columns = ["actor_key", "contributions", *CONTRIBUTION_KINDS]
    if uses_people_rollup(filters):
        # Ranked from the per-person rollup in its index order; the split by kind read
        # for the ranked people only, instead of grouping every contribution by person.
        rows = _informal_periods(session, filters)
        total_made = func.sum(rows.c.contributions)
        ranked = (
            select(rows.c.actor_key, group_count())
            .where(rows.c.contributions > 0)
            .group_by(rows.c.actor_key)
            .order_by(total_made.desc(), rows.c.actor_key)
            .limit(limit)
        )
        top, total = ranked_frame(session, ranked, ["actor_key"])
        keys = top["actor_key"].tolist()
        split = read_frame(
            session,
            select(F.actor_key, made, *kinds)
            .where(*conditions, F.actor_key.in_(keys))
            .group_by(F.actor_key),
            columns,
        ).set_index("actor_key")
        frame = split.reindex(keys).reset_index()
    else:
        query = (
            select(F.actor_key, made, *kinds, group_count())
            .where(*conditions)
            .group_by(F.actor_key)
            .order_by(made.desc(), F.actor_key)
            .limit(limit)
        )
        frame, total = ranked_frame(session, query, columns)
    for column in ("contributions", *CONTRIBUTION_KINDS):
        frame[column] = frame[column].astype("int64")
    frame["other"] = frame["contributions"] - frame[list(CONTRIBUTION_KINDS)].sum(axis=1)
    names = person_names(session, frame["actor_key"].tolist())
    frame.insert(1, "name", [names.get(k, (k, None))[0] for k in frame["actor_key"]])
    frame.insert(2, "team", [names.get(k, (k, None))[1] or "(no team)" for k in frame["actor_key"]])
    return with_total(frame[list(CONTRIBUTOR_COLUMNS)], total)


def response_times(session: Session, filters: Filters) -> pd.DataFrame:
    """Per post or question created in the range: hours until the first comment or reply
    by someone else (NaN when unanswered). Columns content_id, kind, created, hours."""
    # Each post's first answer by someone other than its author: the first entries of
    # its answers in ix_learning_fact_answers (time order) until one is by another
    # person. It is read once per post and matched here, not joined to every creation
    # (a piece of content may be created by many facts).
    C = ContentAuthor
    first = (
        select(F.timestamp)
        .where(F.content_id == C.content_id, answering(), F.actor_key != C.author_key)
        .order_by(F.timestamp)
        .limit(1)
        .scalar_subquery()
    )
    firsts = {
        content: answer
        for content, answer in session.connection().execute(select(C.content_id, read_time(first)))
        if answer is not None
    }
    # The creations from ix_learning_fact_authored alone, read from the driver's own
    # rows one kind after the other, each in the index's order (kind, day, team,
    # person, content, time), so that the kind is not read on each row: every column
    # read costs about as much again.
    contents: list[str | None] = []
    times: list[Any] = []
    kind_counts: list[int] = []
    for kind in sorted(AUTHORING):
        created = (
            select(F.activity_id, read_time(F.timestamp))
            .where(*fact_conditions(filters), authored(), F.concept == kind)
            .order_by(F.day, F.team, F.actor_key, F.activity_id, F.timestamp)
        )
        found_contents, found_times = read_columns(session, created, 2)
        contents.extend(found_contents)
        times.extend(found_times)
        kind_counts.append(len(found_contents))
    if not contents:  # an empty frame keeps the untyped columns it has always had
        frame = pd.DataFrame(columns=["content_id", "kind", "created"])
        frame["hours"] = (utc(frame["created"]) - utc(frame["created"])).dt.total_seconds()
        return frame
    # The text columns and each post's first answer built once per piece of content
    # (a few hundred), then spread to its creations: converting and matching each of a
    # hundred thousand creations cost more than reading them.
    content_codes, content_values = pd.factorize(np.array(contents, dtype=object))
    kinds = pd.array(sorted(AUTHORING), dtype="str").take(
        np.repeat(np.arange(len(kind_counts)), kind_counts)
    )
    answers = utc(pd.Series([firsts.get(c) for c in content_values], dtype=object))
    created_at = utc(times)
    answered = pd.Series(answers.array.take(content_codes))
    return pd.DataFrame(
        {
            "content_id": pd.array(content_values, dtype="str").take(content_codes),
            "kind": kinds,
            "created": created_at,
            "hours": (answered - created_at).dt.total_seconds() / 3600.0,
        }
    )


def _last_day(session: Session, filters: Filters) -> dt.date | None:
    """The last day with a fact the reader's scope may see."""
    last = select(func.max(F.day)).where(*scope_conditions(filters.scope))
    return session.execute(last).scalar()


def emerging_topics(
    session: Session, filters: Filters, recent_days: int = 30, limit: int = 10
) -> pd.DataFrame:
    """Tags of informal activity: statements in the last ``recent_days`` of the range vs
    the period before; growth = recent share ÷ earlier share. Attrs total = tags."""
    end = filters.end or _last_day(session, filters)
    if end is None:
        return with_total(pd.DataFrame(columns=["tag", "recent", "earlier", "growth"]), 0)
    split = end - dt.timedelta(days=recent_days - 1)
    if uses_people_rollup(filters):
        frame = _tag_periods(session, filters.replace(end=end), split)
    else:
        frame = _tag_facts(session, filters.replace(end=end), split)
    total = len(frame)
    recent_all = max(int(frame["recent"].sum()), 1)
    earlier_all = max(int(frame["earlier"].sum()), 1)
    frame["growth"] = (frame["recent"] / recent_all) / ((frame["earlier"] + 1) / earlier_all)
    frame = frame[frame["recent"] > 0].sort_values(["growth", "tag"], ascending=[False, True])
    return with_total(frame.head(limit).reset_index(drop=True), total)


def _tag_facts(session: Session, filters: Filters, split: dt.date) -> pd.DataFrame:
    """Per tag of informal facts under ``filters``: statements from ``split`` on
    (recent) and before it (earlier)."""
    recent = func.sum(case((F.day >= split, 1), else_=0))
    earlier = func.sum(case((F.day < split, 1), else_=0))
    query = (
        select(LearningFactTag.tag, recent, earlier)
        .join(F, F.seq == LearningFactTag.seq)
        .where(*fact_conditions(filters), F.source_kind == "informal")
        .group_by(LearningFactTag.tag)
    )
    return read_frame(session, query, ["tag", "recent", "earlier"])


def _tag_periods(session: Session, filters: Filters, split: dt.date) -> pd.DataFrame:
    """``_tag_facts`` from ``tag_month`` and ``tag_day``: the recent days and the
    earlier ones each read as whole months and the days left at their ends."""
    counts: dict[str, list[int]] = {}
    periods = [(0, filters.replace(start=max(filters.start or split, split)))]
    if filters.start is None or filters.start < split:
        periods.append((1, filters.replace(end=split - dt.timedelta(days=1))))
    for index, period in periods:
        rows = by_period(period, TagDay, TagMonth, ["tag"], lambda table: [])
        query = select(rows.c.tag, func.sum(rows.c.statements)).group_by(rows.c.tag)
        for tag, n in session.execute(query):
            counts.setdefault(str(tag), [0, 0])[index] += int(n)
    frame = pd.DataFrame(
        [(tag, recent, earlier) for tag, (recent, earlier) in sorted(counts.items())],
        columns=["tag", "recent", "earlier"],
    )
    return frame
