"""Convergence of formal and informal learning: the mix per team, contribution against
results, the time from completing a course to contributing on its topic, and who
learns from or contributes to whose content.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from lrs.insight import activity, knowledge, topics
from lrs.insight._sql import (
    A,
    F,
    L,
    P,
    R,
    activity_names,
    completing,
    content_authors,
    contributing,
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
    uses_learner_rollup,
    uses_people_rollup,
    uses_rollup,
    utc,
    with_total,
)
from lrs.insight.concepts import (
    COMPLETED,
    CONSUME,
    CONTRIBUTE,
    PASSED,
    RESPONSES,
    course_key,
)
from lrs.insight.filters import Filters
from lrs.insight.people import person_names
from lrs.insight.scope import Scope
from lrs.store.dialects import TIME_SEPARATOR, joined_times, read_time, unindexed
from lrs.store.models import (
    ActorMonth,
    CompletionTag,
    ContentResponse,
    ContributionTag,
    LearningFactTag,
)

NAT = np.iinfo(np.int64).min
"""The int64 that numpy reads as NaT in a datetime64 array."""

# -- convergence ---------------------------------------------------------------------


def team_mix(session: Session, filters: Filters) -> pd.DataFrame:
    """Statements per team and source kind (teamless statements under "(no team)"), with
    the team's total, the kind's share of it and the team's informal share; teams with
    the largest informal share first."""
    if uses_people_rollup(filters):
        frame = _team_mix_by_period(session, filters)
    else:
        frame = read_frame(session, _team_mix_query(filters), ["team", "source_kind", "statements"])
    frame["statements"] = frame["statements"].astype("int64")
    totals = frame.groupby("team")["statements"].transform("sum")
    informal = frame["statements"].where(frame["source_kind"] == "informal", 0)
    frame["team_statements"] = totals.astype("int64")
    frame["share"] = frame["statements"] / totals
    frame["informal_share"] = informal.groupby(frame["team"]).transform("sum") / totals
    # Teams by informal share, most first, so the mix reads as a ranking.
    return frame.sort_values(
        ["informal_share", "team", "source_kind"], ascending=[False, True, True]
    ).reset_index(drop=True)


def _team_mix_query(filters: Filters) -> Any:
    """(team, source kind, statements) from ``daily_activity``, else from the facts."""
    if uses_rollup(filters):
        team = case((R.team == "", "(no team)"), else_=R.team)
        return (
            select(team, R.source_kind, func.sum(R.statements))
            .where(*rollup_conditions(filters))
            .group_by(team, R.source_kind)
        )
    fact_team = func.coalesce(F.team, "(no team)")
    return (
        select(fact_team, F.source_kind, func.count())
        .where(*fact_conditions(filters))
        .group_by(fact_team, F.source_kind)
    )


def _team_mix_by_period(session: Session, filters: Filters) -> pd.DataFrame:
    """(team, source kind, statements) for the filters' day range, team and scope: the
    whole months from ``actor_month`` (its facts, formal and informal, per team; the rest
    are other), the days at the range's ends from ``daily_activity``."""
    counts: Counter[tuple[str, str]] = Counter()
    months, edges = months_within(filters.start, filters.end)
    if months is not None:
        M = ActorMonth
        where = period_conditions(filters, M, M.month, months)
        totals = select(M.team, func.sum(M.statements), func.sum(M.formal), func.sum(M.informal))
        for team, statements, formal, informal in session.execute(
            totals.where(*where).group_by(M.team)
        ):
            counts[team, "formal"] += int(formal)
            counts[team, "informal"] += int(informal)
            counts[team, "other"] += int(statements) - int(formal) - int(informal)
    for low, high in edges:
        days = rollup_conditions(filters.replace(start=low, end=high))
        query = select(R.team, R.source_kind, func.sum(R.statements)).where(*days)
        for team, kind, statements in session.execute(query.group_by(R.team, R.source_kind)):
            counts[team, kind] += int(statements)
    rows = [(team or "(no team)", kind, n) for (team, kind), n in counts.items() if n > 0]
    if not rows:
        return pd.DataFrame(columns=["team", "source_kind", "statements"])
    return pd.DataFrame(rows, columns=["team", "source_kind", "statements"])


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
    rows = _people_periods(filters)
    scores = func.sum(rows.c.scores)
    query = (
        select(
            rows.c.actor_key,
            func.max(rows.c.actor_name),
            func.max(case((rows.c.team != "", rows.c.team))),
            func.sum(rows.c.contributions),
            func.sum(rows.c.score_sum) / scores,
        )
        .group_by(rows.c.actor_key)
        .having(scores > 0)
        .order_by(rows.c.actor_key)
    )
    frame = read_frame(session, query, ["actor_key", "name", "team", "contributions", "mean_score"])
    completions = _courses_completed(session, filters)
    frame["completions"] = [completions.get(key, 0) for key in frame["actor_key"]]
    frame["contributions"] = frame["contributions"].astype("int64")
    frame["name"] = frame["name"].fillna(frame["actor_key"])
    frame["team"] = frame["team"].fillna("(no team)")
    frame["mean_score"] = frame["mean_score"].astype(float)
    return frame


