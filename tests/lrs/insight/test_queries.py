"""Every query function against SQLite and PostgreSQL, on data with known answers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from lrs.insight import _sql, activity, convergence, courses, knowledge, people
from lrs.insight.filters import Filters
from lrs.insight.scope import Scope
from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.dialects import read_time
from lrs.store.engine import Database
from lrs.store.models import DailyActivity, LearningFact, UTCDateTime
from statements.vocabulary import ActivityTypes, Verbs
from tests.lrs.insight import more_data
from tests.lrs.insight.data import (
    COMMENT,
    POST,
    PYTHON,
    QUESTION,
    SAFETY,
    TODAY,
    WIKI_PAGE,
    actor_key,
    statement,
)
from tests.lrs.insight.more_data import (
    DRILL,
    ETHICS,
    FAQ,
    FAQ_COMMENT,
    GUIDE,
    GUIDE_COMMENT,
    NOTE,
    PRIVACY,
)

ALL = Filters()


def by(frame: Any, key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in frame.to_dict("records")}


def test_summary_counts_every_non_voided_statement(session: Session) -> None:
    row = activity.summary(session, ALL).iloc[0].to_dict()
    assert row == {"statements": 20, "formal": 10, "informal": 10, "other": 0,
                   "people": 5, "activities": 7}  # fmt: skip


def test_summary_from_facts_matches_rollup_under_person_filter(session: Session) -> None:
    row = activity.summary(session, Filters(person=actor_key("ann"))).iloc[0]
    assert (row["statements"], row["formal"], row["informal"], row["people"]) == (8, 5, 3, 1)


def test_filters_narrow_every_dimension(session: Session) -> None:
    assert activity.count_facts(session, Filters(kind="formal")) == 10
    assert activity.count_facts(session, Filters(team="Beta")) == 7
    assert activity.count_facts(session, Filters(platform="wiki")) == 3
    assert activity.count_facts(session, Filters(verb=Verbs.VIEWED)) == 3
    assert activity.count_facts(session, Filters(activity=POST)) == 5  # incl. the comment
    days = Filters(start=dt.date(2026, 3, 6), end=dt.date(2026, 3, 7))
    assert activity.count_facts(session, days) == 5
    assert activity.count_facts(session, Filters.from_query("?kind=informal&team=Alpha")) == 4


def test_statements_over_time_by_day_and_kind(session: Session) -> None:
    frame = activity.statements_over_time(session, ALL)
    assert int(frame["statements"].sum()) == 20
    cells = {(str(r.day), r.source_kind): r.statements for r in frame.itertuples()}
    assert cells[("2026-03-02", "formal")] == 5
    assert cells[("2026-03-09", "informal")] == 3  # the voided view is not counted
    same = activity.statements_over_time(session, Filters(activity=SAFETY))
    assert int(same["statements"].sum()) == 8


def test_active_people_and_rhythm(session: Session) -> None:
    active = activity.active_people_over_time(session, ALL)
    assert {str(r.day): r.people for r in active.itertuples()}["2026-03-07"] == 3
    week = activity.rhythm(session, ALL)
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
    frame = people.top_people(session, ALL, limit=3)
    assert frame.attrs["total"] == 5
    assert list(frame["name"]) == ["Ann", "Ben", "Dan"]
    assert list(frame["statements"]) == [8, 4, 4]
    assert (int(frame.iloc[0]["formal"]), int(frame.iloc[0]["informal"])) == (5, 3)


def test_top_activities_and_verbs(session: Session) -> None:
    activities = activity.top_activities(session, ALL, limit=2)
    assert activities.attrs["total"] == 7
    assert list(activities["activity_id"]) == [SAFETY, POST]
    assert list(activities["statements"]) == [8, 4]
    verbs = activity.top_verbs(session, ALL, limit=2)
    assert verbs.attrs["total"] == 14
    assert list(verbs["verb_id"]) == [Verbs.LAUNCHED, Verbs.REGISTERED]
    assert list(verbs["statements"]) == [3, 3]


def test_course_funnel_and_rates(session: Session) -> None:
    frame = courses.course_funnel(session, ALL)
    assert frame.attrs["total"] == 2
    by_course = by(frame, "course")
    safety, python = by_course[SAFETY], by_course[PYTHON]
    assert safety["name"] == "Safety basics"
    assert [safety[k] for k in ("enrolled", "started", "completed", "passed", "failed")] == [
        2, 2, 1, 1, 1,
    ]  # fmt: skip
    assert (safety["completion_rate"], safety["pass_rate"]) == (0.5, 0.5)
    assert [python[k] for k in ("enrolled", "started", "completed", "people")] == [1, 1, 0, 2]
    # Whole numbers as integers on both databases (PostgreSQL sums bigints as numeric).
    counts = ["enrolled", "started", "completed", "passed", "failed", "people", "statements"]
    assert {str(frame[column].dtype) for column in counts} == {"int64"}


def test_scores_and_time_spent(session: Session) -> None:
    scores = courses.score_distribution(session, ALL)
    assert dict(zip(scores["bucket"], scores["results"], strict=True)) == {0.4: 1, 0.9: 1}
    spent = courses.time_spent(session, ALL)
    assert spent.attrs["total"] == 1
    row = spent.iloc[0]
    assert (row["course"], row["people"], row["hours"], row["minutes_per_person"]) == (
        SAFETY, 1, 0.5, 30.0,
    )  # fmt: skip


def test_stalled_learners(session: Session) -> None:
    frame = courses.stalled(session, ALL, days=14, today=TODAY)
    # Dan only registered: not started, so not stalled.
    assert frame.attrs["total"] == 2
    assert list(frame["name"]) == ["Ben", "Cat"]
    assert list(frame["days_idle"]) == [28, 27]
    assert courses.stalled(session, ALL, days=60, today=TODAY).attrs["total"] == 0


def test_contributions_and_participation(session: Session) -> None:
    frame = knowledge.contributions_over_time(session, ALL)
    totals = frame.groupby("concept")["statements"].sum().to_dict()
    assert totals == {"asked": 1, "authored": 1, "commented": 1, "created": 1, "edited": 1,
                      "liked": 1, "replied": 1}  # fmt: skip
    pyramid = by(knowledge.participation(session, ALL), "role")
    assert {k: (v["people"], v["contributions"]) for k, v in pyramid.items()} == {
        "contributors": (3, 6), "reactors": (1, 0), "readers": (1, 0),
    }  # fmt: skip
    shares = knowledge.contribution_shares(session, ALL)
    assert list(shares["contributions"]) == [3, 2, 1]


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("read", {POST: 2, WIKI_PAGE: 1}),
        ("edited", {WIKI_PAGE: 1}),
        ("discussed", {POST: 1, QUESTION: 1}),
        # Readers who then contributed on it: dan and eve only read, cat commented unread.
        ("reused", {}),
    ],
)
def test_top_content(session: Session, metric: str, expected: dict[str, int]) -> None:
    frame = knowledge.top_content(session, ALL, metric)
    assert dict(zip(frame["content_id"], frame["count"], strict=True)) == expected
    assert frame.attrs["total"] == len(expected)


def test_response_times(session: Session) -> None:
    frame = knowledge.response_times(session, ALL)
    hours = dict(zip(frame["content_id"], frame["hours"], strict=True))
    assert hours[POST] == 3.0
    assert hours[QUESTION] == 2.0
    assert math.isnan(hours[WIKI_PAGE])


def test_emerging_topics(session: Session) -> None:
    frame = knowledge.emerging_topics(session, ALL)
    assert frame.attrs["total"] == 2
    assert list(frame["tag"]) == ["python", "safety"]
    assert list(frame["recent"]) == [2, 1]


def test_team_mix(session: Session) -> None:
    frame = convergence.team_mix(session, ALL)
    cells = {(r.team, r.source_kind): r.statements for r in frame.itertuples()}
    assert cells == {("(no team)", "informal"): 1, ("Alpha", "formal"): 8,
                     ("Alpha", "informal"): 4, ("Beta", "formal"): 2,
                     ("Beta", "informal"): 5}  # fmt: skip
    assert convergence.team_mix(session, Filters(activity=POST))["statements"].sum() == 5


def test_team_mix_reads_whole_months_and_edge_days(session: Session) -> None:
    """March from ``actor_month``, the days around it from ``daily_activity``: the same
    frame as all time; from March 4 on, every fact of those days counted once."""
    around = Filters(start=dt.date(2026, 2, 20), end=dt.date(2026, 4, 10))
    pd.testing.assert_frame_equal(
        convergence.team_mix(session, around), convergence.team_mix(session, ALL)
    )
    april = Filters(start=dt.date(2026, 3, 4), end=dt.date(2026, 4, 30))
    later = convergence.team_mix(session, april)
    facts = select(func.count()).where(LearningFact.day >= dt.date(2026, 3, 4))
    assert later["statements"].sum() == session.execute(facts).scalar_one() > 0


def test_contribution_vs_results(session: Session) -> None:
    frame = by(convergence.contribution_vs_results(session, ALL), "name")
    assert set(frame) == {"Ann", "Ben"}
    assert (frame["Ann"]["contributions"], frame["Ann"]["mean_score"]) == (3, 0.9)
    assert frame["Ann"]["completions"] == 1
    assert (frame["Ben"]["contributions"], frame["Ben"]["mean_score"]) == (0, 0.4)
    assert frame["Ann"]["team"] == "Alpha"


def test_contribution_vs_results_reads_whole_months_and_edge_days(session: Session) -> None:
    """March from ``actor_month``, the days around it from ``actor_day``: the same as all
    time; from March 4, Ann's score of March 3 is out and her contributions are in."""
    around = by(
        convergence.contribution_vs_results(
            session, Filters(start=dt.date(2026, 2, 20), end=dt.date(2026, 4, 10))
        ),
        "name",
    )
    assert around == by(convergence.contribution_vs_results(session, ALL), "name")
    later = convergence.contribution_vs_results(
        session, Filters(start=dt.date(2026, 3, 4), end=dt.date(2026, 4, 30))
    )
    assert later[["name", "team", "contributions", "mean_score", "completions"]].to_dict(
        "records"
    ) == [{"name": "Ben", "team": "Alpha", "contributions": 0, "mean_score": 0.4, "completions": 0}]


