"""The courses questions against answers counted here from the records alone.

The course funnel (stages, rates, scores, median time), time spent and stalled learners
on ``course_set``, on SQLite and PostgreSQL, from the rollup (no filter but days and
team) and from the facts (any other filter): each expected number is computed in this
module from the plain records with the rules the README states, not read back from the
database.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lrs.insight import courses, registry
from lrs.insight.filters import Filters
from lrs.store.engine import Database
from tests.lrs.insight import course_set
from tests.lrs.insight.course_set import COURSES, LAST_DAY, Record

RECORDS = course_set.records()
STARTED = {"launched", "terminated"}
COMPLETED = {"completed", "passed"}
# The rollup answers day ranges and teams; a kind filter makes the facts answer.
WAYS = {"rollup": Filters(), "facts": Filters(kind="formal")}


@pytest.fixture
def known(database: Database) -> Iterator[Session]:
    course_set.seed(database, RECORDS)
    with database.reading() as session:
        yield session


def pairs(records: Iterable[Record]) -> dict[tuple[str, str], list[Record]]:
    """(course, person) -> that person's records on the course."""
    found: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records:
        found[(record.course, record.person)].append(record)
    return found


def spent(own: list[Record]) -> int:
    """Time on a course: the larger of the session-end and the attempt-end sums."""
    sessions = sum(r.seconds or 0 for r in own if r.verb == "terminated")
    attempts = sum(r.seconds or 0 for r in own if r.verb in {"completed", "passed", "failed"})
    return max(sessions, attempts)


