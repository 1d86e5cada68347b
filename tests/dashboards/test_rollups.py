"""The dashboard rollups always equal a recomputation from the facts: after ingest, after
voiding (XAPI-00103: voided statements are not counted) and after a privacy erasure."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from lrs.insight import activity
from lrs.insight.filters import Filters
from lrs.services import privacy
from lrs.services.statements import store_statements
from lrs.store import facts
from lrs.store.engine import Database
from lrs.store.models import (
    ActorDay,
    ContentAuthor,
    ContentContributor,
    ContentTag,
    CourseLearner,
    CourseProgress,
    DailyActivity,
    FilterValue,
    HourlyActivity,
    LearningFact,
)
from statements.vocabulary import Verbs
from tests.lrs.insight.data import POST, actor_key

ROLLUPS = (DailyActivity, ActorDay, CourseProgress, CourseLearner, HourlyActivity, ContentAuthor,
           ContentTag, ContentContributor, FilterValue)  # fmt: skip


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