def test_completion_to_contribution(session: Session) -> None:
    frame = convergence.completion_to_contribution(session, ALL)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["actor_key"], row["course"], row["content_id"], row["days"]) == (
        actor_key("ann"), SAFETY, POST, 3.0,
    )  # fmt: skip
    assert (row["course_name"], row["content_name"], row["linked_by"]) == (
        "Safety basics", "Safety tips", "tag: safety",
    )  # fmt: skip


def test_knowledge_flow(session: Session) -> None:
    names = {actor_key(h): h for h in ("ann", "ben", "cat", "dan", "eve")}
    contribute = convergence.knowledge_flow(session, ALL, "contribute")
    edges = {(names[s], names[t]): w for s, t, w in
             contribute[["source", "target", "weight"]].itertuples(index=False)}  # fmt: skip
    assert edges == {("cat", "ann"): 1, ("ben", "ann"): 1, ("ann", "cat"): 1, ("ann", "dan"): 1}
    assert contribute.attrs["total"] == 4
    learn = convergence.knowledge_flow(session, ALL, "learn")
    edges = {(names[s], names[t]) for s, t in learn[["source", "target"]].itertuples(index=False)}
    assert edges == {("dan", "ann"), ("eve", "ann"), ("dan", "cat")}


def test_person_summary_and_timeline(session: Session) -> None:
    ann = Filters(person=actor_key("ann"))
    row = people.person_summary(session, ann).iloc[0].to_dict()
    assert row["name"] == "Ann"
    assert [row[k] for k in ("statements", "formal", "informal", "courses_completed",
                              "courses_passed", "contributions")] == [8, 5, 3, 1, 1, 3]  # fmt: skip
    assert (row["mean_score"], row["hours_learning"]) == (0.9, 0.5)
    timeline = activity.statements_over_time(session, ann)
    assert int(timeline["statements"].sum()) == 8


