"""Pull: the views people open for themselves rather than reports made about them.

- **My learning and sharing** (the person filter): my courses (``courses.person_courses``),
  what I wrote and who read, reused, commented on or liked it (``my_contributions``,
  ``my_audience``), a timeline of both (``my_timeline``) and what the people who
  completed my courses went on to read or write (``after_my_courses``).
- **Who knows about X** (``experts``, ``expert_evidence``): people ranked by evidence on
  a topic, under the matching rule and the weights below.
- **What to read next** after a course (``read_next``, ``course_writers``): the posts and
  pages most read by the people who completed it, and those of them who wrote about it.

Every fact is read under ``fact_conditions``, so that whatever narrows the filters (a
range, a team, the person) narrows these views too, and so does the reader's scope
(``lrs.insight.scope``), with two exceptions that the views exist for, declared on their
registry entries (``beyond_scope``) and nowhere else:

- **The reactions to my content**: a reader who may see a person (a member, themselves;
  a manager, the people of their teams) sees who read, reused, commented on, liked or
  edited that person's posts and pages (``my_contributions``, ``my_audience``).
- **Public contributions**: who wrote, edited or commented on posts and pages is public
  (the blog and the wiki show it to everyone), so "who knows about X" counts that
  evidence for every reader; course results count only within the reader's scope.

"Next" after a completion means in the ``NEXT_DAYS`` days from the day of a person's first
completion (the facts' ``day``, which the covering indexes hold); a graduate's writing
about a course counts at any time after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd
from sqlalchemy import (
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from lrs.errors import BadRequest
from lrs.insight import topics
from lrs.insight._sql import (
    F,
    activity_names,
    fact_conditions,
    read_frame,
    unfiltered,
    uses_learner_rollup,
    with_total,
)
from lrs.insight.concepts import (
    AUTHORING,
    COMPLETED,
    CONSUME,
    CONTRIBUTE,
    EDITING,
    FAILED,
    PAGE_TYPES,
    PASSED,
    REACT,
    RESPONDING,
    WRITING,
)
from lrs.insight.filters import Filters, to_queries, to_query
from lrs.insight.people import person_names
from lrs.insight.scope import Scope
from lrs.store.dialects import days_after, storable_text
from lrs.store.facts import concept_count
from lrs.store.models import (
    ContentAuthor,
    ContentContributor,
    ContentTag,
    CourseLearner,
    FilterValue,
    LearningFactTag,
)

# -- my learning and sharing -----------------------------------------------------------


def _public(filters: Filters) -> Filters:
    """The same filters read for everyone: only for the facts this module declares
    visible beyond the reader's scope (see the module's docstring)."""
    return Filters(
        start=filters.start, end=filters.end, team=filters.team, kind=filters.kind,
        platform=filters.platform, verb=filters.verb, activity=filters.activity,
        person=filters.person,
    )  # fmt: skip


def _sees(session: Session, scope: Scope, person: str) -> bool:
    """True when a reader of ``scope`` may see ``person``: their own person, or a person
    whose facts belong to one of the scope's teams."""
    if scope.person is not None and scope.person != person:
        return False
    if scope.teams is None:
        return True
    team = person_names(session, [person]).get(person, (person, None))[1]
    return team is not None and team in scope.teams


CONTRIBUTION_COLUMNS = (
    "content_id",
    "name",
    "created",
    "readers",
    "reads",
    "reused",
    "comments",
    "likes",
    "edits",
    "explorer_query",
)
AUDIENCE_COLUMNS = (
    "actor_key",
    "name",
    "team",
    "contents",
    "reads",
    "reused",
    "comments",
    "likes",
    "edits",
)


_REACTION_COLUMNS = (
    "content_id",
    "actor_key",
    "reads",
    "comments",
    "likes",
    "edits",
    "first_read",
    "last_made",
)
"""What a reaction row counts, before ``reused`` and ``readers`` are derived from it."""