def _courses_completed(session: Session, filters: Filters) -> dict[str, int]:
    """Person -> the distinct courses they completed (of any source kind) under the
    filters: from the completions' partial index alone, in person order, whatever the
    range."""
    # The range's days compared entry by entry in that index: through (concept, day)
    # SQLite read the row of every completion fact of the range for its course (a range
    # of 90 days of a million facts: 90 ms against 15 ms for the index of every
    # completion).
    days = unindexed(F.day)
    within = [days >= filters.start] if filters.start is not None else []
    if filters.end is not None:
        within.append(days <= filters.end)
    query = (
        select(F.actor_key, func.count(distinct(course_key())))
        .where(*fact_conditions(filters.replace(start=None, end=None)), *within, completing())
        .group_by(F.actor_key)
    )
    return {str(key): int(count) for key, count in session.execute(query)}


def _people_periods(filters: Filters) -> Any:
    """Per-person rows (``actor_key``, ``actor_name``, ``team``, ``contributions``,
    ``scores``, ``score_sum``; to be summed) for the filters' day range, team and scope:
    the whole months from ``actor_month``, the days at the range's ends from
    ``actor_day``."""
    M = ActorMonth
    columns = ("actor_key", "actor_name", "team", "contributions", "scores", "score_sum")
    months, edges = months_within(filters.start, filters.end)
    parts: list[Any] = []
    if months is not None:
        where = period_conditions(filters, M, M.month, months)
        parts.append(select(*[getattr(M, c) for c in columns]).where(*where))
    for low, high in edges:
        days = people_conditions(filters.replace(start=low, end=high))
        parts.append(select(*[getattr(A, c) for c in columns]).where(*days))
    if not parts:  # an empty range: no row, with the columns
        parts.append(select(*[getattr(M, c) for c in columns]).where(false()))
    return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()


def completion_to_contribution(session: Session, filters: Filters) -> pd.DataFrame:
    """Per (person, course) completed under ``filters``: the person's first informal
    contribution (a post, page, edit, comment...) at or after the completion on content
    linked to the course's topic (``lrs.insight.topics``: a shared tag, else shared
    keywords of the titles and tags), what linked them, and the days between (NaN:
    none yet, at any time whatever the filters).

    A course's completion is its first completed (or passed...) statement on the course
    itself, else on any of its parts. Sorted by the days (none last), then person.
    """
    T = LearningFactTag
    course = course_key()
    on_course = F.activity_id == course
    if uses_learner_rollup(filters):
        # Each learner's first completion from ``course_learner``, index only: read, not
        # grouped from every day's rows.
        completed = select(
            L.actor_key, L.completed_name, L.course, _first_of(L.completed_at, L.part_completed_at)
        ).where(L.completed > 0)
    elif uses_people_rollup(filters):
        # The first completions of each course day from ``course_progress``, index only.
        completed = (
            select(
                P.actor_key,
                func.max(P.actor_name),
                P.course,
                _first_of(func.min(P.completed_at), func.min(P.part_completed_at)),
            )
            .where(*people_conditions(filters, P), P.completed > 0)
            .group_by(P.course, P.actor_key)
        )
    else:
        completed = (
            select(
                F.actor_key,
                func.max(F.actor_name),
                course,
                _first_of(func.min(case((on_course, F.timestamp))), func.min(F.timestamp)),
            )
            .where(*fact_conditions(filters), F.source_kind == "formal", F.concept.in_(COMPLETED))
            .where(course.is_not(None))
            .group_by(course, F.actor_key)
        )
    completions = read_frame(session, completed, ["actor_key", "name", "course", "at"], raw=True)
    done = utc(completions.pop("at"))
    completions["completed"] = done
    if completions.empty:
        return pd.DataFrame(columns=list(COMPLETION_COLUMNS))
    if uses_people_rollup(filters):
        # The tags of the completions in the range per day and team (``completion_tag``).
        K = CompletionTag
        tags_query = select(K.course, K.tag).where(*people_conditions(filters, K)).distinct()
    else:
        # The facts lead (``seq + 0`` keeps SQLite from reaching them by seq from every
        # tag).
        tagged = T.seq == F.seq + 0
        tags_query = (
            select(course, T.tag)
            .join(T, tagged)
            .where(*fact_conditions(filters), F.source_kind == "formal", F.concept.in_(COMPLETED))
            .where(course.is_not(None))
            .distinct()
        )
    course_tags = read_frame(session, tags_query, ["course", "tag"], raw=True)
    made = _contributions(session, done.min(), filters.scope)
    # Each content's topic from the tags of all its contributions (``contribution_tag``),
    # whoever made them and whenever.
    C = ContributionTag
    content_tags = read_frame(
        session,
        select(C.content_id, C.tag).where(C.content_id.in_(made.contents)),
        ["content_id", "tag"],
        raw=True,
    )
    names = activity_names(session, sorted({*completions["course"].unique(), *made.contents}))
    course_topics = _topics(completions["course"].unique(), course_tags, "course", names)
    content_topics = _topics(made.contents, content_tags, "content_id", names)
    contents_found, times_found, links_found = _first_linked(
        completions, made, course_topics, content_topics
    )
    completions["course_name"] = [names.get(c, c) for c in completions["course"].tolist()]
    completions["name"] = completions["name"].fillna(completions["actor_key"])
    contributed = pd.Series(times_found.view("datetime64[ns]"), index=completions.index)
    frame = completions.assign(
        content_id=contents_found,
        contributed=contributed.dt.tz_localize("UTC"),
        linked_by=links_found,
    )
    frame["content_name"] = [names.get(c, c) if c else None for c in contents_found]
    frame["days"] = (frame["contributed"] - frame["completed"]).dt.total_seconds() / 86400.0
    frame = frame.sort_values(["days", "actor_key", "course"], na_position="last")
    return frame[list(COMPLETION_COLUMNS)].reset_index(drop=True)