def test_explorer_pages_and_download_selection(session: Session) -> None:
    first = activity.fact_page(session, ALL, page=0, size=7)
    second = activity.fact_page(session, ALL, page=2, size=7)
    assert len(first) == 7 and len(second) == 6
    assert first.iloc[0]["concept"] == "replied"  # newest first
    where = activity.fact_selection(Filters(kind="informal"))
    chosen = session.execute(select(LearningFact.activity_id).where(*where)).scalars().all()
    assert len(chosen) == 10
    assert set(chosen) >= {POST, COMMENT}


def test_filter_options_and_people_search(session: Session) -> None:
    options = activity.filter_options(session)
    assert [value for value, _ in options["team"]] == ["Alpha", "Beta"]
    assert [value for value, _ in options["platform"]] == ["LMS", "blog", "forum", "wiki"]
    assert len(options["activity"]) == 7
    found = people.people_options(session, "an")
    assert set(found["name"]) == {"Ann", "Dan"}


def test_the_activity_picker_searches_every_activity(session: Session) -> None:
    """By name or IRI, case aside, most used first; LIKE's wildcards are plain text."""
    everything = activity.activity_choices(session, limit=1000)
    assert len(everything) == 7
    assert activity.activity_choices(session, limit=3) == everything[:3]
    for text in ("SAFETY", "blog.example", "python", "e", "posts/"):
        found = activity.activity_choices(session, text)
        assert found == [
            (value, label) for value, label in everything
            if text.lower() in value.lower() or text.lower() in label.lower()
        ], text  # fmt: skip
        assert found
    assert (POST, dict(everything)[POST]) in activity.activity_choices(session, "safety-TIPS")
    for wildcard in ("%", "_", "safety%tips", "\\"):
        assert activity.activity_choices(session, wildcard) == [], wildcard
    for hostile in ("a\x00b", "\ud800", "safety" + "x" * 5000):
        assert activity.activity_choices(session, hostile) == [], hostile
    assert activity.choice_label(session, "activity", POST) == dict(everything)[POST]
    assert activity.choice_label(session, "activity", "http://nowhere.example/x") is None


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


# -- a second organisation (more_data): exact results the first one leaves open -------

TODAY_MORE = dt.date(2026, 6, 1)


@pytest.fixture
def more(database: Database) -> Iterator[Session]:
    """A reading session on the organisation of ``more_data`` alone."""
    more_data.seed(database)
    with database.reading() as reading:
        yield reading


