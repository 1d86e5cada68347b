"""The dashboard rollups always equal a recomputation from the facts: after ingest, after
voiding (XAPI-00103: voided statements are not counted) and after a privacy erasure; the
content and tag rollups hold exactly the seeded organisation's informal facts, per day
and per month, and a question answered from them equals the same question on the facts."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from lrs.insight import activity, convergence, knowledge
from lrs.insight._sql import count_distinct, fact_conditions, months_within
from lrs.insight.filters import Filters
from lrs.services import privacy
from lrs.services.statements import store_statements
from lrs.store import facts
from lrs.store.engine import Database
from lrs.store.models import (
    ActivityDay,
    ActivityMonth,
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
    TagDay,
    TagMonth,
)
from statements.vocabulary import ActivityTypes, Verbs
from tests.lrs.insight.data import (
    FORUM_REPLY,
    POST,
    PYTHON,
    QUESTION,
    QUESTION_TYPE,
    WIKI_PAGE,
    actor_key,
)

ROLLUPS = (DailyActivity, ActorDay, CourseProgress, CourseLearner, HourlyActivity, ContentAuthor,
           ContentTag, ContributionTag, CompletionTag, ContentContributor, FilterValue, ContentDay,
           ContentMonth, TagDay, TagMonth, ContentUseMonth, ActorInformalMonth,
           ActorMonth, ActivityDay, ActivityMonth, ContentResponse)  # fmt: skip


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    with database.reading() as session:
        for model in ROLLUPS:
            columns = list(model.__table__.columns)
            rows = session.execute(select(*columns)).all()
            found[model.__tablename__] = sorted(
                tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows
            )
    return found


def assert_consistent(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    kept = snapshot(database)
    with database.writing() as session:
        facts.rebuild_rollups(session)
    assert kept == snapshot(database)
    return kept


def void(database: Database, seeded: dict[str, Any], index: int) -> None:
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": seeded["ids"][index]},
    }
    store_statements(database, [voiding], version="1.0.3", principal=seeded["principal"])


def test_rollups_equal_the_facts_after_ingest(database: Database, seeded: dict[str, Any]) -> None:
    rows = assert_consistent(database)
    assert sum(row[-1] for row in rows["daily_activity"]) == 20
    assert len(rows["content_author"]) == 3  # the post, the wiki page and the question


def test_rollups_equal_the_facts_after_voiding(database: Database, seeded: dict[str, Any]) -> None:
    void(database, seeded, 10)  # ann authored the post: its author is recomputed
    void(database, seeded, 4)  # ann passed the safety course: score and progress change
    void(database, seeded, 14)  # ben's like: a reaction and a filter value count
    rows = assert_consistent(database)
    assert POST not in {row[0] for row in rows["content_author"]}
    with database.reading() as session:
        assert session.execute(select(LearningFact.seq)).all()


def test_voiding_a_later_writing_of_a_content_keeps_its_first_author(
    database: Database, seeded: dict[str, Any]
) -> None:
    """The content keeps its row in content_author when the fact voided was not its
    author's (the row was inserted again beside itself: a unique violation, a 500)."""
    again = {
        "actor": {"objectType": "Agent", "mbox": "mailto:ben@example.com"},
        "verb": {"id": Verbs.AUTHORED, "display": {"en": "authored"}},
        "object": {"id": POST, "definition": {"type": ActivityTypes.BLOG}},
        "timestamp": "2030-01-01T00:00:00Z",
    }
    (later,) = store_statements(database, [again], version="1.0.3", principal=seeded["principal"])
    before = assert_consistent(database)["content_author"]
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": later},
    }
    store_statements(database, [voiding], version="1.0.3", principal=seeded["principal"])
    assert assert_consistent(database)["content_author"] == before


def test_rollups_equal_the_facts_after_privacy_forget(
    database: Database, seeded: dict[str, Any]
) -> None:
    privacy.forget(
        database, seeded["principal"], {"objectType": "Agent", "mbox": "mailto:ann@example.com"}
    )
    rows = assert_consistent(database)
    assert actor_key("ann") not in {row[1] for row in rows["actor_day"]}
    assert "Alpha" in {row[1] for row in rows["filter_value"] if row[0] == "team"}