def _first_of(on_course: Any, first: Any) -> Any:
    """A completion's time (``read_time``): its first on the course itself, else its
    first on any of its parts."""
    return read_time(func.coalesce(on_course, first))


COMPLETION_COLUMNS = ("actor_key", "name", "course", "course_name", "completed", "content_id",
                      "content_name", "contributed", "days", "linked_by")  # fmt: skip


def _topics(
    keys: Any, tags: pd.DataFrame, column: str, names: dict[str, str]
) -> dict[str, topics.Topic]:
    """key -> its topic: its display name (else nothing: an IRI is no title) and tags."""
    by_key: dict[str, list[str]] = {}
    for key, tag in zip(tags[column].tolist(), tags["tag"].tolist(), strict=True):
        by_key.setdefault(key, []).append(tag)
    return {key: topics.Topic.of(names.get(key), by_key.get(key, ())) for key in set(keys)}


@dataclass(frozen=True)
class Contributions:
    """Contributions as arrays sorted by person, time and content: each row's person
    (an index into ``people``), time (ns since the epoch) and content (an index into
    ``contents``, which is sorted, so that at the same time the first content wins)."""

    people: pd.Index
    contents: list[str]
    person: np.ndarray
    time: np.ndarray
    content: np.ndarray


def _contributions(session: Session, since: pd.Timestamp, scope: Scope) -> Contributions:
    """The informal contributions on content within ``scope`` from ``since`` on (the
    first completion: none before it follows one), as arrays sorted in numpy.

    Read from ``ix_learning_fact_contributions`` in its order, one row per (person,
    content) with its times joined (``joined_times``): a row per contribution, its
    person and content as Python text, cost more than the query at a million
    statements."""
    # ``since`` bounds each index entry's time rather than choosing the time index,
    # which would read the facts' rows and sort them.
    query = (
        select(F.actor_key, F.content_id, func.count(), joined_times(F.timestamp))
        .where(
            contributing(),
            unindexed(F.timestamp) >= since.floor("us").to_pydatetime(),
            *scope_conditions(scope),
        )
        .group_by(F.actor_key, F.content_id)
    )
    people_found, contents_found, counts, joined = read_columns(session, query, 4)
    times = _times(TIME_SEPARATOR.join(joined).split(TIME_SEPARATOR) if joined else [])
    sizes = np.array(counts, dtype="int64")
    if len(times) != sizes.sum():
        raise ValueError("a contribution's time holds the separator of joined times")
    person, people = _codes(people_found)
    content, contents = _codes(contents_found)
    person, content = np.repeat(person, sizes), np.repeat(content, sizes)
    order = np.lexsort((content, times, person))
    return Contributions(pd.Index(people), contents, person[order], times[order], content[order])


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's index into the sorted distinct values, and those values."""
    distinct = sorted(set(values))
    position = {value: i for i, value in enumerate(distinct)}
    codes = np.fromiter(map(position.__getitem__, values), dtype="int64", count=len(values))
    return codes, distinct