def plain(frame: Any) -> list[dict[str, Any]]:
    """The rows of a frame with NaN and NaT as None, so that they compare equal."""
    return [
        {key: None if pd.isna(value) else value for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def at(timestamp: str) -> pd.Timestamp:
    return pd.Timestamp(timestamp)


def link_rows(frame: Any) -> list[tuple[Any, ...]]:
    columns = ("actor_key", "course", "completed", "content_id", "contributed", "days",
               "linked_by")  # fmt: skip
    return [tuple(row[c] for c in columns) for row in plain(frame)]


def test_completion_to_contribution_takes_the_first_contribution_at_or_after(
    more: Session,
) -> None:
    """fay/ethics: her authoring before the completion does not count, nor her untitled
    note on privacy; the edit of the guide (tagged ethics) at 22:00 UTC (written +01:00)
    does, the later comment is not the first. fay/privacy: a post tagged privacy at the
    very instant of the completion counts (0 days). gus/ethics: his edit of the guide,
    whose statements carry ethics. hal/ethics: from his first completion, not from his
    later pass. Shortest first."""
    frame = convergence.completion_to_contribution(more, ALL)
    assert link_rows(frame) == [
        (actor_key("fay"), PRIVACY, at("2026-05-05T08:00:00.250Z"), NOTE,
         at("2026-05-05T08:00:00.250Z"), 0.0, "tag: privacy"),
        (actor_key("hal"), ETHICS, at("2026-05-02T00:00Z"), GUIDE, at("2026-05-03T06:00Z"),
         1.25, "tag: ethics"),
        (actor_key("fay"), ETHICS, at("2026-05-04T10:00Z"), GUIDE, at("2026-05-06T22:00Z"),
         2.5, "tag: ethics"),
        (actor_key("gus"), ETHICS, at("2026-05-04T12:00Z"), GUIDE, at("2026-05-07T10:00Z"),
         70 / 24, "tag: ethics"),
    ]  # fmt: skip
    assert list(frame["course_name"]) == ["Privacy", "Ethics in practice", "Ethics in practice",
                                          "Ethics in practice"]  # fmt: skip


def test_completion_to_contribution_filters_the_completions_only(more: Session) -> None:
    """Filters pick the completions; contributions count whatever the filters."""
    fay = convergence.completion_to_contribution(more, Filters(person=actor_key("fay")))
    assert list(zip(fay["course"], fay["days"], strict=True)) == [(PRIVACY, 0.0), (ETHICS, 2.5)]
    delta = convergence.completion_to_contribution(more, Filters(team="Delta", platform="LMS"))
    assert list(zip(delta["actor_key"], delta["days"], strict=True)) == [(actor_key("hal"), 1.25)]
    none = convergence.completion_to_contribution(more, Filters(team="Nobody"))
    assert (len(none), tuple(none.columns)) == (0, convergence.COMPLETION_COLUMNS)


def test_completion_to_contribution_when_no_contribution_follows(more: Session) -> None:
    """From 8 May only hal's pass completes ethics, and nothing is contributed after it."""
    frame = convergence.completion_to_contribution(more, Filters(start=dt.date(2026, 5, 8)))
    assert link_rows(frame) == [
        (actor_key("hal"), ETHICS, at("2026-05-08T00:00Z"), None, None, None, None),
    ]  # fmt: skip


def test_completion_to_contribution_at_one_instant_and_within_a_scope(database: Database) -> None:
    """fay writes three pages at one instant after completing privacy: the first in
    content order that the course's topic links wins (not the unrelated garden page).
    gus's first linked contribution is teamless: a reader of his team alone does not
    see it and finds his later one."""
    course, page, lms = ActivityTypes.COURSE, ActivityTypes.PAGE, {"platform": "LMS"}
    wiki = more_data.WIKI
    garden, checklist, notes = wiki + "a-garden", wiki + "b-checklist", wiki + "c-notes"
    rules, tagged = wiki + "rules", wiki + "tagged"
    made = [
        more_data.statement(who, Verbs.COMPLETED, PRIVACY, course, "Privacy",
                            "2026-05-01T10:00:00Z", **lms, tags=("privacy",))
        for who in ("fay", "gus")
    ] + [
        more_data.statement("fay", Verbs.AUTHORED, garden, page, "Gardening",
                            "2026-05-02T10:00:00Z", platform="wiki"),
        more_data.statement("fay", Verbs.AUTHORED, checklist, page, "Privacy checklist",
                            "2026-05-02T10:00:00Z", platform="wiki"),
        more_data.statement("fay", Verbs.AUTHORED, notes, page, "Team notes",
                            "2026-05-02T10:00:00Z", platform="wiki", tags=("privacy",)),
        more_data.statement("gus", Verbs.AUTHORED, rules, page, "Privacy rules",
                            "2026-05-02T09:00:00Z", platform="wiki", teamless=True),
        more_data.statement("gus", Verbs.EDITED, tagged, page, "Misc",
                            "2026-05-03T10:00:00Z", platform="wiki", tags=("privacy",)),
    ]  # fmt: skip
    principal = credentials.create(database, name="t", scopes=["all"], home_page="http://lrs.test")
    store_statements(database, made, version="1.0.3", principal=principal.principal)
    fay = (actor_key("fay"), PRIVACY, at("2026-05-01T10:00Z"), checklist,
           at("2026-05-02T10:00Z"), 1.0, "words: privacy")  # fmt: skip
    with database.reading() as session:
        everyone = convergence.completion_to_contribution(session, ALL)
        gamma = convergence.completion_to_contribution(
            session, Filters(scope=Scope.of_teams({"Gamma"}))
        )
    assert link_rows(everyone) == [
        (actor_key("gus"), PRIVACY, at("2026-05-01T10:00Z"), rules, at("2026-05-02T09:00Z"),
         23 / 24, "words: privacy"),
        fay,
    ]  # fmt: skip
    assert link_rows(gamma) == [
        fay,
        (actor_key("gus"), PRIVACY, at("2026-05-01T10:00Z"), tagged, at("2026-05-03T10:00Z"),
         2.0, "tag: privacy"),
    ]  # fmt: skip


@pytest.mark.parametrize("unit", [1000, 1], ids=["whole microseconds", "nanoseconds"])
def test_completions_find_their_first_contribution_by_person_and_time(unit: int) -> None:
    """Each completion's first contribution of its person at or after it, from the
    integers of ``_person_times``: its microseconds (times as the databases keep them),
    else its rank among the times (a time in nanoseconds, as a NaT completion)."""
    rng = np.random.default_rng(7)
    person = np.sort(rng.integers(0, 5, 200))
    time = rng.integers(0, 50, 200) * unit
    order = np.lexsort((time, person))
    made = convergence.Contributions(
        pd.Index([f"p{i}" for i in range(5)]), ["c"], person[order], time[order],
        np.zeros(200, dtype="int64"),
    )  # fmt: skip
    wanted_person = np.array([0, 1, 2, 3, 4, 4, -1, 2])
    done = np.array([0, 10, 25, 49, 50, 3, 7, 25]) * unit
    keys, wanted, width = convergence._person_times(made, wanted_person, done)
    start = np.searchsorted(keys, wanted)
    end = np.searchsorted(keys, (wanted_person + 1) * width)
    for i, (who, when) in enumerate(zip(wanted_person, done, strict=True)):
        later = [j for j in range(200) if made.person[j] == who and made.time[j] >= when]
        if who >= 0:
            assert (start[i], end[i] - start[i]) == (later[0] if later else start[i], len(later))


MORE_NAMES = {
    ETHICS: "Ethics in practice",  # first batch; "Ethics" in the second
    GUIDE: "Style guide v2",  # first batch; "Style guide" and no name in the second
    FAQ: "Frequently asked questions",  # after "FAQ" in the same batch
    PRIVACY: "Privacy",  # and one statement without a name
    DRILL: DRILL,  # never named
    NOTE: NOTE,  # never named
    FAQ_COMMENT: "Re: FAQ",
    GUIDE_COMMENT: "Re: Style guide",
}


def test_top_activities_names_are_the_greatest_stored_name_or_the_id(more: Session) -> None:
    frame = activity.top_activities(more, ALL, limit=20)
    assert list(zip(frame["activity_id"], frame["name"], frame["statements"], strict=True)) == [
        (ETHICS, "Ethics in practice", 9), (GUIDE, "Style guide v2", 8), (DRILL, DRILL, 3),
        (NOTE, NOTE, 2), (PRIVACY, "Privacy", 2), (FAQ, "Frequently asked questions", 2),
        (FAQ_COMMENT, "Re: FAQ", 1), (GUIDE_COMMENT, "Re: Style guide", 1),
    ]  # fmt: skip
    assert frame.attrs["total"] == 8
    # The greatest name is the one SQL max over the facts gives.
    rows = more.execute(
        select(LearningFact.activity_id, func.max(LearningFact.activity_name)).group_by(
            LearningFact.activity_id
        )
    ).all()
    assert {activity: name or activity for activity, name in rows} == MORE_NAMES


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("read", [(GUIDE, "Style guide v2", 4), (NOTE, NOTE, 1),
                  (FAQ, "Frequently asked questions", 1)]),
        ("edited", [(GUIDE, "Style guide v2", 2)]),
        ("discussed", [(FAQ, "Frequently asked questions", 1), (GUIDE, "Style guide v2", 1)]),
        # gus read the guide and edited it the same day; hal read it after his comment;
        # kim only read the note; ivy alone reads her FAQ.
        ("reused", [(GUIDE, "Style guide v2", 1)]),
    ],
)  # fmt: skip
def test_top_content_names_counts_and_total(
    more: Session, metric: str, expected: list[tuple[str, str, int]]
) -> None:
    frame = knowledge.top_content(more, ALL, metric)
    assert list(zip(frame["content_id"], frame["name"], frame["count"], strict=True)) == expected
    assert frame.attrs["total"] == len(expected)