def test_a_very_long_activity_iri_is_stored_and_counted_under_a_bounded_key(
    database: Database, seeded: dict[str, Any]
) -> None:
    """A 2,000-character IRI: the statement is stored whole, and its fact and rollups use
    a key of at most ``facts.KEY_BYTES`` bytes (start of the IRI plus its SHA-256), so that
    the facts' covering index entries fit PostgreSQL's B-tree limit."""
    tail = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(32))
    iri = f"http://wiki.example.com/pages/{tail}"[:2000]
    statement = {
        "actor": {"mbox": "mailto:long@example.com", "name": "Long"},
        "verb": {"id": "http://id.tincanapi.com/verb/viewed", "display": {"en": "viewed"}},
        "object": {"id": iri, "definition": {"name": {"en": "A page with a long address"}}},
    }
    store_statements(database, [statement], version="1.0.3", principal=seeded["principal"])
    key = facts.bounded_key(iri)
    assert key is not None and len(key.encode()) == facts.KEY_BYTES
    assert key.startswith("http://wiki.example.com/pages/")
    assert key.endswith("#sha256:" + hashlib.sha256(iri.encode()).hexdigest())
    with database.reading() as session:
        stored = session.execute(
            select(LearningFact.activity_id, LearningFact.content_id).where(
                LearningFact.actor_key == "mbox:mailto:long@example.com"
            )
        ).one()
        label = session.execute(
            select(FilterValue.label).where(FilterValue.value == key)
        ).scalar_one()
        # A filter on the IRI as given (in a shared URL) finds the fact under its key.
        chosen = Filters.from_query(urlencode({"activity": iri}))
        top = activity.top_activities(session, chosen)
    assert tuple(stored) == (key, key)
    assert label == "A page with a long address"
    assert top[["activity_id", "name", "statements"]].values.tolist() == [
        [key, "A page with a long address", 1]
    ]
    assert_consistent(database)


def test_course_learners_sum_each_pairs_days(database: Database, seeded: dict[str, Any]) -> None:
    """``course_learner`` holds one row per (course, person): the sums of its
    ``course_progress`` days, with the first and last day."""
    with database.reading() as session:
        progress = session.execute(
            select(
                CourseProgress.course,
                CourseProgress.actor_key,
                CourseProgress.day,
                CourseProgress.statements,
            )
        ).all()
        learners = session.execute(
            select(
                CourseLearner.course,
                CourseLearner.actor_key,
                CourseLearner.statements,
                CourseLearner.first_day,
                CourseLearner.last_day,
            )
        ).all()
    expected: dict[tuple[str, str], list[Any]] = {}
    for course, actor, day, statements in progress:
        found = expected.setdefault((course, actor), [0, day, day])
        found[0] += statements
        found[1], found[2] = min(found[1], day), max(found[2], day)
    assert learners and {(c, a): [n, f, last] for c, a, n, f, last in learners} == expected


def test_course_learners_keep_each_pairs_first_completions_and_the_name_of_its_completion_days(
    database: Database, seeded: dict[str, Any]
) -> None:
    """``course_learner`` keeps each pair's first completion on the course itself and on
    it or any part, and the greatest name of its days with a completion, on ingest as a
    rebuild writes them: a later statement of such a day, with no completion but another
    name, raises that day's name; a day without a completion gives none."""
    module = {"id": PYTHON + "/module-1", "definition": {"type": ActivityTypes.MODULE}}
    python = {"id": PYTHON, "definition": {"type": ActivityTypes.COURSE}}

    def send(verb: str, object_: dict[str, Any], when: str, name: str) -> None:
        made: dict[str, Any] = {
            "actor": {"objectType": "Agent", "name": name, "mbox": "mailto:dan@example.com"},
            "verb": {"id": verb},
            "object": object_,
            "timestamp": f"2026-03-{when}:00Z",
        }
        if object_ is module:
            made["context"] = {"contextActivities": {"parent": [python]}}
        store_statements(database, [made], version="1.0.3", principal=seeded["principal"])

    send(Verbs.COMPLETED, module, "12T09:00", "Dan")  # a part first
    send(Verbs.LAUNCHED, python, "12T10:00", "Dan Z")  # the same day, no completion
    send(Verbs.LAUNCHED, python, "13T10:00", "Dan ZZ")  # a day without a completion
    send(Verbs.PASSED, python, "14T11:00", "Dan A")  # the course itself
    send(Verbs.COMPLETED, python, "14T10:00", "Dan B")  # earlier, stored later
    rows = assert_consistent(database)["course_learner"]
    L = CourseLearner
    with database.reading() as session:
        found = session.execute(
            select(L.completed_at, L.part_completed_at, L.completed_name).where(
                L.course == PYTHON, L.actor_key == actor_key("dan")
            )
        ).one()
    assert tuple(found) == (
        dt.datetime(2026, 3, 14, 10, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC),
        "Dan Z",
    )
    never = [row for row in rows if row[1] == actor_key("cat")]
    assert never and all(row[-3:] == (None, None, None) for row in never)


