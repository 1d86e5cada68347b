"""Merging and splitting persons: one human under four identifiers (an LMS account, a
blog's mbox, a wiki account, a mobile app's mbox_sha1sum). Before the merge the
dashboards count four people, after it one with every number computed by hand, and the
split restores every earlier number exactly; facts and rollups always equal a
recomputation from scratch."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
import sqlalchemy as sa

from lrs.errors import BadRequest, Forbidden, NotFound
from lrs.insight.filters import Filters
from lrs.insight.registry import AGGREGATES
from lrs.services import persons
from lrs.services import statements as statement_service
from lrs.services.principal import OPERATOR, Principal
from lrs.store import facts as fact_store
from lrs.store import persons as person_store
from lrs.store.engine import Database
from lrs.store.models import (
    ActivityDay,
    ActivityMonth,
    ActorDay,
    ActorInformalMonth,
    ActorMonth,
    CompletionTag,
    ContentAuthor,
    ContentDay,
    ContentMonth,
    ContentUseMonth,
    ContributionTag,
    CourseLearner,
    CourseProgress,
    DailyActivity,
    FilterValue,
    HourlyActivity,
    LearningFact,
    LearningFactTag,
    Statement,
    TagDay,
    TagMonth,
)
from statements.vocabulary import ActivityTypes, Verbs, learning_fact

LMS = "https://lms.example.com"
WIKI = "https://wiki.example.com"
MOBILE_SHA1 = hashlib.sha1(b"mailto:grace.phone@example.com").hexdigest()
GRACE = {
    "lms": {"name": "Grace Hopper", "account": {"homePage": LMS, "name": "10482"}},
    "blog": {"name": "Grace", "mbox": "mailto:grace@example.com"},
    "wiki": {"name": "GraceH", "account": {"homePage": WIKI, "name": "GraceH"}},
    "mobile": {"name": "Grace (phone)", "mbox_sha1sum": MOBILE_SHA1},
}
KEYS = {
    "lms": f"account:{LMS}|10482",
    "blog": "mbox:mailto:grace@example.com",
    "wiki": f"account:{WIKI}|GraceH",
    "mobile": f"mbox_sha1sum:{MOBILE_SHA1}",
}
BOB = {"name": "Bob", "account": {"homePage": LMS, "name": "20001"}}
BOB_KEY = f"account:{LMS}|20001"
COURSE = "https://lms.example.com/courses/python"
BOB_POST = "https://blog.example.com/posts/bob-1"


def _activity(iri: str, kind: str, name: str) -> dict[str, Any]:
    return {"id": iri, "definition": {"type": kind, "name": {"en-US": name}}}


def _statement(actor: dict[str, Any], verb: str, target: dict[str, Any], day: int,
               **extra: Any) -> dict[str, Any]:  # fmt: skip
    when = dt.datetime(2026, 11, day, 10, tzinfo=dt.UTC).isoformat()
    return {"actor": actor, "verb": {"id": verb}, "object": target, "timestamp": when, **extra}


def known_data_set() -> list[dict[str, Any]]:
    """Grace: 3 formal statements in the LMS (registered, passed with 0.8, completed),
    2 blog contributions (a post, a comment on Bob's), 2 wiki edits, 1 view on her phone.
    Bob: registered, completed with 0.6, his post."""
    course = _activity(COURSE, ActivityTypes.COURSE, "Python")
    post = _activity(BOB_POST, ActivityTypes.ARTICLE, "Bob's post")
    own_post = _activity("https://blog.example.com/posts/grace-1", ActivityTypes.ARTICLE, "Mine")
    page = _activity("https://wiki.example.com/Compilers", ActivityTypes.WIKI, "Compilers")
    comment = _activity("https://blog.example.com/comments/9", ActivityTypes.COMMENT, "Re")
    on_post = {"contextActivities": {"parent": [{"id": BOB_POST}]}}
    return [
        _statement(BOB, Verbs.AUTHORED, post, 1),
        _statement(GRACE["lms"], "http://adlnet.gov/expapi/verbs/registered", course, 2),
        _statement(BOB, "http://adlnet.gov/expapi/verbs/registered", course, 2),
        _statement(GRACE["lms"], Verbs.PASSED, course, 3,
                   result={"score": {"scaled": 0.8}, "success": True}),
        _statement(GRACE["lms"], Verbs.COMPLETED, course, 3, result={"completion": True}),
        _statement(BOB, Verbs.COMPLETED, course, 4,
                   result={"completion": True, "score": {"scaled": 0.6}}),
        _statement(GRACE["blog"], Verbs.AUTHORED, own_post, 4),
        _statement(GRACE["blog"], Verbs.COMMENTED, comment, 5, context=on_post),
        _statement(GRACE["wiki"], Verbs.EDITED, page, 5),
        _statement(GRACE["wiki"], Verbs.EDITED, page, 6),
        _statement(GRACE["mobile"], Verbs.VIEWED, post, 6),
    ]  # fmt: skip


@pytest.fixture
def grace(database: Database) -> Database:
    statement_service.store_statements(
        database, known_data_set(), version="1.0.3", principal=OPERATOR
    )
    return database


def person_id(database: Database, key: str) -> int:
    with database.reading() as session:
        person = person_store.by_identifier(session, key)
        assert person is not None
        return person.id


def merge_grace(database: Database) -> int:
    """Merge the blog, wiki and mobile persons into the LMS one; the merges' audit ids."""
    keep = person_id(database, KEYS["lms"])
    changes = []
    for side in ("blog", "wiki", "mobile"):
        merged = persons.merge(database, OPERATOR, keep, person_id(database, KEYS[side]))
        changes.append(merged["changes"][0]["id"])
    assert merged["id"] == keep
    return keep


# --- recomputation from scratch ----------------------------------------------------------

ROLLUPS = (LearningFact, LearningFactTag, ActorDay, CourseProgress, CourseLearner, ContentAuthor,
           DailyActivity, HourlyActivity, FilterValue, ContentDay, ContentMonth, TagDay,
           TagMonth, ContentUseMonth, ActorInformalMonth, ActorMonth, ContributionTag,
           CompletionTag, ActivityDay, ActivityMonth)  # fmt: skip


def _rows(session: Any, model: Any) -> list[tuple[Any, ...]]:
    columns = list(model.__table__.columns)
    found = []
    for row in session.execute(sa.select(*columns)):
        found.append(tuple(round(v, 9) if isinstance(v, float) else v for v in row))
    return sorted(found, key=repr)


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.reading() as session:
        return {model.__tablename__: _rows(session, model) for model in ROLLUPS}


def from_scratch(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Facts and rollups computed anew from the stored statements and the persons (in a
    transaction that is rolled back)."""
    with database.writing() as session:
        session.execute(sa.delete(LearningFactTag))
        session.execute(sa.delete(LearningFact))
        stored = session.execute(
            sa.select(Statement.seq, Statement.payload)
            .where(Statement.voided.is_(False))
            .order_by(Statement.seq)
        ).all()
        pairs = [(payload, learning_fact(payload)) for _, payload in stored]
        persons.count_as_persons(session, pairs, dt.datetime.now(dt.UTC))
        fact_store.record(
            session, [(seq, f) for (seq, _), (_, f) in zip(stored, pairs, strict=True) if f]
        )
        fact_store.rebuild_rollups(session)
        found = {model.__tablename__: _rows(session, model) for model in ROLLUPS}
        session.rollback()
    return found


def dashboards(database: Database) -> dict[str, Any]:
    """Every published aggregate without filters (and the person summary of each person)."""
    found: dict[str, Any] = {}
    with database.reading() as session:
        for name, entry in AGGREGATES.items():
            if entry.needs or entry.required:
                continue
            found[name] = _records(entry.run(session, Filters()))
        for key in [*KEYS.values(), BOB_KEY]:
            summary = AGGREGATES["person_summary"].run(session, Filters(person=key))
            found[f"person_summary {key}"] = _records(summary)
    return found


def _records(frame: Any) -> list[dict[str, Any]]:
    # Through JSON, so that missing values (NaN, NaT) compare equal.
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return records


def _row(frame: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(row for row in frame if row["actor_key"] == key)


# --- tests ---------------------------------------------------------------------------------


def test_before_the_merge_the_dashboards_count_four_people(grace: Database) -> None:
    numbers = dashboards(grace)
    assert numbers["summary"][0]["people"] == 5
    top = numbers["top_people"]
    assert [(_row(top, KEYS[s])["statements"]) for s in ("lms", "blog", "wiki", "mobile")] == [
        3, 2, 2, 1,
    ]  # fmt: skip
    results = numbers["contribution_vs_results"]
    assert _row(results, KEYS["lms"])["contributions"] == 0
    assert snapshot(grace) == from_scratch(grace)


def test_after_the_merge_every_number_is_one_persons(grace: Database) -> None:
    """Hand-computed: Grace has 3 + 2 + 2 + 1 = 8 statements, 3 formal and 5 informal,
    4 contributions (post, comment, two edits), one course completed and passed with a
    mean score of 0.8; with Bob that makes 2 people."""
    merge_grace(grace)
    numbers = dashboards(grace)
    assert numbers["summary"][0]["people"] == 2
    assert numbers["summary"][0]["statements"] == 11
    top = numbers["top_people"]
    assert [row["actor_key"] for row in top] == [KEYS["lms"], BOB_KEY]
    assert {k: _row(top, KEYS["lms"])[k] for k in ("statements", "formal", "informal")} == {
        "statements": 8, "formal": 3, "informal": 5,
    }  # fmt: skip
    summary = numbers[f"person_summary {KEYS['lms']}"][0]
    assert summary["statements"] == 8
    assert (summary["formal"], summary["informal"]) == (3, 5)
    assert (summary["courses_completed"], summary["courses_passed"]) == (1, 1)
    assert summary["mean_score"] == pytest.approx(0.8)
    assert summary["contributions"] == 4
    for side in ("blog", "wiki", "mobile"):
        assert numbers[f"person_summary {KEYS[side]}"][0]["statements"] == 0
    results = _row(numbers["contribution_vs_results"], KEYS["lms"])
    assert (results["contributions"], results["completions"]) == (4, 1)
    assert results["mean_score"] == pytest.approx(0.8)
    shares = {row["actor_key"]: row["contributions"] for row in numbers["contribution_shares"]}
    assert shares == {KEYS["lms"]: 4, BOB_KEY: 1}
    funnel = numbers["course_funnel"][0]
    assert (funnel["enrolled"], funnel["completed"], funnel["passed"]) == (2, 2, 1)
    assert snapshot(grace) == from_scratch(grace)


def test_splitting_restores_every_number_exactly(grace: Database) -> None:
    before = dashboards(grace)
    facts_before = snapshot(grace)
    keep = merge_grace(grace)
    shown = persons.show(grace, OPERATOR, keep)
    assert {i["key"] for i in shown["identifiers"]} == set(KEYS.values())
    assert shown["statements"] == 8
    for change in [c for c in shown["changes"] if c["action"] == "merge"]:
        persons.undo(grace, OPERATOR, change["id"])
        assert snapshot(grace) == from_scratch(grace)
    assert dashboards(grace) == before
    assert snapshot(grace) == facts_before
    with grace.reading() as session:
        names = {p.key: p.name for p in person_store.all_persons(session)}
    assert names[KEYS["wiki"]] == "GraceH"


def test_a_split_of_the_persons_own_key_moves_its_other_facts(grace: Database) -> None:
    """Splitting off the identifier a person is counted under: the person is counted
    under its first remaining identifier and every fact follows exactly."""
    keep = merge_grace(grace)
    new = persons.split(grace, OPERATOR, keep, [KEYS["lms"], KEYS["mobile"]])
    assert new["key"] == KEYS["lms"]
    assert {i["key"] for i in new["identifiers"]} == {KEYS["lms"], KEYS["mobile"]}
    assert new["statements"] == 4
    rest = persons.show(grace, OPERATOR, keep)
    assert rest["key"] == KEYS["wiki"]  # the first remaining, in key order
    assert rest["statements"] == 4
    assert snapshot(grace) == from_scratch(grace)
    top = dashboards(grace)["top_people"]
    assert _row(top, KEYS["wiki"])["statements"] == 4
    assert _row(top, KEYS["lms"])["statements"] == 4


def test_statements_after_a_merge_count_for_the_person(grace: Database) -> None:
    keep = merge_grace(grace)
    later = _statement(GRACE["wiki"], Verbs.EDITED, {"id": "https://wiki.example.com/X"}, 7)
    statement_service.store_statements(grace, [later], version="1.0.3", principal=OPERATOR)
    assert persons.show(grace, OPERATOR, keep)["statements"] == 9
    assert snapshot(grace) == from_scratch(grace)


def test_bad_merges_and_splits_are_refused(grace: Database) -> None:
    lms, blog = person_id(grace, KEYS["lms"]), person_id(grace, KEYS["blog"])
    with pytest.raises(BadRequest):
        persons.merge(grace, OPERATOR, lms, lms)
    with pytest.raises(NotFound):
        persons.merge(grace, OPERATOR, lms, 10**9)
    with pytest.raises(BadRequest):
        persons.split(grace, OPERATOR, lms, [KEYS["lms"]])  # its only identifier
    with pytest.raises(BadRequest):
        persons.split(grace, OPERATOR, lms, [KEYS["blog"]])  # not its identifier
    reader = Principal(1, "k", "reader", frozenset({"statements/read"}), {}, "")
    with pytest.raises(Forbidden):
        persons.merge(grace, reader, lms, blog)
    assert snapshot(grace) == from_scratch(grace)