def _times(values: list[str]) -> np.ndarray:
    """Times as ``joined_times`` writes them (microseconds since the epoch, or naive
    ISO 8601 text) as nanoseconds since the epoch, as ``utc`` reads them: numpy turns
    either into numbers in one step, several times faster than pandas."""
    if not values:
        return np.zeros(0, "int64")
    if values[0].lstrip("-").isdigit():  # microseconds (PostgreSQL's)
        micro = np.array(values, dtype="int64")
        if np.abs(micro).max() < np.iinfo(np.int64).max // 1000:  # else utc refuses them
            return micro * 1000
        return np.asarray(_nanoseconds(utc([int(value) for value in values])), dtype="int64")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a time zone in the text: not naive
            return np.array(values, dtype="datetime64[ns]").view("int64")
    except (ValueError, TypeError, Warning):
        return np.asarray(_nanoseconds(utc(values)), dtype="int64")


def _first_linked(
    completions: pd.DataFrame,
    made: Contributions,
    course_topics: dict[str, topics.Topic],
    content_topics: dict[str, topics.Topic],
) -> tuple[list[str | None], np.ndarray, list[str | None]]:
    """For each completion row, in order: the content, time (ns since the epoch) and
    what linked it of the person's first contribution at or after it on linked content
    (None, and the time NaT, when there is none).

    Every completion starts at its person's first contribution at or after it (a binary
    search on (person, rank of the time)); then, all at once, each still open steps on
    through its person's contributions until one is on content linked to its course,
    each (course, content) decided once. Whole arrays at a time: a loop per completion
    costs more than the query at a million statements."""
    size = len(completions)
    done = np.asarray(_nanoseconds(completions["completed"]), dtype="int64")
    person = made.people.get_indexer(completions["actor_key"])
    course, uniques = pd.factorize(completions["course"])
    courses = uniques.tolist()  # a list: indexing a frame's index per pair costs
    keys, wanted, width = _person_times(made, person, done)
    start = np.searchsorted(keys, wanted)
    end = np.searchsorted(keys, (person + 1) * width)
    end = np.where(person < 0, start, end)
    contents = len(made.contents)
    decided: dict[int, str | None] = {}

    def links(pairs: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(pairs, return_inverse=True)
        found = []
        for pair in unique.tolist():
            if pair not in decided:
                topic = course_topics[courses[pair // contents]]
                decided[pair] = topics.link(topic, content_topics[made.contents[pair % contents]])
            found.append(decided[pair])
        return np.array(found, dtype=object)[inverse]

    index = start.copy()
    hit = np.full(size, -1)
    open_rows = np.flatnonzero(index < end)
    while open_rows.size:
        at = index[open_rows]
        linked = pd.notna(links(course[open_rows] * contents + made.content[at]))
        hit[open_rows[linked]] = at[linked]
        missed = open_rows[~linked]
        index[missed] += 1
        open_rows = missed[index[missed] < end[missed]]
    rows = np.flatnonzero(hit >= 0)
    found = made.content[hit[rows]]
    content_found = np.full(size, None, dtype=object)
    content_found[rows] = np.array(made.contents, dtype=object)[found] if rows.size else []
    link_found = np.full(size, None, dtype=object)
    link_found[rows] = links(course[rows] * contents + found) if rows.size else []
    time_found = np.full(size, NAT, dtype="int64")
    time_found[rows] = made.time[hit[rows]]
    return content_found.tolist(), time_found, link_found.tolist()


def _person_times(
    made: Contributions, person: np.ndarray, done: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """(person, time) of each contribution and of each completion as one sortable
    integer (the person times ``width``, plus the time), and ``width``.

    The time is its microseconds since the earliest time at hand when every time is in
    whole microseconds (as the databases keep them) and the integers fit; else its
    rank among every time at hand, whose sort costs several times more."""
    times = np.concatenate([made.time, done])
    if times.size and not (times == NAT).any() and not (times % 1000).any():
        low = int(times.min()) // 1000
        width = int(times.max()) // 1000 - low + 1
        if width * (len(made.people) + 1) < 2**62:
            return (
                made.person * width + (made.time // 1000 - low),
                person * width + (done // 1000 - low),
                width,
            )
    distinct, rank = np.unique(times, return_inverse=True)
    width = len(distinct) + 1
    return (
        made.person * width + rank[: len(made.time)],
        person * width + rank[len(made.time) :],
        width,
    )


def _nanoseconds(values: pd.Series) -> list[int]:
    """UTC timestamps as integer nanoseconds since the epoch."""
    found: list[int] = values.dt.tz_convert("UTC").dt.tz_localize(None).astype("int64").tolist()
    return found


CONTRIBUTOR_COURSE_COLUMNS = ("actor_key", "name", "team", "contributions", "posts", "edits",
                              "comments", "courses_completed", "courses_passed",
                              "completed_courses")  # fmt: skip


def contributors_and_courses(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """The top informal contributors (``knowledge.top_contributors``) and the courses
    each completed and passed under the same filters (names, "; "-separated): whether
    the people who share knowledge are those who learn formally. Attrs total =
    contributors."""
    frame = knowledge.top_contributors(session, filters, limit)
    keys = frame["actor_key"].tolist()
    done: dict[str, list[str]] = {}
    passed: dict[str, int] = {}
    if keys:
        course = course_key()
        rows = session.execute(
            select(
                F.actor_key,
                course,
                func.max(case((F.concept.in_(PASSED), 1), else_=0)),
            )
            .where(
                *fact_conditions(filters.replace(kind=None)),
                F.actor_key.in_(keys),
                F.source_kind == "formal",
                F.concept.in_(COMPLETED),
                course.is_not(None),
            )
            .group_by(F.actor_key, course)
        ).all()
        names = activity_names(session, sorted({str(row[1]) for row in rows}))
        for key, completed, was_passed in rows:
            done.setdefault(key, []).append(names.get(completed, completed))
            passed[key] = passed.get(key, 0) + int(was_passed)
    frame["courses_completed"] = [len(done.get(k, [])) for k in keys]
    frame["courses_passed"] = [passed.get(k, 0) for k in keys]
    frame["completed_courses"] = ["; ".join(sorted(done.get(k, []))) for k in keys]
    return with_total(
        frame[list(CONTRIBUTOR_COURSE_COLUMNS)].reset_index(drop=True), frame.attrs["total"]
    )


def informal_growth(session: Session, filters: Filters) -> pd.DataFrame:
    """Informal learning this period against the previous one of the same length:
    informal statements, contributions, contributors, reactors and readers (rows as
    ``activity.changes``; no previous period for an open range)."""

    def measures(period: Filters) -> pd.DataFrame:
        groups = knowledge.participation(session, period).set_index("role")
        informal = _informal_statements(session, period.replace(kind=None))
        return pd.DataFrame(
            [
                {
                    "informal_statements": informal,
                    "contributions": groups.loc["contributors", "contributions"],
                    "contributors": groups.loc["contributors", "people"],
                    "reactors": groups.loc["reactors", "people"],
                    "readers": groups.loc["readers", "people"],
                }
            ]
        )

    before = filters.previous()
    previous = measures(before) if before is not None else None
    return activity.changes(measures(filters), previous, filters)


def _informal_statements(session: Session, filters: Filters) -> int:
    """``activity.summary``'s informal statements alone: not its distinct people and
    activities, which read every fact of the range."""
    if uses_rollup(filters):
        query = select(func.sum(R.statements)).where(
            *rollup_conditions(filters), R.source_kind == "informal"
        )
    else:
        query = select(func.count()).where(*fact_conditions(filters), F.source_kind == "informal")
    return int(session.execute(query).scalar_one() or 0)


def knowledge_flow(
    session: Session, filters: Filters, relation: str = "contribute", limit: int = 150
) -> pd.DataFrame:
    """Edges person -> author of the content they acted on, weighted by statements.

    ``contribute``: comments, replies, edits and likes on someone else's content;
    ``learn``: views of someone else's content (who learns from whom). The author of a
    piece of content is the actor of its first authored/created statement. Attrs total =
    edges before the limit.
    """
    authors = content_authors().subquery()
    if relation == "contribute" and uses_learner_rollup(filters):
        # All time: each person's responses per piece of content (``content_response``),
        # a row per pair instead of a fact per like.
        C = ContentResponse
        query = (
            select(C.actor_key, authors.c.author_key, cast(func.sum(C.responses), BigInteger))
            .join(authors, authors.c.content_id == C.content_id)
            .where(C.actor_key != authors.c.author_key)
            .group_by(C.actor_key, authors.c.author_key)
        )
    else:
        concepts = RESPONSES if relation == "contribute" else CONSUME
        query = (
            select(F.actor_key, authors.c.author_key, func.count())
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