def test_the_all_time_knowledge_flow_from_content_response_equals_the_facts(
    database: Database, seeded: dict[str, Any]
) -> None:
    """The all-time "who responds to whose content" reads ``content_response`` (a row per
    person and content); a range over every day reads the facts: the same edges, before
    and after a like is voided (XAPI-00103)."""
    every_day = Filters(start=dt.date(2000, 1, 1))

    def flows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        with database.reading() as session:
            rolled = convergence.knowledge_flow(session, Filters())
            counted = convergence.knowledge_flow(session, every_day)
        assert rolled.attrs["total"] == counted.attrs["total"]
        assert list(rolled.dtypes) == list(counted.dtypes)
        return rolled.to_dict("records"), counted.to_dict("records")

    rolled, counted = flows()
    assert rolled == counted
    assert {(row["source"], row["target"]) for row in rolled} == {
        (actor_key("cat"), actor_key("ann")),  # a comment on ann's post
        (actor_key("ben"), actor_key("ann")),  # a like of it
        (actor_key("ann"), actor_key("cat")),  # an edit of cat's page
        (actor_key("ann"), actor_key("dan")),  # a reply to dan's question
    }
    void(database, seeded, 14)  # ben's like
    rolled, counted = flows()
    assert rolled == counted and len(rolled) == 3


MARCH = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 1)
ARTICLE, PAGE, COMMENT = ActivityTypes.ARTICLE, ActivityTypes.PAGE, ActivityTypes.COMMENT
CONTENT_DAYS = [
    # (day of March, content, team, concept, the fact's own activity type)
    (6, POST, "Alpha", "authored", ARTICLE),
    (6, POST, "Beta", "commented", COMMENT),  # a comment counts on the post it is on
    (7, POST, "", "viewed", ARTICLE),
    (7, POST, "Alpha", "liked", ARTICLE),
    (7, POST, "Beta", "viewed", ARTICLE),
    (8, WIKI_PAGE, "Alpha", "edited", PAGE),
    (8, WIKI_PAGE, "Beta", "created", PAGE),
    (9, QUESTION, "Alpha", "replied", FORUM_REPLY),
    (9, QUESTION, "Beta", "asked", QUESTION_TYPE),
    (9, WIKI_PAGE, "Beta", "viewed", PAGE),  # eve's view of the page was voided
]
"""The seeded organisation's informal facts on content, one each (XAPI-00103)."""


def test_content_and_tag_rollups_hold_the_informal_facts_per_day_and_month(
    database: Database, seeded: dict[str, Any]
) -> None:
    rows = assert_consistent(database)
    assert rows["content_day"] == sorted(
        (MARCH.replace(day=d), content, team, concept, kind, 1)
        for d, content, team, concept, kind in CONTENT_DAYS
    )
    assert rows["content_month"] == sorted(
        (MARCH, content, team, concept, kind, 1) for _, content, team, concept, kind in CONTENT_DAYS
    )
    # Informal facts' tags only: ann's completion of the safety course is formal.
    assert rows["tag_day"] == [
        (MARCH.replace(day=6), "Alpha", "safety", 1),
        (MARCH.replace(day=8), "Alpha", "python", 1),
        (MARCH.replace(day=8), "Beta", "python", 1),
    ]
    assert rows["tag_month"] == [(MARCH, "Alpha", "python", 1), (MARCH, "Alpha", "safety", 1),
                                 (MARCH, "Beta", "python", 1)]  # fmt: skip