@pytest.mark.parametrize("filters", [ALL, Filters(kind="formal")], ids=["rollup", "facts"])
def test_course_names_in_funnel_time_and_stalled(more: Session, filters: Filters) -> None:
    funnel = courses.course_funnel(more, filters)
    assert list(zip(funnel["course"], funnel["name"], strict=True)) == [
        (ETHICS, "Ethics in practice"), (DRILL, DRILL), (PRIVACY, "Privacy"),
    ]  # fmt: skip
    spent = courses.time_spent(more, filters)
    assert list(zip(spent["course"], spent["name"], spent["hours"], strict=True)) == [
        (ETHICS, "Ethics in practice", 1.0), (DRILL, DRILL, 0.5),
    ]  # fmt: skip
    assert spent.attrs["total"] == 2
    frame = courses.stalled(more, filters, days=14, today=TODAY_MORE)
    assert list(zip(frame["name"], frame["course"], frame["course_name"], frame["days_idle"],
                    strict=True)) == [
        ("Hal", DRILL, DRILL, 31),  # ivy only registered for it: not stalled
        (actor_key("kim"), PRIVACY, "Privacy", 26),  # no name: the key
    ]  # fmt: skip
    assert frame.attrs["total"] == 2


def test_names_follow_later_batches_and_voiding(database: Database, seeded: dict[str, Any]) -> None:
    """A greater name stored later wins, a lesser one does not; voiding the statement
    that carried the greatest name brings the previous one back."""

    def names() -> tuple[str, str]:
        with database.reading() as session:
            activities = by(activity.top_activities(session, ALL), "activity_id")
            funnel = by(courses.course_funnel(session, ALL), "course")
        return activities[SAFETY]["name"], funnel[SAFETY]["name"]

    def store(name: str) -> str:
        made = statement("ben", Verbs.LAUNCHED, SAFETY, ActivityTypes.COURSE, name,
                         "10T09:00", platform="LMS")  # fmt: skip
        return store_statements(database, [made], version="1.0.3", principal=seeded["principal"])[0]

    renamed = store("Safety basics (2026)")
    assert names() == ("Safety basics (2026)", "Safety basics (2026)")
    store("Safety")
    assert names() == ("Safety basics (2026)", "Safety basics (2026)")
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": renamed},
    }
    store_statements(database, [voiding], version="1.0.3", principal=seeded["principal"])
    assert names() == ("Safety basics", "Safety basics")


