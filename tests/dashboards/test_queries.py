"""Every query function against SQLite and PostgreSQL, on data with known answers."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboards import queries
from dashboards.filters import Filters
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from lrs.store.models import DailyActivity, LearningFact
from statements.vocabulary import Verbs
from tests.dashboards.data import (
    COMMENT,
    POST,
    PYTHON,
    QUESTION,
    SAFETY,
    TODAY,
    WIKI_PAGE,
    actor_key,
)

ALL = Filters()


def by(frame: Any, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in frame.to_dict("records")}


def test_summary_counts_every_non_voided_statement(session: Session) -> None:
    row = queries.summary(session, ALL).iloc[0].to_dict()
    assert row == {"statements": 20, "formal": 10, "informal": 10, "other": 0,
                   "people": 5, "activities": 7}  # fmt: skip


def test_summary_from_facts_matches_rollup_under_person_filter(session: Session) -> None:
    row = queries.summary(session, Filters(person=actor_key("ann"))).iloc[0]
    assert (row["statements"], row["formal"], row["informal"], row["people"]) == (8, 5, 3, 1)


def test_filters_narrow_every_dimension(session: Session) -> None:
    assert queries.count_facts(session, Filters(kind="formal")) == 10
    assert queries.count_facts(session, Filters(team="Beta")) == 7
    assert queries.count_facts(session, Filters(platform="wiki")) == 3
    assert queries.count_facts(session, Filters(verb=Verbs.VIEWED)) == 3
    assert queries.count_facts(session, Filters(activity=POST)) == 5  # incl. the comment
    days = Filters(start=dt.date(2026, 3, 6), end=dt.date(2026, 3, 7))
    assert queries.count_facts(session, days) == 5
    assert queries.count_facts(session, Filters.from_query("?kind=informal&team=Alpha")) == 4


def test_statements_over_time_by_day_and_kind(session: Session) -> None:
    frame = queries.statements_over_time(session, ALL)
    assert int(frame["statements"].sum()) == 20
    cells = {(str(r.day), r.source_kind): r.statements for r in frame.itertuples()}
    assert cells[("2026-03-02", "formal")] == 5
    assert cells[("2026-03-09", "informal")] == 3  # the voided view is not counted
    same = queries.statements_over_time(session, Filters(activity=SAFETY))
    assert int(same["statements"].sum()) == 8


def test_active_people_and_rhythm(session: Session) -> None:
    people = queries.active_people_over_time(session, ALL)
    assert {str(r.day): r.people for r in people.itertuples()}["2026-03-07"] == 3
    week = queries.rhythm(session, ALL)
    assert int(week["statements"].sum()) == 20
    # Mondays 2026-03-02 and 03-09: 09:00-09:35 (3 + 1), 10:00, 11:00-11:05, 12:00.
    monday = week[week["weekday"] == 1]
    assert dict(zip(monday["hour"], monday["statements"], strict=True)) == {
        9: 4,
        10: 1,
        11: 2,
        12: 1,
    }


def test_top_people_states_the_total(session: Session) -> None:
    frame = queries.top_people(session, ALL, limit=3)
    assert frame.attrs["total"] == 5
    assert list(frame["name"]) == ["Ann", "Ben", "Dan"]
    assert list(frame["statements"]) == [8, 4, 4]
    assert (int(frame.iloc[0]["formal"]), int(frame.iloc[0]["informal"])) == (5, 3)


def test_top_activities_and_verbs(session: Session) -> None:
    activities = queries.top_activities(session, ALL, limit=2)
    assert activities.attrs["total"] == 7
    assert list(activities["activity_id"]) == [SAFETY, POST]
    assert list(activities["statements"]) == [8, 4]
    verbs = queries.top_verbs(session, ALL, limit=2)
    assert verbs.attrs["total"] == 14
    assert list(verbs["verb_id"]) == [Verbs.LAUNCHED, Verbs.REGISTERED]
    assert list(verbs["statements"]) == [3, 3]


def test_course_funnel_and_rates(session: Session) -> None:
    frame = queries.course_funnel(session, ALL)
    assert frame.attrs["total"] == 2
    courses = by(frame, "course")
    safety, python = courses[SAFETY], courses[PYTHON]
    assert safety["name"] == "Safety basics"
    assert [safety[k] for k in ("enrolled", "started", "completed", "passed", "failed")] == [
        2, 2, 1, 1, 1,
    ]  # fmt: skip
    assert (safety["completion_rate"], safety["pass_rate"]) == (0.5, 0.5)
    assert [python[k] for k in ("enrolled", "started", "completed", "people")] == [1, 1, 0, 2]


def test_scores_and_time_spent(session: Session) -> None:
    scores = queries.score_distribution(session, ALL)
    assert dict(zip(scores["bucket"], scores["results"], strict=True)) == {0.4: 1, 0.9: 1}
    spent = queries.time_spent(session, ALL)
    assert spent.attrs["total"] == 1
    row = spent.iloc[0]
    assert (row["course"], row["people"], row["hours"], row["minutes_per_person"]) == (
        SAFETY, 1, 0.5, 30.0,
    )  # fmt: skip


def test_stalled_learners(session: Session) -> None:
    frame = queries.stalled(session, ALL, days=14, today=TODAY)
    assert frame.attrs["total"] == 3
    assert list(frame["name"]) == ["Ben", "Cat", "Dan"]
    assert list(frame["days_idle"]) == [28, 27, 27]
    assert queries.stalled(session, ALL, days=60, today=TODAY).attrs["total"] == 0


def test_contributions_and_participation(session: Session) -> None:
    frame = queries.contributions_over_time(session, ALL)
    totals = frame.groupby("concept")["statements"].sum().to_dict()
    assert totals == {"asked": 1, "authored": 1, "commented": 1, "created": 1, "edited": 1,
                      "liked": 1, "replied": 1}  # fmt: skip
    pyramid = by(queries.participation(session, ALL), "role")
    assert {k: (v["people"], v["contributions"]) for k, v in pyramid.items()} == {
        "contributors": (3, 6), "reactors": (1, 0), "readers": (1, 0),
    }  # fmt: skip
    shares = queries.contribution_shares(session, ALL)
    assert list(shares["contributions"]) == [3, 2, 1]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("read", {POST: 2, WIKI_PAGE: 1}),
        ("edited", {WIKI_PAGE: 1}),
        ("discussed", {POST: 1, QUESTION: 1}),
        ("reused", {POST: 2, WIKI_PAGE: 1}),
    ],
)
def test_top_content(session: Session, metric: str, expected: dict[str, int]) -> None:
    frame = queries.top_content(session, ALL, metric)
    assert dict(zip(frame["content_id"], frame["count"], strict=True)) == expected
    assert frame.attrs["total"] == len(expected)


def test_response_times(session: Session) -> None:
    frame = queries.response_times(session, ALL)
    hours = dict(zip(frame["content_id"], frame["hours"], strict=True))
    assert hours[POST] == 3.0
    assert hours[QUESTION] == 2.0
    assert math.isnan(hours[WIKI_PAGE])


def test_emerging_topics(session: Session) -> None:
    frame = queries.emerging_topics(session, ALL)
    assert frame.attrs["total"] == 2
    assert list(frame["tag"]) == ["python", "safety"]
    assert list(frame["recent"]) == [2, 1]


def test_team_mix(session: Session) -> None:
    frame = queries.team_mix(session, ALL)
    cells = {(r.team, r.source_kind): r.statements for r in frame.itertuples()}
    assert cells == {("(no team)", "informal"): 1, ("Alpha", "formal"): 8,
                     ("Alpha", "informal"): 4, ("Beta", "formal"): 2,
                     ("Beta", "informal"): 5}  # fmt: skip
    assert queries.team_mix(session, Filters(activity=POST))["statements"].sum() == 5


def test_contribution_vs_results(session: Session) -> None:
    frame = by(queries.contribution_vs_results(session, ALL), "name")
    assert set(frame) == {"Ann", "Ben"}
    assert (frame["Ann"]["contributions"], frame["Ann"]["mean_score"]) == (3, 0.9)
    assert frame["Ann"]["completions"] == 1
    assert (frame["Ben"]["contributions"], frame["Ben"]["mean_score"]) == (0, 0.4)
    assert frame["Ann"]["team"] == "Alpha"


def test_completion_to_contribution(session: Session) -> None:
    frame = queries.completion_to_contribution(session, ALL)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["actor_key"], row["tag"], row["days"]) == (actor_key("ann"), "safety", 3.0)


def test_knowledge_flow(session: Session) -> None:
    names = {actor_key(h): h for h in ("ann", "ben", "cat", "dan", "eve")}
    contribute = queries.knowledge_flow(session, ALL, "contribute")
    edges = {(names[s], names[t]): w for s, t, w in
             contribute[["source", "target", "weight"]].itertuples(index=False)}  # fmt: skip
    assert edges == {("cat", "ann"): 1, ("ben", "ann"): 1, ("ann", "cat"): 1, ("ann", "dan"): 1}
    assert contribute.attrs["total"] == 4
    learn = queries.knowledge_flow(session, ALL, "learn")
    edges = {(names[s], names[t]) for s, t in learn[["source", "target"]].itertuples(index=False)}
    assert edges == {("dan", "ann"), ("eve", "ann"), ("dan", "cat")}


def test_person_summary_and_timeline(session: Session) -> None:
    row = queries.person_summary(session, ALL, actor_key("ann")).iloc[0].to_dict()
    assert row["name"] == "Ann"
    assert [row[k] for k in ("statements", "formal", "informal", "courses_completed",
                              "courses_passed", "contributions")] == [8, 5, 3, 1, 1, 3]  # fmt: skip
    assert (row["mean_score"], row["hours_learning"]) == (0.9, 0.5)
    timeline = queries.person_timeline(session, ALL, actor_key("ann"))
    assert int(timeline["statements"].sum()) == 8


def test_explorer_pages_and_stream(session: Session) -> None:
    first = queries.fact_page(session, ALL, page=0, size=7)
    second = queries.fact_page(session, ALL, page=2, size=7)
    assert len(first) == 7 and len(second) == 6
    assert first.iloc[0]["concept"] == "replied"  # newest first
    rows = list(queries.iter_facts(session, Filters(kind="informal"), batch=3))
    assert len(rows) == 10
    assert {row[queries.FACT_COLUMNS.index("activity_id")] for row in rows} >= {POST, COMMENT}


def test_filter_options_and_people_search(session: Session) -> None:
    options = queries.filter_options(session)
    assert [value for value, _ in options["team"]] == ["Alpha", "Beta"]
    assert [value for value, _ in options["platform"]] == ["LMS", "blog", "forum", "wiki"]
    assert len(options["activity"]) == 7
    found = queries.people_options(session, "an")
    assert set(found["name"]) == {"Ann", "Dan"}


def test_rollup_follows_voiding(database: Database, seeded: dict[str, Any]) -> None:
    """Voiding removes a statement from the facts and from the daily rollup."""
    target = seeded["ids"][14]  # ben liked the post
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
    }
    store_statements(database, [voiding], version="1.0.3", principal=seeded["principal"])
    with database.reading() as session:
        facts = session.execute(select(func.count()).select_from(LearningFact)).scalar()
        rolled = session.execute(select(func.sum(DailyActivity.statements))).scalar()
        liked = session.execute(
            select(func.count()).select_from(DailyActivity).where(DailyActivity.concept == "liked")
        ).scalar()
    assert (facts, rolled, liked) == (19, 19, 0)


def test_rebuilt_rollup_equals_incremental(database: Database, seeded: dict[str, Any]) -> None:
    from lrs.store import facts

    def rows() -> list[tuple[Any, ...]]:
        with database.reading() as session:
            return [tuple(r) for r in session.execute(
                select(DailyActivity.__table__).order_by(*DailyActivity.__table__.primary_key)
            )]  # fmt: skip

    before = rows()
    with database.writing() as session:
        facts.rebuild_rollup(session)
    assert rows() == before
