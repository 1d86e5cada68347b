"""The demo organisation: deterministic, realistic in shape, and loadable through the importers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache
from typing import Any

import pytest
from sqlalchemy import select

from lrs.services.imports import load_demo
from lrs.store import imports as import_store
from lrs.store.engine import Database
from lrs.store.models import LearningFact
from statements import validate
from statements.sources import SOURCES, ReadOptions
from statements.sources.demo import DemoOrganisation, generate

END = dt.date(2025, 3, 31)


@cache
def _small() -> DemoOrganisation:
    return generate(people=60, days=140, seed=11, end=END)


@cache
def _statements() -> tuple[dict[str, Any], ...]:
    org = _small()
    found: list[dict[str, Any]] = []
    identities = org.identities()
    for kind, _, data, base_url in org.sources():
        for item in SOURCES[kind].read(data, ReadOptions(identities=identities, base_url=base_url)):
            assert item.statement is not None, (item.where, item.problem)
            found.append(item.statement)
    return (*found, *org.interactions)


def test_same_seed_same_organisation() -> None:
    again = generate(people=60, days=140, seed=11, end=END)
    org = _small()
    assert again.course_csv == org.course_csv
    assert again.feeds == org.feeds
    assert again.wiki_export == org.wiki_export
    assert again.interactions == org.interactions
    assert generate(people=60, days=140, seed=12, end=END).course_csv != org.course_csv


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_every_statement_is_valid(version: str) -> None:
    statements = _statements()
    assert len(statements) > 2000
    for statement in statements:
        validate(statement, version)
    assert len({s["id"] for s in statements}) == len(statements)


def test_history_is_inside_the_window_with_a_weekly_rhythm() -> None:
    days = Counter(dt.date.fromisoformat(s["timestamp"][:10]) for s in _statements())
    assert min(days) >= END - dt.timedelta(days=139)
    assert max(days) <= END
    weekday = sum(n for d, n in days.items() if d.weekday() < 5) / 100
    weekend = sum(n for d, n in days.items() if d.weekday() >= 5) / 40
    assert weekday > 4 * weekend
    hours = Counter(int(s["timestamp"][11:13]) for s in _statements())
    office = sum(n for h, n in hours.items() if 9 <= h < 17)
    assert office > 0.7 * sum(hours.values())


def test_contribution_is_heavy_tailed_and_readers_outnumber_contributors() -> None:
    contributing = {
        "http://activitystrea.ms/schema/1.0/author",
        "http://activitystrea.ms/schema/1.0/create",
        "https://w3id.org/xapi/acrossx/verbs/edited",
    }
    contributions = Counter(
        s["actor"]["mbox"] for s in _statements() if s["verb"]["id"] in contributing
    )
    readers = {s["actor"]["mbox"] for s in _statements() if s["verb"]["id"].endswith("/viewed")}
    ranked = sorted(contributions.values(), reverse=True)
    people = len(_small().people)
    # The top tenth of the organisation writes more than half; most people write nothing.
    assert sum(ranked[: people // 10]) > 0.5 * sum(ranked)
    assert len(contributions) < people / 2
    assert len(readers) > 1.5 * len(contributions)


def test_people_learn_and_then_share() -> None:
    org = _small()
    assert org.shares
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for statement in _statements():
        by_actor.setdefault(statement["actor"]["name"], []).append(statement)
    for share in org.shares:
        assert dt.timedelta(0) < share.shared - share.completed <= dt.timedelta(days=10)
        own = by_actor[share.person]
        completed = [
            s for s in own
            if s["verb"]["id"].endswith("/completed")
            and s["object"]["definition"]["name"]["en"] == share.course
        ]  # fmt: skip
        assert completed, share
        later = [s for s in own if s["timestamp"] == share.shared.isoformat()[:19] + ".000Z"]
        assert later, share


def test_teams_and_identities_line_up() -> None:
    teams = {s["context"]["team"]["name"] for s in _statements() if "team" in s.get("context", {})}
    assert len(teams) >= 8
    assert all("mbox" in s["actor"] for s in _statements())


def test_load_demo_fills_an_empty_store_once(database: Database) -> None:
    result = load_demo(database, people=12, days=30, seed=3, end=END, home_page="http://lrs.test")
    assert result.filled
    assert result.summary.rejected == []
    assert result.statements == result.summary.read > 100
    with database.reading() as session:
        assert import_store.statement_count(session) == result.statements
    again = load_demo(database, people=12, days=30, seed=3, end=END, home_page="http://lrs.test")
    assert not again.filled
    assert again.statements == result.statements


def test_the_history_ends_today_unless_told_otherwise(database: Database) -> None:
    """Every recent range of the dashboards (7 days to a year) has demo data."""
    today = dt.datetime.now(dt.UTC).date()
    org = generate(people=30, days=60, seed=4)
    assert (org.start, org.end) == (today - dt.timedelta(days=59), today)
    assert generate(people=30, days=60, seed=4, end=today).course_csv == org.course_csv
    load_demo(database, people=30, days=60, seed=4, home_page="http://lrs.test")
    with database.reading() as session:
        days = set(session.execute(select(LearningFact.day)).scalars())
    assert max(days) <= today
    assert any(day > today - dt.timedelta(days=7) for day in days)