def _reactions(session: Session, filters: Filters) -> pd.DataFrame:
    """Per (content the person authored, other person): reads, comments (and replies),
    likes, edits and whether the other person reused it (read it, then the same day or
    later edited or commented on it). The reactions are those of other people, under
    every filter but the person; the person's content is what ``content_author`` says
    they authored."""
    person = filters.person
    if person is None or not _sees(session, filters.scope, person):
        return pd.DataFrame(columns=[*_REACTION_COLUMNS, "reused", "readers"])
    C = ContentAuthor
    mine = select(C.content_id).where(C.author_key == person)

    query = (
        select(
            F.content_id,
            F.actor_key,
            concept_count(CONSUME),
            concept_count(RESPONDING),
            concept_count(REACT),
            concept_count(EDITING),
            func.min(case((F.concept.in_(CONSUME), F.day))),
            func.max(case((F.concept.in_((*EDITING, *RESPONDING)), F.day))),
        )
        .where(
            *fact_conditions(_public(filters).replace(person=None)),
            F.content_id.in_(mine),
            F.actor_key != person,
            F.source_kind == "informal",
        )
        .group_by(F.content_id, F.actor_key)
    )
    frame = read_frame(session, query, _REACTION_COLUMNS)
    for column in ("reads", "comments", "likes", "edits"):
        frame[column] = frame[column].astype("int64")
    first = pd.Series([_day(v) for v in frame["first_read"]], index=frame.index, dtype=object)
    last = pd.Series([_day(v) for v in frame["last_made"]], index=frame.index, dtype=object)
    frame["reused"] = [
        int(f is not None and m is not None and f <= m) for f, m in zip(first, last, strict=True)
    ]
    frame["readers"] = (frame["reads"] > 0).astype("int64")
    return frame


def my_contributions(session: Session, filters: Filters) -> pd.DataFrame:
    """The content the person authored (posts, pages, questions) with what others did
    with it: distinct readers and reads, reusers (``_reactions``), comments and replies,
    likes, edits; most read first. Attrs total = content authored."""
    person = filters.person or ""
    visible = _sees(session, filters.scope, person)
    C = ContentAuthor
    authored = read_frame(
        session,
        select(C.content_id, C.at)
        .where(C.author_key == person, true() if visible else false())
        .order_by(C.at),
        ["content_id", "created"],
    )
    reactions = _reactions(session, filters)
    sums = (
        reactions.groupby("content_id")[
            ["readers", "reads", "reused", "comments", "likes", "edits"]
        ].sum()
        if len(reactions)
        else pd.DataFrame(columns=["readers", "reads", "reused", "comments", "likes", "edits"])
    )
    frame = authored.merge(sums, how="left", left_on="content_id", right_index=True)
    for column in ("readers", "reads", "reused", "comments", "likes", "edits"):
        frame[column] = frame[column].fillna(0).astype("int64")
    names = activity_names(session, frame["content_id"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["content_id"]])
    frame["created"] = [_day(v) for v in frame["created"]]
    frame["explorer_query"] = [to_query({"activity": c}) for c in frame["content_id"]]
    frame = frame.sort_values(["readers", "reads", "content_id"], ascending=[False, False, True])
    return with_total(frame[list(CONTRIBUTION_COLUMNS)].reset_index(drop=True), len(frame))


def my_audience(session: Session, filters: Filters, limit: int = 50) -> pd.DataFrame:
    """The people who read, reused, commented on, liked or edited the person's content:
    per person the contents reached and each reaction; most contents, then most reads
    first. Attrs total = such people."""
    reactions = _reactions(session, filters)
    if reactions.empty:
        return with_total(pd.DataFrame(columns=list(AUDIENCE_COLUMNS)), 0)
    frame = (
        reactions.groupby("actor_key")
        .agg(
            contents=("content_id", "nunique"),
            reads=("reads", "sum"),
            reused=("reused", "sum"),
            comments=("comments", "sum"),
            likes=("likes", "sum"),
            edits=("edits", "sum"),
        )
        .reset_index()
        .sort_values(["contents", "reads", "actor_key"], ascending=[False, False, True])
    )
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    names = person_names(session, frame["actor_key"].tolist())
    frame.insert(1, "name", [names.get(k, (k, None))[0] for k in frame["actor_key"]])
    frame.insert(2, "team", [names.get(k, (k, None))[1] or "(no team)" for k in frame["actor_key"]])
    for column in AUDIENCE_COLUMNS[3:]:
        frame[column] = frame[column].astype("int64")
    return with_total(frame[list(AUDIENCE_COLUMNS)], total)


TIMELINE_COLUMNS = ("day", "side", "concept", "activity_id", "name", "statements", "explorer_query")
LEARNING_MILESTONES: Final = (*COMPLETED, *FAILED)
"""What the timeline shows of formal learning: results (completed, passed, failed...)."""


