"""The knowledge, convergence, overview and people questions against answers counted here
from the records alone (``knowledge_set``), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from lrs.insight import activity, convergence, courses, knowledge, people, registry, topics
from lrs.insight.filters import Filters
from lrs.store.engine import Database
from tests.lrs.insight import knowledge_set
from tests.lrs.insight.knowledge_set import CONTENT, COURSES, FIRST_DAY, Record, key

RECORDS = knowledge_set.records()
CONTRIBUTING = {"authored", "created", "edited", "commented"}
SECOND = Filters(start=FIRST_DAY + dt.timedelta(days=28), end=FIRST_DAY + dt.timedelta(days=55))


@pytest.fixture
def known(database: Database) -> Iterator[Session]:
    knowledge_set.seed(database, RECORDS)
    with database.reading() as session:
        yield session


def within(period: Filters) -> list[Record]:
    assert period.start is not None and period.end is not None
    return [r for r in RECORDS if period.start <= r.day <= period.end]


def informal(records: list[Record]) -> list[Record]:
    return [r for r in records if not r.formal]


def team(person: str) -> str:
    return knowledge_set.people()[person] or "(no team)"


def test_the_set_has_what_the_questions_need() -> None:
    verbs = Counter(r.verb for r in RECORDS)
    assert {"authored", "created", "edited", "viewed", "liked", "commented"} <= set(verbs)
    assert any(r.day >= SECOND.start for r in RECORDS if SECOND.start)  # type: ignore[operator]
    assert any(r.team is None for r in RECORDS)


def test_top_contributors_rank_people_with_the_split_by_kind(known: Session) -> None:
    made: dict[str, Counter[str]] = defaultdict(Counter)
    for r in informal(RECORDS):
        if r.verb in CONTRIBUTING:
            made[r.person][r.verb] += 1
    expected = sorted(
        (
            {"actor_key": key(p), "name": p.upper(), "team": team(p),
             "contributions": sum(c.values()), "posts": c["authored"] + c["created"],
             "edits": c["edited"], "comments": c["commented"], "other": 0}
            for p, c in made.items()
        ),
        key=lambda row: (-row["contributions"], row["actor_key"]),
    )  # fmt: skip
    frame = knowledge.top_contributors(known, Filters(), limit=100)
    assert frame.to_dict("records") == expected
    assert frame.attrs["total"] == len(expected)
    assert len(registry.TOP_CONTRIBUTORS.run(known, Filters(), limit=2)) == 2


def roles(records: list[Record]) -> dict[str, tuple[int, int]]:
    by_person: dict[str, set[str]] = defaultdict(set)
    made: Counter[str] = Counter()
    for r in informal(records):
        by_person[r.person].add(r.verb)
        made[r.person] += r.verb in CONTRIBUTING
    groups: dict[str, list[str]] = {"contributors": [], "reactors": [], "readers": []}
    for person, verbs in by_person.items():
        if verbs & CONTRIBUTING:
            groups["contributors"].append(person)
        elif "liked" in verbs:
            groups["reactors"].append(person)
        else:
            groups["readers"].append(person)
    return {role: (len(who), sum(made[p] for p in who)) for role, who in groups.items()}


def test_participation_groups_with_their_definitions(known: Session) -> None:
    frame = knowledge.participation(known, SECOND)
    found = {row["role"]: (row["people"], row["contributions"]) for row in frame.to_dict("records")}
    assert found == roles(within(SECOND))
    assert dict(zip(frame["role"], frame["definition"], strict=True)) == knowledge.ROLES
    assert all(len(text) > 20 for text in knowledge.ROLES.values())


@pytest.mark.parametrize("content", ["any", "posts", "pages"])
def test_most_read_posts_and_pages_apart(known: Session, content: str) -> None:
    kinds = {"any": {"post", "page"}, "posts": {"post"}, "pages": {"page"}}[content]
    views = Counter(
        r.target for r in RECORDS if r.verb == "viewed" and CONTENT[r.target][0] in kinds
    )
    expected = sorted(views.items(), key=lambda item: (-item[1], item[0]))
    frame = knowledge.top_content(known, Filters(), "read", limit=100, content=content)
    assert list(zip(frame["content_id"], frame["count"], strict=True)) == expected
    assert frame.attrs["total"] == len(expected)


def _reused(records: list[Record]) -> Counter[str]:
    """Per content, the people other than its author who read it and then (the same day
    or later) edited or commented on it, among ``records``."""
    authors = {r.target: r.person for r in RECORDS if r.verb in {"authored", "created"}}
    reused: Counter[str] = Counter()
    for content in CONTENT:
        for person in {r.person for r in records} - {authors[content]}:
            own = [r for r in records if r.person == person and r.target == content]
            read = [r.day for r in own if r.verb == "viewed"]
            made = [r.day for r in own if r.verb in {"edited", "commented"}]
            if read and made and min(read) <= max(made):
                reused[content] += 1
    return reused


def test_reuse_is_reading_that_led_to_a_contribution(known: Session) -> None:
    reused = _reused(RECORDS)
    expected = sorted(reused.items(), key=lambda item: (-item[1], item[0]))
    frame = knowledge.top_content(known, Filters(), "reused", limit=100)
    assert list(zip(frame["content_id"], frame["count"], strict=True)) == expected
    rota = knowledge_set.WIKI + "rota"
    # m07 read, then commented: reuse; m08 commented, then read: not (by these two).
    assert reused[rota] >= 1
    read = dict(zip(*[knowledge.top_content(known, Filters(), "read", 100)[c]
                      for c in ("content_id", "count")], strict=True))  # fmt: skip
    assert read != dict(expected)


LAST_DAY = max(r.day for r in RECORDS)


@pytest.mark.parametrize(
    "period",
    [
        # Ends where the facts end: its last month is read whole from content_use_month.
        Filters(start=FIRST_DAY + dt.timedelta(days=9), end=LAST_DAY),
        Filters(start=FIRST_DAY + dt.timedelta(days=9), end=LAST_DAY + dt.timedelta(days=3)),
        # Ends before the facts do: the days of its last month are read from the facts.
        Filters(start=FIRST_DAY + dt.timedelta(days=9), end=LAST_DAY - dt.timedelta(days=2)),
    ],
    ids=["to-the-last-fact", "past-the-last-fact", "before-the-last-fact"],
)
def test_reuse_within_a_range(known: Session, period: Filters) -> None:
    """The range's reading and contributions only; the same whether its last month is
    read from the monthly rollup or from the facts."""
    reused = _reused(within(period))
    expected = sorted(reused.items(), key=lambda item: (-item[1], item[0]))
    assert expected
    frame = knowledge.top_content(known, period, "reused", limit=100)
    assert list(zip(frame["content_id"], frame["count"], strict=True)) == expected
    assert frame.attrs["total"] == len(expected)


@pytest.mark.parametrize("end", [LAST_DAY, LAST_DAY - dt.timedelta(days=2)], ids=["last", "before"])
def test_people_rankings_within_a_range_as_facts_count_them(known: Session, end: dt.date) -> None:
    """Participation and the contributors over a range whose last month is read from
    the monthly rollup (it ends where the facts end) or from the days: as counted from
    the facts (the informal kind sends the questions to them)."""
    period = Filters(start=FIRST_DAY + dt.timedelta(days=9), end=end)
    facts = period.replace(kind="informal")
    pd.testing.assert_frame_equal(
        knowledge.participation(known, period), knowledge.participation(known, facts)
    )
    shares = knowledge.contribution_shares(known, period)
    assert len(shares) > 1
    pd.testing.assert_frame_equal(shares, knowledge.contribution_shares(known, facts))
    ranked = knowledge.top_contributors(known, period, limit=100)
    pd.testing.assert_frame_equal(ranked, knowledge.top_contributors(known, facts, limit=100))
    assert ranked.attrs["total"] == len(shares)


def test_team_mix_sorted_by_informal_share_with_counts(known: Session) -> None:
    counts: Counter[tuple[str, str]] = Counter(
        (r.team or "(no team)", "formal" if r.formal else "informal") for r in RECORDS
    )
    totals: Counter[str] = Counter()
    for (name, _kind), n in counts.items():
        totals[name] += n
    share = {name: counts[(name, "informal")] / totals[name] for name in totals}
    expected = sorted(
        (
            {"team": name, "source_kind": kind, "statements": n, "team_statements": totals[name],
             "share": n / totals[name], "informal_share": share[name]}
            for (name, kind), n in counts.items()
        ),
        key=lambda row: (-row["informal_share"], row["team"], row["source_kind"]),
    )  # fmt: skip
    frame = convergence.team_mix(known, Filters())
    found = frame.to_dict("records")
    assert [
        (r["team"], r["source_kind"], r["statements"], r["team_statements"]) for r in found
    ] == [(r["team"], r["source_kind"], r["statements"], r["team_statements"]) for r in expected]
    for row, want in zip(found, expected, strict=True):
        assert math.isclose(row["informal_share"], want["informal_share"])
        assert math.isclose(row["share"], want["share"])


def figures_of(records: list[Record]) -> dict[str, int]:
    return {
        "statements": len(records),
        "formal": sum(r.formal for r in records),
        "informal": sum(not r.formal for r in records),
        "other": 0,
        "people": len({r.person for r in records}),
        "activities": len({r.comment or r.target for r in records}),
    }


def test_every_overview_figure_against_the_previous_period(known: Session) -> None:
    previous = SECOND.previous()
    assert previous == Filters(start=FIRST_DAY, end=FIRST_DAY + dt.timedelta(days=27))
    now, then = figures_of(within(SECOND)), figures_of(within(previous))
    frame = registry.SUMMARY_CHANGE.run(known, SECOND)
    for row in frame.to_dict("records"):
        measure = row["measure"]
        assert (row["current"], row["previous"]) == (now[measure], then[measure]), measure
        assert row["change"] == now[measure] - then[measure]
        if then[measure]:
            assert math.isclose(row["change_ratio"], (now[measure] - then[measure]) / then[measure])
        assert (row["previous_start"], row["previous_end"]) == (previous.start, previous.end)
    assert list(frame["measure"]) == list(now)
    open_range = registry.SUMMARY_CHANGE.run(known, Filters())
    assert open_range["previous"].isna().all()
    assert list(open_range["current"]) == list(figures_of(RECORDS).values())


def test_informal_growth_against_the_previous_period(known: Session) -> None:
    previous = SECOND.previous()
    assert previous is not None

    def measures(records: list[Record]) -> dict[str, int]:
        groups = roles(records)
        return {
            "informal_statements": len(informal(records)),
            "contributions": groups["contributors"][1],
            "contributors": groups["contributors"][0],
            "reactors": groups["reactors"][0],
            "readers": groups["readers"][0],
        }

    now, then = measures(within(SECOND)), measures(within(previous))
    frame = convergence.informal_growth(known, SECOND)
    assert {r["measure"]: (r["current"], r["previous"], r["change"])
            for r in frame.to_dict("records")} == {
        m: (now[m], then[m], now[m] - then[m]) for m in now
    }  # fmt: skip
    # One person: the informal statements counted from the facts.
    person = sorted({r.person for r in informal(within(SECOND))})[0]
    one = convergence.informal_growth(known, SECOND.replace(person=key(person)))
    mine = [r for r in informal(within(SECOND)) if r.person == person]
    assert one.set_index("measure").loc["informal_statements", "current"] == len(mine) > 0


def test_top_contributors_and_the_courses_they_completed(known: Session) -> None:
    frame = convergence.contributors_and_courses(known, Filters(), limit=100)
    completed: dict[str, set[str]] = defaultdict(set)
    passed: dict[str, set[str]] = defaultdict(set)
    for r in RECORDS:
        if r.formal:
            completed[r.person].add(COURSES[r.target][0])
            if r.verb == "passed":
                passed[r.person].add(r.target)
    found = {row["actor_key"]: row for row in frame.to_dict("records")}
    contributors = {r.person for r in informal(RECORDS) if r.verb in CONTRIBUTING}
    assert set(found) == {key(p) for p in contributors}
    for person in contributors:
        row = found[key(person)]
        assert row["courses_completed"] == len(completed[person])
        assert row["courses_passed"] == len(passed[person])
        assert row["completed_courses"] == "; ".join(sorted(completed[person]))
    assert any(row["courses_completed"] for row in found.values())


def expected_completion_links(records: list[Record]) -> dict[tuple[str, str], Any]:
    content_tags: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if not r.formal and r.verb in CONTRIBUTING and not r.comment:
            content_tags[r.target] |= set(r.tags)
    found: dict[tuple[str, str], Any] = {}
    completions: dict[tuple[str, str], Record] = {}
    for r in sorted((r for r in records if r.formal), key=lambda r: r.when):
        completions.setdefault((r.person, r.target), r)
    course_tags: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r.formal:
            course_tags[r.target] |= set(r.tags)
    for (person, course), done in completions.items():
        course_topic = topics.Topic.of(COURSES[course][0], course_tags[course])
        later = sorted(
            (r for r in records if r.person == person and not r.formal
             and r.verb in CONTRIBUTING and r.when >= done.when),
            key=lambda r: r.when,
        )  # fmt: skip
        found[(key(person), course)] = None
        for r in later:
            how = topics.link(
                course_topic, topics.Topic.of(CONTENT[r.target][1], content_tags[r.target])
            )
            if how:
                found[(key(person), course)] = (r.target, r.when, how)
                break
    return found


def test_completion_to_first_contribution_on_its_topic(known: Session) -> None:
    expected = expected_completion_links(RECORDS)
    frame = convergence.completion_to_contribution(known, Filters())
    assert tuple(frame.columns) == registry.COMPLETION_TO_CONTRIBUTION.columns
    found = {(row["actor_key"], row["course"]): row for row in frame.to_dict("records")}
    assert set(found) == set(expected)
    for pair, want in expected.items():
        row = found[pair]
        if want is None:
            assert pd.isna(row["content_id"]) and math.isnan(row["days"])
            continue
        content, when, how = want
        assert (row["content_id"], row["linked_by"]) == (content, how)
        assert row["content_name"] == CONTENT[content][1]
        assert row["contributed"].to_pydatetime() == when
        assert math.isclose(row["days"], (when - row["completed"].to_pydatetime()).total_seconds()
                            / 86400)  # fmt: skip
    linked = [want for want in expected.values() if want]
    assert linked, "the set links some completions"
    assert any(how.startswith("words:") for _, _, how in linked)
    days = [d for d in frame["days"] if not math.isnan(d)]
    assert days == sorted(days)


def test_one_person_courses_and_summary(known: Session) -> None:
    person = next(r.person for r in RECORDS if r.formal)
    mine = Filters(person=key(person))
    frame = courses.person_courses(known, mine)
    formal = [r for r in RECORDS if r.formal and r.person == person]
    statuses = {}
    for course in {r.target for r in formal}:
        verbs = {r.verb for r in formal if r.target == course}
        statuses[course] = "passed" if "passed" in verbs else "completed"
    assert dict(zip(frame["course"], frame["status"], strict=True)) == statuses
    assert dict(zip(frame["course"], frame["name"], strict=True)) == {
        c: COURSES[c][0] for c in statuses
    }
    summary = people.person_summary(known, mine).iloc[0]
    assert (summary["team"], summary["explorer_query"]) == (
        team(person), "?person=" + key(person).replace(":", "%3A").replace("@", "%40"),
    )  # fmt: skip
    assert summary["contributions"] == sum(
        1 for r in RECORDS if r.person == person and not r.formal and r.verb in CONTRIBUTING
    )
    assert activity.count_facts(known, mine) == sum(r.person == person for r in RECORDS)


def test_the_demo_links_completions_to_contributions_and_has_stalled_learners(
    database: Database,
) -> None:
    """On the demo's own data (whose courses carry no tags): completions are followed by
    posts and pages linked by title words, and some started courses stalled."""
    from lrs.services.imports import load_demo

    end = dt.date(2026, 6, 30)
    load_demo(database, people=60, days=150, seed=2024, end=end, home_page="http://lrs.test")
    with database.reading() as session:
        frame = convergence.completion_to_contribution(session, Filters())
        linked = frame.dropna(subset=["days"])
        assert len(linked) > 0
        assert all(how.startswith(("words: ", "tag: ")) for how in linked["linked_by"])
        assert (linked["days"] >= 0).all()
        assert courses.stalled(session, Filters(), days=14, today=end).attrs["total"] > 0