def test_voiding_takes_facts_out_of_the_content_and_tag_rollups(
    database: Database, seeded: dict[str, Any]
) -> None:
    """XAPI-00103: voiding dan's view of the post and ann's edit of the page (tagged)
    removes their rows by day and their counts by month."""
    void(database, seeded, 12)  # dan viewed the post (Beta, March 7)
    void(database, seeded, 16)  # ann edited the wiki page, tagged python (Alpha, March 8)
    rows = assert_consistent(database)
    voided = {(7, POST, "Beta", "viewed", ARTICLE), (8, WIKI_PAGE, "Alpha", "edited", PAGE)}
    kept = [row for row in CONTENT_DAYS if row not in voided]
    assert len(kept) == 8
    assert rows["content_day"] == sorted(
        (MARCH.replace(day=d), content, team, concept, kind, 1)
        for d, content, team, concept, kind in kept
    )
    assert rows["tag_day"] == [
        (MARCH.replace(day=6), "Alpha", "safety", 1),
        (MARCH.replace(day=8), "Beta", "python", 1),
    ]
    assert rows["tag_month"] == [(MARCH, "Alpha", "safety", 1), (MARCH, "Beta", "python", 1)]


def test_two_facts_of_one_month_are_one_monthly_row_and_voiding_one_leaves_the_other(
    database: Database, seeded: dict[str, Any]
) -> None:
    """Dan views the post again on March 20, in the same month and team as his view of
    March 7: two daily rows, one monthly row counting 2; voided, the month counts 1."""
    again = {
        "actor": {"mbox": "mailto:dan@example.com", "name": "Dan"},
        "verb": {"id": Verbs.VIEWED, "display": {"en": "viewed"}},
        "object": {"id": POST, "definition": {"type": ARTICLE, "name": {"en": "Safety tips"}}},
        "timestamp": "2026-03-20T09:00:00Z",
        "context": {
            "platform": "blog",
            "team": {"objectType": "Group", "name": "Beta",
                     "account": {"homePage": "http://example.com", "name": "beta"}},
        },
    }  # fmt: skip
    [added] = store_statements(database, [again], version="1.0.3", principal=seeded["principal"])
    key = (POST, "Beta", "viewed", ARTICLE)
    rows = assert_consistent(database)
    assert [row[0] for row in rows["content_day"] if row[1:5] == key] == [
        MARCH.replace(day=7),
        MARCH.replace(day=20),
    ]
    assert [row for row in rows["content_month"] if row[1:5] == key] == [(MARCH, *key, 2)]
    void(database, {**seeded, "ids": [added]}, 0)
    rows = assert_consistent(database)
    assert [row for row in rows["content_month"] if row[1:5] == key] == [(MARCH, *key, 1)]


def test_months_within_a_range_and_the_days_at_its_ends() -> None:
    day = dt.date
    assert months_within(None, None) == ((None, None), [])
    assert months_within(day(2026, 8, 27), day(2026, 11, 24)) == (
        (day(2026, 9, 1), day(2026, 10, 1)),
        [(day(2026, 8, 27), day(2026, 8, 31)), (day(2026, 11, 1), day(2026, 11, 24))],
    )
    assert months_within(day(2026, 2, 1), day(2026, 2, 28)) == (
        (day(2026, 2, 1), day(2026, 2, 1)),
        [],
    )
    assert months_within(day(2026, 3, 5), day(2026, 3, 9)) == (
        None,
        [(day(2026, 3, 5), day(2026, 3, 9))],
    )
    assert months_within(day(2026, 3, 5), day(2026, 4, 2)) == (
        None,
        [(day(2026, 3, 5), day(2026, 4, 2))],
    )
    assert months_within(None, day(2026, 3, 9)) == (
        (None, day(2026, 2, 1)),
        [(day(2026, 3, 1), day(2026, 3, 9))],
    )
    assert months_within(day(2025, 12, 31), None) == (
        (day(2026, 1, 1), None),
        [(day(2025, 12, 31), day(2025, 12, 31))],
    )


