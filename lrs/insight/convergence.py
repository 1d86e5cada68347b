"""Convergence of formal and informal learning: the mix per team, contribution against
results, the time from completing a course to contributing on its topic, and who
learns from or contributes to whose content.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import (
    and_,
    case,
    distinct,
    func,
    select,
)
from sqlalchemy.orm import Session

from lrs.insight._sql import (
    A,
    F,
    R,
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
    COMPLETED,
    CONSUME,
    CONTRIBUTE,
    REACT,
    RESPONDING,
    course_key,
)
from lrs.insight.filters import Filters
from lrs.insight.people import person_names
from lrs.store.models import (
    LearningFactTag,
)

# -- convergence ---------------------------------------------------------------------


def team_mix(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per team and source kind (teamless statements under "(no team)")."""
    if uses_rollup(filters):
        team = case((R.team == "", "(no team)"), else_=R.team)
        query = (
            select(team, R.source_kind, func.sum(R.statements))
            .where(*rollup_conditions(filters))
            .group_by(team, R.source_kind)
        )
    else:
        fact_team = func.coalesce(F.team, "(no team)")
        query = (
            select(fact_team, F.source_kind, func.count())
            .where(*fact_conditions(filters))
            .group_by(fact_team, F.source_kind)
        )
    frame = read_frame(session, query, ["team", "source_kind", "statements"])
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
    completions = func.count(distinct(case((F.concept.in_(COMPLETED), course_key()))))
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
    frame = read_frame(
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
        .where(*people_conditions(filters))
        .group_by(A.actor_key)
        .having(scores > 0)
        .order_by(A.actor_key)
    )
    frame = read_frame(session, query, ["actor_key", "name", "team", "contributions", "mean_score"])
    course = course_key()
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
        select(F.actor_key, T.tag, raw_time(func.min(F.timestamp)))
        .join(T, tagged)
        .where(*fact_conditions(filters), F.source_kind == "formal", F.concept.in_(COMPLETED))
        # Tag first: grouping by the person first lets SQLite walk the person index.
        .group_by(T.tag, F.actor_key)
        .order_by(F.actor_key, T.tag)
    )
    frame = read_frame(session, completion, ["actor_key", "tag", "completed"])
    done = utc(frame["completed"])
    frame["completed"] = done
    contributed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    made = pd.DataFrame(columns=["actor_key", "tag", "at"])
    if len(frame):
        # The first informal contribution with the same tag at or after the completion
        # (any time, whatever the filters): matched here rather than by a correlated
        # subquery per (person, tag), which the databases ran as one scan each.
        made = read_frame(
            session,
            select(F.actor_key, T.tag, raw_time(F.timestamp))
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
        made["at"] = utc(made["at"])
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
    authors = content_authors().subquery()
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
    ranked = select(edges, group_count()).order_by(edges.c[2].desc(), edges.c[0], edges.c[1])
    frame, total = ranked_frame(session, ranked.limit(limit), ["source", "target", "weight"])
    names = person_names(session, sorted(set(frame["source"]) | set(frame["target"])))
    frame["source_name"] = [names.get(k, (k, None))[0] for k in frame["source"]]
    frame["target_name"] = [names.get(k, (k, None))[0] for k in frame["target"]]
    frame["source_team"] = [names.get(k, (k, None))[1] for k in frame["source"]]
    frame["target_team"] = [names.get(k, (k, None))[1] for k in frame["target"]]
    return with_total(frame, total)