def my_timeline(session: Session, filters: Filters, limit: int = 500) -> pd.DataFrame:
    """The person's learning (course results) and sharing (contributions) per day and
    activity, newest first: ``side`` is ``learning`` or ``sharing``. Attrs total = rows."""
    if filters.person is None:
        return with_total(pd.DataFrame(columns=list(TIMELINE_COLUMNS)), 0)
    learning = and_(F.source_kind == "formal", F.concept.in_(LEARNING_MILESTONES))
    sharing = and_(F.source_kind == "informal", F.concept.in_(CONTRIBUTE))
    side = case((F.source_kind == "formal", "learning"), else_="sharing")
    target = func.coalesce(F.content_id, F.activity_id)
    query = (
        select(F.day, side, F.concept, target, func.count())
        .where(*fact_conditions(filters), or_(learning, sharing))
        .group_by(F.day, side, F.concept, target)
        .order_by(F.day.desc(), side, F.concept, target)
    )
    frame = read_frame(session, query, ["day", "side", "concept", "activity_id", "statements"])
    total = len(frame)
    frame = frame.head(limit).reset_index(drop=True)
    frame["day"] = [_day(v) for v in frame["day"]]
    frame["statements"] = frame["statements"].astype("int64")
    names = activity_names(session, sorted(set(frame["activity_id"].dropna())))
    frame.insert(4, "name", [names.get(a, a) for a in frame["activity_id"]])
    frame["explorer_query"] = [
        to_query({"person": filters.person, "activity": a, "from": str(d), "to": str(d)})
        for a, d in zip(frame["activity_id"], frame["day"], strict=True)
    ]
    return with_total(frame[list(TIMELINE_COLUMNS)], total)


# -- what to read next -----------------------------------------------------------------

NEXT_COLUMNS = ("content_id", "name", "kind", "readers", "reads", "writers", "explorer_query")


NEXT_DAYS: Final = 30
"""What someone read or wrote "next" after a course: from the day of their first
completion to this many days after it."""


def _graduates(filters: Filters, courses: Any, exclude: str | None = None) -> Any:
    """Per person who completed any of ``courses``: actor_key, ``day`` (of the first
    completion) and ``until`` (``NEXT_DAYS`` later), as a common table expression."""
    # Grouped per (course, person) first, in the order of ix_learning_fact_course_concept
    # (read from the index alone), then per person: grouped per person at once, SQLite
    # walks every fact in person order instead (1 s against 0.05 s at a million facts).
    per_course = (
        select(F.actor_key.label("actor_key"), func.min(F.day).label("day"))
        .where(
            *fact_conditions(filters.replace(person=None)),
            F.source_kind == "formal",
            F.concept.in_(COMPLETED),
            F.course_id.in_(courses),
        )
        .group_by(F.course_id, F.actor_key)
        .subquery("completions")
    )
    first = func.min(per_course.c.day)
    query = select(
        per_course.c.actor_key.label("actor_key"),
        first.label("day"),
        days_after(first, NEXT_DAYS).label("until"),
    ).group_by(per_course.c.actor_key)
    if exclude is not None:
        query = query.where(per_course.c.actor_key != exclude)
    return query.cte("graduates")


def _next_after(session: Session, filters: Filters, graduates: Any, limit: int) -> pd.DataFrame:
    """Per post or page: the graduates who read it (and their reads) and who wrote or
    edited it, in their window (``_graduates``); most readers first."""
    G = graduates
    reads = concept_count(CONSUME)
    readers = func.count(func.distinct(case((F.concept.in_(CONSUME), F.actor_key))))
    writers = func.count(func.distinct(case((F.concept.in_(WRITING), F.actor_key))))
    query = (
        select(F.content_id, readers, reads, writers, func.count().over())
        .join(G, and_(G.c.actor_key == F.actor_key, F.day >= G.c.day, F.day <= G.c.until))
        .where(
            *fact_conditions(filters.replace(person=None)),
            F.source_kind == "informal",
            F.concept.in_((*CONSUME, *WRITING)),
            F.content_id.is_not(None),
        )
        .group_by(F.content_id)
        .order_by(readers.desc(), reads.desc(), writers.desc(), F.content_id)
        .limit(limit)
    )
    frame = read_frame(session, query, ["content_id", "readers", "reads", "writers", "total"])
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    frame = frame.drop(columns=["total"])
    for column in ("readers", "reads", "writers"):
        frame[column] = frame[column].astype("int64")
    names = activity_names(session, frame["content_id"].tolist())
    kinds = _content_kinds(session, frame["content_id"].tolist())
    frame.insert(1, "name", [names.get(c, c) for c in frame["content_id"]])
    frame.insert(2, "kind", [kinds.get(c, "other") for c in frame["content_id"]])
    frame["explorer_query"] = [to_query({"activity": c}) for c in frame["content_id"]]
    return with_total(frame[list(NEXT_COLUMNS)], total)