RANGES = [(None, None), ("2026-03-07", "2026-03-08"), ("2026-02-15", "2026-04-10"),
          ("2026-03-01", "2026-03-31"), ("2026-03-08", None), (None, "2026-03-07")]  # fmt: skip


def test_rankings_and_topics_from_the_rollups_equal_those_from_the_facts(
    database: Database, seeded: dict[str, Any]
) -> None:
    """Day ranges of whole months, of days only, and of both; a team: the rollups answer
    as the facts do (``kind="informal"`` sends the same question to the facts)."""
    with database.reading() as session:
        for start, end in RANGES:
            for team in (None, "Beta"):
                filters = Filters(
                    start=start and dt.date.fromisoformat(start),
                    end=end and dt.date.fromisoformat(end),
                    team=team,
                )
                on_facts = filters.replace(kind="informal")
                for metric, content in (("read", "any"), ("read", "posts"), ("read", "pages"),
                                        ("edited", "any"), ("discussed", "any"),
                                        ("reused", "any")):  # fmt: skip
                    rolled = knowledge.top_content(session, filters, metric, content=content)
                    direct = knowledge.top_content(session, on_facts, metric, content=content)
                    assert rolled.to_dict("records") == direct.to_dict("records")
                    assert rolled.attrs["total"] == direct.attrs["total"]
                rolled = knowledge.emerging_topics(session, filters, recent_days=2)
                direct = knowledge.emerging_topics(session, on_facts, recent_days=2)
                assert rolled.to_dict("records") == direct.to_dict("records")
                assert rolled.attrs["total"] == direct.attrs["total"]
                for people in (knowledge.participation, knowledge.contribution_shares,
                               knowledge.top_contributors):  # fmt: skip
                    rolled = people(session, filters)
                    direct = people(session, on_facts)
                    assert rolled.to_dict("records") == direct.to_dict("records")
                    assert rolled.attrs.get("total") == direct.attrs.get("total")
        everything = knowledge.top_content(session, Filters(), "read")
        posts = knowledge.top_content(session, Filters(), "read", content="posts")
        topics = knowledge.emerging_topics(session, Filters(), recent_days=2)
    assert everything[["content_id", "count"]].values.tolist() == [[POST, 2], [WIKI_PAGE, 1]]
    assert posts[["content_id", "count"]].values.tolist() == [[POST, 2]]
    # The last two days (March 8 and 9) hold both python facts; safety is older.
    assert topics[["tag", "recent", "earlier"]].values.tolist() == [["python", 2, 0]]
    assert topics.attrs["total"] == 2


def test_activity_rollups_answer_the_overview_as_the_facts_do(
    database: Database, seeded: dict[str, Any]
) -> None:
    """Day ranges of whole months, of days only, and of both, with and without a kind:
    the most used activities and the distinct activities counted from ``activity_day``
    and ``activity_month`` equal those grouped from the facts; voiding one moves both."""
    for voided in (False, True):
        if voided:
            void(database, seeded, 12)  # dan viewed the post (March 7)
        with database.reading() as session:
            for start, end in RANGES[1:]:
                for kind in (None, "informal", "formal"):
                    filters = Filters(
                        start=start and dt.date.fromisoformat(start),
                        end=end and dt.date.fromisoformat(end),
                        kind=kind,
                    )
                    assert activity.uses_activity_rollup(filters)
                    rolled = activity.top_activities(session, filters, limit=3)
                    direct = activity._top_activities_of_facts(session, filters, 3)
                    assert rolled.to_dict("records") == direct.to_dict("records")
                    assert rolled.attrs["total"] == direct.attrs["total"]
                    conditions = fact_conditions(filters)
                    distinct = count_distinct(session, LearningFact.activity_id, conditions)
                    summary = activity.summary(session, filters)
                    assert summary["activities"].tolist() == [distinct]