def test_top_activities_total_when_the_limit_cuts(more: Session) -> None:
    frame = activity.top_activities(more, ALL, limit=1)
    assert frame.to_dict("records") == [
        {"activity_id": ETHICS, "name": "Ethics in practice", "source_kind": "formal",
         "statements": 9, "people": 3},
    ]  # fmt: skip
    assert frame.attrs["total"] == 8
    informal = activity.top_activities(more, Filters(kind="informal"), limit=1)
    assert (list(informal["activity_id"]), informal.attrs["total"]) == ([GUIDE], 5)


@pytest.mark.parametrize(
    ("metric", "first", "total"),
    [
        ("read", (GUIDE, "Style guide v2", 4), 3),
        ("edited", (GUIDE, "Style guide v2", 2), 1),
        ("discussed", (FAQ, "Frequently asked questions", 1), 2),
        ("reused", (GUIDE, "Style guide v2", 1), 1),  # the FAQ has no reader but its author
    ],
)
def test_top_content_total_when_the_limit_cuts(
    more: Session, metric: str, first: tuple[str, str, int], total: int
) -> None:
    frame = knowledge.top_content(more, ALL, metric, limit=1)
    assert list(zip(frame["content_id"], frame["name"], frame["count"], strict=True)) == [first]
    assert frame.attrs["total"] == total


@pytest.mark.parametrize("filters", [ALL, Filters(kind="formal")], ids=["rollup", "facts"])
def test_stalled_total_when_the_limit_cuts(more: Session, filters: Filters) -> None:
    frame = courses.stalled(more, filters, days=14, today=TODAY_MORE, limit=1)
    assert frame.to_dict("records") == [
        {"actor_key": actor_key("hal"), "name": "Hal", "team": "Delta", "course": DRILL,
         "course_name": DRILL, "last_day": dt.date(2026, 5, 1), "days_idle": 31},
    ]  # fmt: skip
    assert frame.attrs["total"] == 2
    # Idle 26 days or more: hal (31) and kim (26); 27 or 31 or more: hal alone.
    for days, total in ((26, 2), (27, 1), (31, 1)):
        later = courses.stalled(more, filters, days=days, today=TODAY_MORE, limit=1)
        assert (list(later["actor_key"]), later.attrs["total"]) == ([actor_key("hal")], total)


