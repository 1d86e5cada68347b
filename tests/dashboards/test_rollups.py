"""The dashboard rollups always equal a recomputation from the facts: after ingest, after
voiding (XAPI-00103: voided statements are not counted) and after a privacy erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lrs.services import privacy
from lrs.services.statements import store_statements
from lrs.store import facts
from lrs.store.engine import Database
from lrs.store.models import (
    ActorDay,
    ContentAuthor,
    CourseProgress,
    DailyActivity,
    FilterValue,
    HourlyActivity,
    LearningFact,
)
from statements.vocabulary import Verbs
from tests.dashboards.data import POST, actor_key

ROLLUPS = (DailyActivity, ActorDay, CourseProgress, HourlyActivity, ContentAuthor, FilterValue)


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