def _content_kinds(session: Session, contents: Sequence[str]) -> dict[str, str]:
    """content -> ``page`` (a wiki page type) or ``post`` (anything else written): the
    type of one of its informal facts, read per content (a popular page has many)."""
    kinds: dict[str, str] = {}
    for content in contents:
        kind = session.execute(
            select(F.activity_type)
            .where(F.activity_id == content, F.source_kind == "informal")
            .limit(1)
        ).scalar()
        kinds[content] = "page" if kind in PAGE_TYPES else "post"
    return kinds


def read_next(
    session: Session, filters: Filters, course: str = "", limit: int = 10
) -> pd.DataFrame:
    """The posts and pages most read by the people who completed ``course``, in the
    ``NEXT_DAYS`` from their first completion: distinct readers, reads, and those who wrote or
    edited it. Attrs total = such content."""
    _check_course(course)
    return _next_after(session, filters, _graduates(filters, [course]), limit)


WRITER_COLUMNS = (
    "actor_key",
    "name",
    "team",
    "content_id",
    "content_name",
    "linked_by",
    "first_day",
    "contributions",
    "explorer_query",
)


def course_writers(
    session: Session, filters: Filters, course: str = "", first: int | None = None
) -> pd.DataFrame:
    """The graduates of ``course`` who wrote or edited posts and pages on its topic
    (``lrs.insight.topics``: a shared tag, else a shared keyword of the titles and tags)
    from the day of their completion on, with what linked them; earliest first. With
    ``first``, those first rows only (names and links are made for them alone), attrs
    total = rows in all."""
    _check_course(course)
    G = _graduates(filters, [course])
    made = read_frame(
        session,
        select(F.actor_key, F.content_id, func.min(F.day), func.count())
        .join(G, and_(G.c.actor_key == F.actor_key, F.day >= G.c.day))
        .where(
            *fact_conditions(filters.replace(person=None)),
            F.source_kind == "informal",
            F.concept.in_(WRITING),
            F.content_id.is_not(None),
        )
        .group_by(F.actor_key, F.content_id),
        ["actor_key", "content_id", "first_day", "contributions"],
    )
    if made.empty:
        return with_total(pd.DataFrame(columns=list(WRITER_COLUMNS)), 0)
    contents = sorted(set(made["content_id"]))
    names = activity_names(session, [course, *contents])
    tags = _tags(session, [course], F.course_id, "formal")
    content_tags = _content_tags(session, contents)
    course_topic = topics.Topic.of(names.get(course), tags.get(course, ()))
    links = {
        c: topics.link(course_topic, topics.Topic.of(names.get(c), content_tags.get(c, ())))
        for c in contents
    }
    made["linked_by"] = [links[c] for c in made["content_id"].tolist()]
    made = made[made["linked_by"].notna()].copy()
    made["first_day"] = [_day(v) for v in made["first_day"].tolist()]
    made["contributions"] = made["contributions"].astype("int64")
    made = made.sort_values(["first_day", "actor_key", "content_id"])
    total = len(made)
    if first is not None:
        made = made.head(first)
    # Lists, not the columns, are walked below: a text column is read value by value
    # much more slowly (thousands of rows for a course everyone completed).
    keys, contents = made["actor_key"].tolist(), made["content_id"].tolist()
    people = person_names(session, sorted(set(keys)))
    made["name"] = [people.get(k, (k, None))[0] for k in keys]
    made["team"] = [people.get(k, (k, None))[1] or "(no team)" for k in keys]
    made["content_name"] = [names.get(c, c) for c in contents]
    made["explorer_query"] = to_queries(
        {"person": k, "activity": c} for k, c in zip(keys, contents, strict=True)
    )
    return with_total(made[list(WRITER_COLUMNS)].reset_index(drop=True), total)