@pytest.mark.parametrize(("relation", "total"), [("contribute", 3), ("learn", 3)])
def test_knowledge_flow_total_when_the_limit_cuts(more: Session, relation: str, total: int) -> None:
    """Contribute: gus edited and liked fay's guide (2), hal commented on it, fay
    commented on ivy's FAQ. Learn: gus read fay's guide twice, hal once, kim read fay's
    note; fay reading her own guide and ivy her own FAQ are no edges."""
    frame = convergence.knowledge_flow(more, ALL, relation, limit=1)
    assert frame.to_dict("records") == [
        {"source": actor_key("gus"), "target": actor_key("fay"), "weight": 2,
         "source_name": "Gus", "target_name": "Fay", "source_team": "Gamma",
         "target_team": "Gamma"},
    ]  # fmt: skip
    assert frame.attrs["total"] == total
    full = convergence.knowledge_flow(more, ALL, relation)
    assert len(full) == total


EMPTY_COLUMNS = {
    "top_activities": ["activity_id", "name", "source_kind", "statements", "people"],
    "top_content": ["content_id", "name", "count"],
    "stalled": ["actor_key", "name", "team", "course", "course_name", "last_day", "days_idle"],
    "knowledge_flow": ["source", "target", "weight", "source_name", "target_name",
                       "source_team", "target_team"],
    "course_funnel": ["course", "name", "enrolled", "started", "completed", "passed", "failed",
                      "satisfied", "people", "statements", "mean_score", "median_score",
                      "completion_rate", "pass_rate", "median_minutes"],
    "time_spent": ["course", "name", "people", "seconds", "hours", "minutes_per_person",
                   "median_minutes"],
}  # fmt: skip


@pytest.mark.parametrize(
    "filters",
    [Filters(team="Nobody"), Filters(person="mbox:mailto:nobody@example.com")],
    ids=["team", "person"],
)
def test_totals_are_zero_when_nothing_matches(session: Session, filters: Filters) -> None:
    frames = {
        "top_activities": activity.top_activities(session, filters, limit=1),
        "stalled": courses.stalled(session, filters, days=1, today=TODAY, limit=1),
        "course_funnel": courses.course_funnel(session, filters, limit=1),
        "time_spent": courses.time_spent(session, filters, limit=1),
    }
    for metric in ("read", "edited", "discussed", "reused"):
        frames[f"top_content {metric}"] = knowledge.top_content(session, filters, metric, limit=1)
    for relation in ("contribute", "learn"):
        frames[f"knowledge_flow {relation}"] = convergence.knowledge_flow(
            session, filters, relation, limit=1
        )
    found = {name: (frame.attrs["total"], len(frame), list(frame.columns))
             for name, frame in frames.items()}  # fmt: skip
    assert found == {name: (0, 0, EMPTY_COLUMNS[name.split()[0]]) for name in frames}


def funnel_rows(frame: Any) -> list[tuple[Any, ...]]:
    stages = ("enrolled", "started", "completed", "passed", "failed", "people", "statements")
    return [tuple(row) for row in frame[["course", "name", *stages]].itertuples(index=False)]


def test_course_funnel_under_a_day_range_and_a_team_reads_the_rollup(session: Session) -> None:
    days = Filters(start=dt.date(2026, 3, 3), end=dt.date(2026, 3, 5))
    alpha = Filters(team="Alpha")
    assert _sql.uses_people_rollup(days) and _sql.uses_people_rollup(alpha)
    # course, name, enrolled, started, completed, passed, failed, people, statements
    expected = {
        days: [(PYTHON, "Python 101", 1, 1, 0, 0, 0, 2, 2),
               (SAFETY, "Safety basics", 0, 0, 1, 1, 1, 2, 3)],
        alpha: [(SAFETY, "Safety basics", 2, 2, 1, 1, 1, 2, 8)],
    }  # fmt: skip
    for filters, rows in expected.items():
        rolled = courses.course_funnel(session, filters)
        # kind=formal changes nothing (the funnel counts formal facts) but reads the facts.
        counted = courses.course_funnel(session, filters.replace(kind="formal"))
        assert funnel_rows(rolled) == funnel_rows(counted) == rows
        assert plain(rolled) == plain(counted)
        assert rolled.attrs["total"] == counted.attrs["total"] == len(rows)


def test_course_funnel_under_a_verb_or_a_person_reads_the_facts(session: Session) -> None:
    registered = Filters(verb=Verbs.REGISTERED)
    ann = Filters(person=actor_key("ann"))
    assert not _sql.uses_people_rollup(registered)
    assert not _sql.uses_people_rollup(ann)
    frame = courses.course_funnel(session, registered)
    assert funnel_rows(frame) == [
        (SAFETY, "Safety basics", 2, 0, 0, 0, 0, 2, 2), (PYTHON, "Python 101", 1, 0, 0, 0, 0, 1, 1),
    ]  # fmt: skip
    assert (list(frame["completion_rate"]), list(frame["pass_rate"])) == ([0.0, 0.0], [0.0, 0.0])
    frame = courses.course_funnel(session, ann)
    assert funnel_rows(frame) == [(SAFETY, "Safety basics", 1, 1, 1, 1, 0, 1, 5)]
    assert (frame.iloc[0]["completion_rate"], frame.iloc[0]["pass_rate"]) == (1.0, 1.0)
    assert frame.attrs["total"] == 1


