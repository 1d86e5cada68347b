"""Knowledge (informal learning): contributions over time, the participation pyramid,
the content most read, edited, reused and discussed, response times and emerging topics.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from lrs.insight._sql import (
    A,
    F,
    R,
    activity_names,
    content_authors,
    fact_conditions,
    group_count,
    people_conditions,
    ranked_frame,
    raw_time,
    read_frame,
    rollup_conditions,
    uses_people_rollup,
    uses_rollup,
    utc,
    with_total,
)
from lrs.insight.concepts import (
    AUTHORING,
    CONSUME,
    CONTRIBUTE,
    KNOWLEDGE_CONCEPTS,
    REACT,
    RESPONDING,
)
from lrs.insight.filters import Filters
from lrs.store.models import (
    ContentAuthor,
    LearningFactTag,
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
        per_person = (
            select(
                A.actor_key,
                func.sum(A.contributions).label("c"),
                func.sum(A.reactions).label("r"),
            )
            .where(*people_conditions(filters), A.informal > 0)
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
            .where(*people_conditions(filters), A.contributions > 0)
            .group_by(A.actor_key)
            .order_by(made.desc(), A.actor_key)
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
        base = (
            select(F.content_id, measure, group_count()).where(*conditions(F)).having(measure > 0)
        )
    else:
        measure = func.count()
        base = select(F.content_id, measure, group_count()).where(*conditions(F))
    query = base.group_by(F.content_id).order_by(measure.desc(), F.content_id).limit(limit)
    frame, total = ranked_frame(session, query, ["content_id", "count"])
    names = activity_names(session, frame["content_id"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["content_id"]])
    return with_total(frame, total)


def response_times(session: Session, filters: Filters) -> pd.DataFrame:
    """Per post or question created in the range: hours until the first comment or reply
    by someone else (NaN when unanswered). Columns content_id, kind, created, hours."""
    authors = content_authors().subquery()
    created = (
        select(F.activity_id, F.concept, raw_time(F.timestamp))
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
        created.c.activity_id, created.c.concept, created.c[2], raw_time(first_answer.c.first)
    ).outerjoin(first_answer, first_answer.c.content_id == created.c.activity_id)
    frame = read_frame(session, query, ["content_id", "kind", "created", "first"])
    created_at = utc(frame["created"])
    frame["hours"] = (utc(frame.pop("first")) - created_at).dt.total_seconds() / 3600.0
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
        return with_total(pd.DataFrame(columns=["tag", "recent", "earlier", "growth"]), 0)
    split = end - dt.timedelta(days=recent_days - 1)
    recent = func.sum(case((F.day >= split, 1), else_=0))
    earlier = func.sum(case((F.day < split, 1), else_=0))
    query = (
        select(LearningFactTag.tag, recent, earlier)
        .join(F, F.seq == LearningFactTag.seq)
        .where(*fact_conditions(filters.replace(end=end)), F.source_kind == "informal")
        .group_by(LearningFactTag.tag)
    )
    frame = read_frame(session, query, ["tag", "recent", "earlier"])
    total = len(frame)
    recent_all = max(int(frame["recent"].sum()), 1)
    earlier_all = max(int(frame["earlier"].sum()), 1)
    frame["growth"] = (frame["recent"] / recent_all) / ((frame["earlier"] + 1) / earlier_all)
    frame = frame[frame["recent"] > 0].sort_values(["growth", "tag"], ascending=[False, True])
    return with_total(frame.head(limit).reset_index(drop=True), total)