def expected_funnel(records: list[Record]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    by_pair = pairs(records)
    for course in {c for c, _ in by_pair}:
        mine = {p: own for (c, p), own in by_pair.items() if c == course}

        def reached(verbs: set[str], mine: dict[str, list[Record]] = mine) -> set[str]:
            return {p for p, own in mine.items() if any(r.verb in verbs for r in own)}

        passed, failed = reached({"passed"}), reached({"failed"}) - reached({"passed"})
        best = [max(r.score for r in own if r.score is not None)
                for own in mine.values() if any(r.score is not None for r in own)]  # fmt: skip
        times = [spent(own) for own in mine.values() if spent(own) > 0]
        rows[course] = {
            "name": COURSES[course],
            "enrolled": len(reached({"registered"})),
            "started": len(reached(STARTED)),
            "completed": len(reached(COMPLETED)),
            "passed": len(passed),
            "failed": len(failed),
            "people": len(mine),
            "statements": sum(len(own) for own in mine.values()),
            "completion_rate": len(reached(COMPLETED)) / len(mine),
            "pass_rate": len(passed) / (len(passed) + len(failed)) if passed | failed else 0.0,
            "mean_score": statistics.mean(best) if best else math.nan,
            "median_score": statistics.median(best) if best else math.nan,
            "median_minutes": statistics.median(times) / 60 if times else math.nan,
        }
    return rows


def close(found: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        if math.isnan(expected):
            return found is None or math.isnan(found)
        return math.isclose(found, expected, rel_tol=1e-9, abs_tol=1e-9)
    return bool(found == expected)


def assert_rows(frame: Any, key: str, expected: dict[Any, dict[str, Any]]) -> None:
    found = {row[key]: row for row in frame.to_dict("records")}
    assert set(found) == set(expected)
    for name, columns in expected.items():
        for column, value in columns.items():
            assert close(found[name][column], value), (name, column, found[name][column], value)


def test_the_set_has_what_the_questions_need() -> None:
    """Enrolled-only people, stalled starters, fails then passes, cmi5 sessions."""
    by_pair = pairs(RECORDS)
    verbs = [{r.verb for r in own} for own in by_pair.values()]
    assert any(v == {"registered"} for v in verbs)
    assert any(STARTED & v and not COMPLETED & v for v in verbs)
    assert any({"failed", "passed"} <= v for v in verbs)
    assert any({"failed"} <= v and "passed" not in v for v in verbs)
    assert any(r.verb == "terminated" for r in RECORDS)
    assert any(r.team is None for r in RECORDS)


@pytest.mark.parametrize("way", sorted(WAYS))
def test_course_funnel_counts_rates_scores_and_time(known: Session, way: str) -> None:
    frame = courses.course_funnel(known, WAYS[way])
    assert frame.attrs["total"] == len(COURSES)
    assert_rows(frame, "course", expected_funnel(RECORDS))
    people = [row["people"] for row in expected_funnel(RECORDS).values()]
    assert list(frame["people"]) == sorted(people, reverse=True)


@pytest.mark.parametrize("sort", ["pass_rate", "completion_rate", "mean_score", "median_minutes"])
def test_course_funnel_sorted_worst_first(known: Session, sort: str) -> None:
    expected = expected_funnel(RECORDS)
    worst = min(expected, key=lambda course: (expected[course][sort], course))
    frame = registry.COURSE_FUNNEL.run(known, Filters(), sort=sort, limit=1)
    assert list(frame["course"]) == [worst]
    assert frame.attrs["total"] == len(COURSES)


def test_course_funnel_under_a_team_and_days(known: Session) -> None:
    start, end = dt.date(2026, 2, 10), dt.date(2026, 3, 1)
    kept = [r for r in RECORDS if r.team == "Logistics" and start <= r.day <= end]
    for filters in (
        Filters(team="Logistics", start=start, end=end),
        Filters(team="Logistics", start=start, end=end, kind="formal"),
    ):
        assert_rows(courses.course_funnel(known, filters), "course", expected_funnel(kept))


def expected_time(records: list[Record]) -> dict[str, dict[str, Any]]:
    expected: dict[str, dict[str, Any]] = {}
    for course in COURSES:
        times = [spent(own) for (c, _), own in pairs(records).items() if c == course]
        times = [t for t in times if t > 0]
        if not times:
            continue
        expected[course] = {
            "people": len(times),
            "seconds": float(sum(times)),
            "hours": sum(times) / 3600,
            "minutes_per_person": sum(times) / 60 / len(times),
            "median_minutes": statistics.median(times) / 60,
        }
    return expected


@pytest.mark.parametrize("way", sorted(WAYS))
def test_course_funnel_and_time_spent_over_days_for_every_team(known: Session, way: str) -> None:
    """A day range over every team: from the rollup, each stage's people are counted
    and each pair's best score and time grouped from the range's rows alone (read in
    (course, person) order on SQLite, grouped per pair once on PostgreSQL)."""
    start, end = dt.date(2026, 2, 10), dt.date(2026, 3, 1)
    kept = [r for r in RECORDS if start <= r.day <= end]
    assert expected_funnel(kept) != expected_funnel(RECORDS)
    assert any(r.score is not None for r in kept) and expected_time(kept)
    ranged = WAYS[way].replace(start=start, end=end)
    assert_rows(courses.course_funnel(known, ranged), "course", expected_funnel(kept))
    assert_rows(courses.time_spent(known, ranged), "course", expected_time(kept))


@pytest.mark.parametrize("way", sorted(WAYS))
def test_time_spent_counts_attempts_and_sessions_once(known: Session, way: str) -> None:
    expected = expected_time(RECORDS)
    frame = courses.time_spent(known, WAYS[way])
    assert_rows(frame, "course", expected)
    assert list(frame["seconds"]) == sorted(frame["seconds"], reverse=True)
    # The cmi5 course counts its sessions, which cover its module attempts.
    cmi5 = [own for (c, _), own in pairs(RECORDS).items() if c == course_set.CMI5]
    sessions = sum(r.seconds or 0 for own in cmi5 for r in own if r.verb == "terminated")
    attempts = sum(r.seconds or 0 for own in cmi5 for r in own if r.verb != "terminated")
    assert expected[course_set.CMI5]["seconds"] >= sessions > 0
    assert expected[course_set.CMI5]["seconds"] < sessions + attempts


def expected_stalled(records: list[Record], end: dt.date, days: int) -> list[dict[str, Any]]:
    rows = []
    for (course, person), own in pairs(records).items():
        verbs = {r.verb for r in own}
        last = max(r.day for r in own)
        if verbs & STARTED and not verbs & COMPLETED and (end - last).days >= days:
            teams = {r.team for r in own if r.team}
            rows.append({
                "actor_key": f"mbox:mailto:{person}@example.org", "name": person.upper(),
                "team": max(teams) if teams else "(no team)", "course": course,
                "course_name": COURSES[course], "last_day": last, "days_idle": (end - last).days,
            })  # fmt: skip
    return sorted(rows, key=lambda row: (row["last_day"], row["actor_key"], row["course"]))


@pytest.mark.parametrize("way", sorted(WAYS))
def test_stalled_counts_idle_days_to_the_end_of_the_range(known: Session, way: str) -> None:
    today = LAST_DAY + dt.timedelta(days=3)
    everything = expected_stalled(RECORDS, today, 7)
    assert everything, "the set has stalled learners"
    frame = courses.stalled(known, WAYS[way], days=7, today=today, limit=1000)
    assert frame.to_dict("records") == everything
    assert frame.attrs["total"] == len(everything)
    # A range that ends earlier: its facts only, idle days counted to its end.
    end = dt.date(2026, 2, 25)
    earlier = expected_stalled([r for r in RECORDS if r.day <= end], end, 5)
    ranged = WAYS[way].replace(end=end)
    frame = courses.stalled(known, ranged, days=5, today=today, limit=1000)
    assert frame.to_dict("records") == earlier
    assert earlier != [row for row in everything if row["last_day"] <= end]


@pytest.mark.parametrize("way", sorted(WAYS))
def test_stalled_pages_through_offset_and_limit(known: Session, way: str) -> None:
    today = LAST_DAY + dt.timedelta(days=3)
    everything = expected_stalled(RECORDS, today, 1)
    assert len(everything) > 4
    pages = [
        registry.STALLED.run(known, WAYS[way].replace(end=today), days=1, limit=3, offset=offset)
        for offset in range(0, len(everything) + 3, 3)
    ]
    assert [row for page in pages for row in page.to_dict("records")] == everything
    assert {page.attrs["total"] for page in pages} == {len(everything)}


@pytest.mark.parametrize("way", sorted(WAYS))
def test_stalled_pages_through_all_time(known: Session, way: str) -> None:
    """All time, everyone: the stored pairs' page and their count are read apart (the
    rollup), and agree with the facts grouped."""
    today = LAST_DAY + dt.timedelta(days=3)
    everything = expected_stalled(RECORDS, today, 1)
    pages = [
        courses.stalled(known, WAYS[way], days=1, today=today, limit=3, offset=offset)
        for offset in range(0, len(everything) + 3, 3)
    ]
    assert [row for page in pages for row in page.to_dict("records")] == everything
    assert {page.attrs["total"] for page in pages} == {len(everything)}