def test_course_funnel_of_a_one_person_team_equals_that_person(more: Session) -> None:
    """Delta is hal alone: the team (rollup) and the person (facts) give one funnel."""
    team = courses.course_funnel(more, Filters(team="Delta"))
    person = courses.course_funnel(more, Filters(person=actor_key("hal")))
    assert funnel_rows(team) == funnel_rows(person) == [
        (ETHICS, "Ethics in practice", 0, 0, 1, 1, 0, 1, 2), (DRILL, DRILL, 0, 1, 0, 0, 0, 1, 2),
    ]  # fmt: skip
    assert plain(team) == plain(person)
    days = Filters(start=dt.date(2026, 5, 2), end=dt.date(2026, 5, 4))
    rolled = courses.course_funnel(more, days)
    counted = courses.course_funnel(more, days.replace(platform="LMS"))
    assert funnel_rows(rolled) == funnel_rows(counted) == [
        (ETHICS, "Ethics in practice", 1, 1, 3, 0, 0, 3, 5), (DRILL, DRILL, 1, 0, 0, 0, 0, 1, 1),
    ]  # fmt: skip
    completed = courses.course_funnel(more, Filters(verb=Verbs.COMPLETED))
    assert funnel_rows(completed) == [
        (ETHICS, "Ethics in practice", 0, 0, 3, 0, 0, 3, 3),
        (PRIVACY, "Privacy", 0, 0, 1, 0, 0, 1, 1),
    ]  # fmt: skip


def test_person_names_with_and_without_a_team(session: Session) -> None:
    keys = [actor_key("ann"), actor_key("eve"), actor_key("cat"), "mbox:mailto:nobody@x.org"]
    assert people.person_names(session, keys) == {
        actor_key("ann"): ("Ann", "Alpha"),
        actor_key("cat"): ("Cat", "Beta"),
        actor_key("eve"): ("Eve", None),
    }
    assert people.person_names(session, []) == {}


def test_person_names_without_a_name_or_with_a_teamless_statement(more: Session) -> None:
    """kim has no name (the key stands in); gus read the guide once outside his team."""
    keys = [actor_key(handle) for handle in ("fay", "gus", "hal", "ivy", "kim")]
    assert people.person_names(more, keys) == {
        actor_key("fay"): ("Fay", "Gamma"),
        actor_key("gus"): ("Gus", "Gamma"),
        actor_key("hal"): ("Hal", "Delta"),
        actor_key("ivy"): ("Ivy", None),
        actor_key("kim"): (actor_key("kim"), None),
    }


def test_person_summary_hours_follow_the_time_spent_rule(
    database: Database, seeded: dict[str, Any]
) -> None:
    """Hours in courses count attempt ends that carry a duration (an LMS export without
    sessions) and, per course, the larger of the session-end and attempt-end sums (a cmi5
    session's completed carries the time its terminated carries too)."""
    course, lms = ActivityTypes.COURSE, {"platform": "LMS"}
    made = [
        statement("ben", Verbs.PASSED, PYTHON, course, "Python 101", "11T10:00", **lms,
                  result={"success": True, "duration": "PT1H"}),
        statement("ben", Verbs.COMPLETED, SAFETY, course, "Safety basics", "11T11:20", **lms,
                  result={"completion": True, "duration": "PT20M"}),
        statement("ben", Verbs.TERMINATED, SAFETY, course, "Safety basics", "11T11:30", **lms,
                  result={"duration": "PT30M"}),
    ]  # fmt: skip
    store_statements(database, made, version="1.0.3", principal=seeded["principal"])
    with database.reading() as session:
        row = people.person_summary(session, Filters(person=actor_key("ben"))).iloc[0]
    assert row["hours_learning"] == 1.5


def test_read_time_reads_every_fact_time_to_the_microsecond(session: Session) -> None:
    """``read_time`` (whole microseconds on PostgreSQL, the stored text on SQLite), turned
    into times by ``utc``: each fact's own time, as the ORM reads it; and times with a
    fraction of a second, before 1970 too."""
    F = LearningFact
    rows = session.execute(select(F.timestamp, read_time(F.timestamp)).order_by(F.seq)).all()
    assert len(rows) == 20
    assert _sql.utc([read for _, read in rows]).tolist() == [pd.Timestamp(t) for t, _ in rows]
    moments = [
        dt.datetime(1969, 12, 31, 23, 59, 59, 500001, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 4, tzinfo=dt.UTC),
    ]
    read = [session.execute(select(read_time(literal(m, UTCDateTime())))).scalar() for m in moments]
    assert _sql.utc(read).tolist() == [pd.Timestamp(m) for m in moments]
    assert _sql.utc([*read, None]).tolist()[-1] is pd.NaT
    too_late = literal(dt.datetime(9999, 12, 31, tzinfo=dt.UTC), UTCDateTime())
    with pytest.raises(pd.errors.OutOfBoundsDatetime):
        _sql.utc([session.execute(select(read_time(too_late))).scalar()])