def after_my_courses(session: Session, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """What the other people who completed the person's completed courses went on to
    read or write (``read_next`` over those courses together)."""
    person = filters.person
    if person is None:
        return with_total(pd.DataFrame(columns=list(NEXT_COLUMNS)), 0)
    mine = (
        select(F.course_id)
        .where(
            *fact_conditions(filters),
            F.source_kind == "formal",
            F.concept.in_(COMPLETED),
            F.course_id.is_not(None),
        )
        .distinct()
    )
    graduates = _graduates(filters, mine, exclude=person)
    return _next_after(session, filters, graduates, limit)


def course_options(
    session: Session, filters: Filters, search: str = "", limit: int = 50
) -> list[tuple[str, str]]:
    """(course, name) of the courses with completions under ``filters`` whose name or id
    contains ``search``, most completed first."""
    completions = func.count()
    rows = session.execute(
        select(F.course_id, completions)
        .where(*fact_conditions(filters), F.source_kind == "formal", F.concept.in_(COMPLETED),
               F.course_id.is_not(None))
        .group_by(F.course_id)
        .order_by(completions.desc(), F.course_id)
    ).all()  # fmt: skip
    names = activity_names(session, [str(course) for course, _ in rows])
    wanted = search.strip().casefold() if storable_text(search) else "\x00"
    found = [
        (str(course), names.get(str(course), str(course)))
        for course, _ in rows
        if wanted in str(course).casefold() or wanted in names.get(str(course), "").casefold()
    ]
    return found[:limit]


def _check_course(course: str) -> None:
    if not course.strip() or not storable_text(course):
        raise BadRequest("course must name a course (its activity id)", "course")


def _tags(session: Session, keys: Sequence[str], column: Any, kind: str) -> dict[str, list[str]]:
    """key (a course) -> the tags of its facts of ``kind``."""
    if not keys:
        return {}
    T = LearningFactTag
    rows = session.execute(
        select(column, T.tag)
        .join(T, T.seq == F.seq)
        .where(column.in_(list(keys)), F.source_kind == kind)
        .distinct()
    ).all()
    return _grouped(rows)


def _content_tags(session: Session, contents: Sequence[str]) -> dict[str, list[str]]:
    """content -> the tags it is written with (``content_tag``: those of its writing
    facts, not of every view of it)."""
    T = ContentTag
    found: dict[str, list[str]] = {}
    for start in range(0, len(contents), _CONTENTS_PER_QUERY):
        chunk = list(contents[start : start + _CONTENTS_PER_QUERY])
        rows = session.execute(select(T.content_id, T.tag).where(T.content_id.in_(chunk)))
        for content, tags in _grouped(rows).items():
            found.setdefault(content, []).extend(tags)
    return found


_CONTENTS_PER_QUERY: Final = 5000
"""Contents per ``IN`` list, well within both databases' limits on parameters."""


def _grouped(rows: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, tag in rows:
        found.setdefault(str(key), []).append(str(tag))
    return found


# -- who knows about X -----------------------------------------------------------------

WEIGHTS: Final = {"passed": 5, "completed": 3, "wrote": 4, "edited": 2, "commented": 1}
"""Points per piece of evidence: a course passed (5) or completed without a pass (3),
counted once per course; a post, page or question written (4) or a page edited by
someone who did not write it (2), once per content; a comment or reply (1), each, up to
``COMMENTS_COUNTED`` per content."""
COMMENTS_COUNTED: Final = 3
"""Comments and replies counted per person and content: a long thread on one post is
not knowing more than writing it."""
EXPERT_COLUMNS = (
    "rank",
    "actor_key",
    "name",
    "team",
    "score",
    "passed",
    "completed",
    "wrote",
    "edited",
    "commented",
    "last_day",
    "explorer_query",
)
EVIDENCE_COLUMNS = (
    "actor_key",
    "name",
    "evidence",
    "activity_id",
    "activity_name",
    "points",
    "statements",
    "last_day",
    "explorer_query",
)
TOPIC_MAX: Final = 200


def matching(session: Session, topic: str) -> set[str]:
    """The courses, posts and pages about ``topic``. A tag equal to the topic (case
    aside) names them; when no tag does, every activity whose title's keywords, or one
    of whose tags' keywords, hold all the topic's keywords (``topics.keywords``)."""
    text = topic.strip().casefold()
    words = topics.keywords(text)
    if not text or len(text) > TOPIC_MAX or not storable_text(text):
        raise BadRequest(f"topic must be text of 1 to {TOPIC_MAX} characters", "topic")
    T = LearningFactTag
    # An exact tag first, through the tag index; the words of every tag only without one.
    tags = set(session.execute(select(T.tag).where(T.tag == text).limit(1)).scalars())
    exact = bool(tags)
    if not exact and words:
        found = session.execute(
            select(T.tag).where(*(T.tag.contains(w) for w in words)).distinct()
        ).scalars()
        tags = {str(tag) for tag in found if words <= topics.keywords(tag)}
    if not tags and not words:
        raise BadRequest(
            f"topic {topic.strip()!r} is no tag and has no keyword (a word of "
            f"{topics.MIN_LENGTH} letters or more that is not a stop word)",
            "topic",
        )
    matched: set[str] = set()
    if tags:
        for course, content in session.execute(
            select(F.course_id, F.content_id)
            .join(T, T.seq == F.seq)
            .where(T.tag.in_(tags))
            .distinct()
        ):
            matched.update(value for value in (course, content) if value is not None)
    if words and not exact:
        V = FilterValue
        labelled = select(V.value, V.label).where(
            V.dimension == "activity", *(func.lower(V.label).contains(w) for w in words)
        )
        for value, label in session.execute(labelled):
            if words <= topics.keywords(label):
                matched.add(str(value))
    return matched


def _formal_evidence(
    filters: Filters, matched: Sequence[str], people: Sequence[str] | None = None
) -> Any:
    """Per (person, course on the topic) completed: passed (1) or not (0), its last day
    (of ``people`` only, when given); for all time, from ``course_learner``."""
    if uses_learner_rollup(filters):
        L = CourseLearner
        learners = select(
            L.actor_key.label("actor_key"), L.course.label("item"),
            case((L.passed > 0, 1), else_=0).label("top"), L.completed.label("statements"),
            L.completed_last.label("day"),
        ).where(L.course.in_(matched), L.completed > 0)  # fmt: skip
        return learners if people is None else learners.where(L.actor_key.in_(people))
    top = func.max(case((F.concept.in_(PASSED), 1), else_=0))
    query = (
        select(F.actor_key.label("actor_key"), F.course_id.label("item"), top.label("top"),
               func.count().label("statements"), func.max(F.day).label("day"))
        .where(*fact_conditions(filters), F.source_kind == "formal",
               F.concept.in_(COMPLETED), F.course_id.in_(matched))
        .group_by(F.course_id, F.actor_key)
    )  # fmt: skip
    return query if people is None else query.where(F.actor_key.in_(people))


def _writing_evidence(
    filters: Filters, matched: Sequence[str], people: Sequence[str] | None = None
) -> Any:
    """Per (person, content on the topic) written or edited: written (1) or only edited
    (0), its last day. Public: read for every reader (see the module's docstring); for
    all time, from ``content_contributor`` (one row per person and content)."""
    if unfiltered(_public(filters)):
        C = ContentContributor
        pairs = select(
            C.actor_key.label("actor_key"), C.content_id.label("item"),
            case((C.wrote > 0, 1), else_=0).label("top"),
            (C.wrote + C.edited).label("statements"), C.written_last.label("day"),
        ).where(C.content_id.in_(matched), C.wrote + C.edited > 0)  # fmt: skip
        return pairs if people is None else pairs.where(C.actor_key.in_(people))
    top = func.max(case((F.concept.in_(AUTHORING), 1), else_=0))
    query = (
        select(F.actor_key.label("actor_key"), F.content_id.label("item"), top.label("top"),
               func.count().label("statements"), func.max(F.day).label("day"))
        .where(*fact_conditions(_public(filters)), F.source_kind == "informal",
               F.concept.in_(WRITING), F.content_id.in_(matched))
        .group_by(F.content_id, F.actor_key)
    )  # fmt: skip
    return query if people is None else query.where(F.actor_key.in_(people))


def _comment_evidence(
    filters: Filters, matched: Sequence[str], people: Sequence[str] | None = None
) -> Any:
    """Per (person, content on the topic): comments and replies, the last day. Public;
    for all time, from ``content_contributor``."""
    if unfiltered(_public(filters)):
        C = ContentContributor
        pairs = select(
            C.actor_key.label("actor_key"), C.content_id.label("item"), literal(0).label("top"),
            C.commented.label("statements"), C.commented_last.label("day"),
        ).where(C.content_id.in_(matched), C.commented > 0)  # fmt: skip
        return pairs if people is None else pairs.where(C.actor_key.in_(people))
    query = (
        select(F.actor_key.label("actor_key"), F.content_id.label("item"),
               literal(0).label("top"), func.count().label("statements"),
               func.max(F.day).label("day"))
        .where(*fact_conditions(_public(filters)), F.source_kind == "informal",
               F.concept.in_(RESPONDING), F.content_id.in_(matched))
        .group_by(F.content_id, F.actor_key)
    )  # fmt: skip
    return query if people is None else query.where(F.actor_key.in_(people))


def _counted(statements: Any) -> Any:
    """The comments of one person on one content that count: at most ``COMMENTS_COUNTED``."""
    return case((statements > COMMENTS_COUNTED, COMMENTS_COUNTED), else_=statements)


SCORE_COLUMNS = ("actor_key", "passed", "completed", "wrote", "edited", "commented", "last_day")


def _scores(session: Session, filters: Filters, matched: Sequence[str]) -> pd.DataFrame:
    """Per person with evidence: the count of each kind and the last day, summed in SQL
    (one row per person, however much evidence). Each kind is summed per person on its
    own first: a topic that names every course has tens of thousands of pieces, and the
    database then sorts three lists of people instead of all the pieces at once."""
    formal = _formal_evidence(filters, matched).subquery()
    writing = _writing_evidence(filters, matched).subquery()
    comments = _comment_evidence(filters, matched).subquery()
    zero = literal(0)
    parts = union_all(
        select(formal.c.actor_key, func.sum(formal.c.top).label("passed"),
               func.sum(1 - formal.c.top).label("completed"), zero.label("wrote"),
               zero.label("edited"), zero.label("commented"), func.max(formal.c.day).label("day"))
        .group_by(formal.c.actor_key),
        select(writing.c.actor_key, zero, zero, func.sum(writing.c.top),
               func.sum(1 - writing.c.top), zero, func.max(writing.c.day))
        .group_by(writing.c.actor_key),
        select(comments.c.actor_key, zero, zero, zero, zero,
               func.sum(_counted(comments.c.statements)), func.max(comments.c.day))
        .group_by(comments.c.actor_key),
    ).subquery()  # fmt: skip
    sums = [func.sum(parts.c[kind]) for kind in SCORE_COLUMNS[1:-1]]
    query = select(parts.c.actor_key, *sums, func.max(parts.c.day)).group_by(parts.c.actor_key)
    frame = read_frame(session, query, list(SCORE_COLUMNS))
    for kind in SCORE_COLUMNS[1:-1]:
        frame[kind] = frame[kind].astype("int64")
    frame["score"] = sum(WEIGHTS[kind] * frame[kind] for kind in WEIGHTS).astype("int64")
    frame["last_day"] = [_day(v) for v in frame["last_day"]]
    return frame


def _ranked(session: Session, filters: Filters, matched: Sequence[str], limit: int) -> pd.DataFrame:
    if not matched:
        return with_total(pd.DataFrame(columns=list(EXPERT_COLUMNS)), 0)
    frame = _scores(session, filters, matched)
    total = len(frame)
    if not total:
        return with_total(pd.DataFrame(columns=list(EXPERT_COLUMNS)), 0)
    frame["sort_day"] = [d.toordinal() for d in frame["last_day"]]
    frame = frame.sort_values(["score", "sort_day", "actor_key"], ascending=[False, False, True])
    # Names break the remaining ties: read them for the people up to the last one tied
    # with the ``limit``-th, not for everyone with evidence.
    cut = frame.iloc[min(limit, total) - 1]
    tied = (frame["score"] == cut["score"]) & (frame["sort_day"] >= cut["sort_day"])
    kept = frame[(frame["score"] > cut["score"]) | tied].copy()
    names = person_names(session, kept["actor_key"].tolist())
    kept["name"] = [names.get(k, (k, None))[0] for k in kept["actor_key"]]
    kept["team"] = [names.get(k, (k, None))[1] or "(no team)" for k in kept["actor_key"]]
    kept = kept.sort_values(
        ["score", "sort_day", "name", "actor_key"], ascending=[False, False, True, True]
    )
    kept = kept.head(limit).reset_index(drop=True)
    kept["rank"] = range(1, len(kept) + 1)
    kept["explorer_query"] = [to_query({"person": k}) for k in kept["actor_key"]]
    return with_total(kept[list(EXPERT_COLUMNS)], total)


def experts(session: Session, filters: Filters, topic: str = "", limit: int = 20) -> pd.DataFrame:
    """People ranked by evidence on ``topic`` (``matching``): the sum of ``WEIGHTS`` over
    their evidence; ties go to the most recent evidence, then the name, then the key.
    Attrs total = people with evidence."""
    return _ranked(session, filters, sorted(matching(session, topic)), limit)


def expert_evidence(
    session: Session, filters: Filters, topic: str = "", limit: int = 20
) -> pd.DataFrame:
    """The evidence of each of the ``experts`` ranked first, in their order: per piece,
    its kind, the course or content, its points and statements and a link to them."""
    matched = sorted(matching(session, topic))
    return evidence_of(session, filters, matched, _ranked(session, filters, matched, limit))


def ranking_with_evidence(
    session: Session, filters: Filters, topic: str, limit: int = 20, shown: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``experts`` and ``expert_evidence`` at once (the topic matched once); with
    ``shown``, only each person's first ``shown`` pieces (see ``evidence_of``)."""
    matched = sorted(matching(session, topic))
    ranked = _ranked(session, filters, matched, limit)
    return ranked, evidence_of(session, filters, matched, ranked, shown)


def evidence_of(
    session: Session,
    filters: Filters,
    matched: Sequence[str],
    ranked: pd.DataFrame,
    shown: int | None = None,
) -> pd.DataFrame:
    """The pieces of evidence of the ranked people, in their rank, most points first.
    With ``shown``, each person's first ``shown`` pieces only, with a ``pieces`` column
    (how many the person has in all): the names and links are made for those alone (a
    person can have hundreds of pieces on a broad topic)."""
    if ranked.empty:
        return pd.DataFrame(columns=[*EVIDENCE_COLUMNS, *(["pieces"] if shown is not None else [])])
    people = ranked["actor_key"].tolist()
    columns = ["actor_key", "activity_id", "top", "statements", "last_day"]
    frames = []
    for kinds, query in (
        (("passed", "completed"), _formal_evidence(filters, matched, people)),
        (("wrote", "edited"), _writing_evidence(filters, matched, people)),
        (("commented", "commented"), _comment_evidence(filters, matched, people)),
    ):
        frame = read_frame(session, query, columns)
        frame["evidence"] = [kinds[0] if top else kinds[1] for top in frame["top"]]
        frames.append(frame)
    evidence = pd.concat(frames, ignore_index=True)
    evidence["statements"] = evidence["statements"].astype("int64")
    evidence["points"] = [
        WEIGHTS[kind] * (min(n, COMMENTS_COUNTED) if kind == "commented" else 1)
        for kind, n in zip(evidence["evidence"], evidence["statements"], strict=True)
    ]
    order = dict(zip(ranked["actor_key"], ranked["rank"], strict=True))
    evidence["rank"] = evidence["actor_key"].map(order)
    evidence = evidence.sort_values(["rank", "points", "activity_id"],
                                    ascending=[True, False, True])  # fmt: skip
    pieces = evidence.groupby("rank", sort=False)["rank"].transform("size").astype("int64")
    if shown is not None:
        evidence = evidence.assign(pieces=pieces).groupby("rank", sort=False).head(shown)
    evidence = evidence.reset_index(drop=True)
    evidence["last_day"] = [_day(v) for v in evidence["last_day"]]
    names = activity_names(session, sorted(set(evidence["activity_id"])))
    evidence["name"] = evidence["actor_key"].map(dict(zip(ranked["actor_key"], ranked["name"],
                                                          strict=True)))  # fmt: skip
    evidence["activity_name"] = [names.get(a, a) for a in evidence["activity_id"]]
    evidence["explorer_query"] = to_queries(
        {"person": k, "activity": a}
        for k, a in zip(evidence["actor_key"], evidence["activity_id"], strict=True)
    )
    return evidence[[*EVIDENCE_COLUMNS, *(["pieces"] if shown is not None else [])]]


def _day(value: Any) -> dt.date | None:
    """A day read from either database (SQLite answers aggregates of dates as text)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
