"""What real systems send is classified right: formal, informal and other per source, and
the course funnel per course (only courses are rows; a module, AU, video or question
counts towards its course; enrolment by ``registered`` or a new registration; cmi5
``satisfied`` shown), on both databases, with the rollups equal to a recomputation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from lrs.insight import courses
from lrs.insight.filters import Filters
from lrs.services import credentials
from lrs.services.principal import Principal
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from lrs.store.models import LearningFact
from statements.vocabulary import Verbs, explain, learning_fact, terms
from tests.dashboards.test_rollups import assert_consistent
from tests.sources import lms_statements as lms

STAGES = ("enrolled", "started", "completed", "passed", "failed", "satisfied", "people",
          "statements")  # fmt: skip

EXPECTED: dict[str, tuple[dict[str, int], dict[str, tuple[int, ...]]]] = {
    # Moodle: the forum, chat, wiki and comment are informal inside the course; the
    # login is other; completing the quiz counts as a completion in the course.
    "moodle": (
        {"formal": 15, "informal": 6, "other": 1},
        {lms.MOODLE_COURSE: (2, 2, 2, 0, 0, 0, 2, 15)},
    ),
    # Open edX: the discussion (posted, edited, voted, reported, viewed) is informal;
    # the video inside the course is formal and counts towards it.
    "openedx": (
        {"formal": 23, "informal": 6},
        {lms.EDX_COURSE: (3, 3, 2, 1, 0, 0, 3, 23)},
    ),
    # cmi5: registrations enrol; the AUs roll up to the course that ``satisfied`` names
    # for their registration; Kim's abandoned registration names no course. Tom failed,
    # then passed: he counts as passed only.
    "cmi5": (
        {"formal": 25},
        {lms.CMI5_COURSE: (2, 2, 2, 2, 0, 2, 2, 22)},
    ),
    # A video course: videos (parent course) and quiz questions (registration only)
    # count towards the course; a video outside a course is informal.
    "video": (
        {"formal": 54, "informal": 2},
        {lms.VIDEO_COURSE: (3, 3, 3, 2, 0, 0, 3, 54)},
    ),
    "activity_streams": ({"informal": 8, "other": 1}, {}),
}


@pytest.fixture
def principal(database: Database) -> Principal:
    return credentials.create(
        database, name="vocabularies", scopes=["all"], home_page="http://lrs.test"
    ).principal


def kinds(database: Database) -> dict[str, int]:
    with database.reading() as session:
        found = session.execute(select(LearningFact.source_kind)).scalars()
        return dict(Counter(found))


def funnel(database: Database, filters: Filters) -> dict[str, tuple[int, ...]]:
    with database.reading() as session:
        frame = courses.course_funnel(session, filters, limit=100)
    return {
        row["course"]: tuple(int(row[stage]) for stage in STAGES) for _, row in frame.iterrows()
    }


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_each_source_is_classified_and_counted_per_course(
    database: Database, principal: Principal, source: str
) -> None:
    statements = lms.SOURCES[source]()
    store_statements(database, statements, version="1.0.3", principal=principal)
    expected_kinds, expected_funnel = EXPECTED[source]
    assert kinds(database) == expected_kinds
    # The people rollup and the facts answer alike.
    assert funnel(database, Filters()) == expected_funnel
    assert funnel(database, Filters(kind="formal")) == expected_funnel
    assert_consistent(database)


@pytest.mark.parametrize("source", ["cmi5", "video"])
def test_statements_one_at_a_time_give_the_same_facts_as_one_batch(
    database: Database, principal: Principal, source: str
) -> None:
    """The course of a registration is learned when a statement names it (cmi5:
    ``satisfied`` at the end) and given to the registration's earlier facts."""
    for statement in lms.SOURCES[source]():
        store_statements(database, [statement], version="1.0.3", principal=principal)
    assert kinds(database) == EXPECTED[source][0]
    assert funnel(database, Filters()) == EXPECTED[source][1]
    assert funnel(database, Filters(kind="formal")) == EXPECTED[source][1]
    assert_consistent(database)


def test_a_learned_registration_finds_its_stored_facts_by_the_registration_index(
    database: Database, principal: Principal
) -> None:
    """The facts waiting for a registration's course are read by the registration index:
    SQLite, given ``course_id IS NULL`` beside the registration, walked the course index
    through every fact without a course (most of a store) for each new registration."""
    if database.dialect != "sqlite":
        pytest.skip("SQLite's planner, which has no statistics unless ANALYZE is run")
    reads: list[tuple[str, Any]] = []

    def listen(connection: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("SELECT") and "FROM learning_fact" in statement:
            reads.append((statement, parameters))

    # Two registrations learn their course in one batch (cmi5 ``satisfied`` at the end).
    sent = lms.SOURCES["cmi5"]()
    satisfied = [s for s in sent if s["verb"]["id"].endswith("/satisfied")]
    assert len({s["context"]["registration"] for s in satisfied}) == 2
    store_statements(database, [s for s in sent if s not in satisfied], version="1.0.3",
                     principal=principal)  # fmt: skip
    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        store_statements(database, satisfied, version="1.0.3", principal=principal)
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    waiting = [(sql, params) for sql, params in reads if "learning_fact.course_id" in sql]
    assert waiting, "no statement taught a registration its course"
    with database.engine.connect() as connection:
        for sql, params in waiting:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            assert [row[-1] for row in plan] == [
                "SEARCH learning_fact USING INDEX ix_learning_fact_registration (registration=?)"
            ]
    assert funnel(database, Filters()) == EXPECTED["cmi5"][1]


def test_voiding_the_statement_that_opened_a_registration_keeps_the_enrolment(
    database: Database, principal: Principal
) -> None:
    """XAPI-00103: a voided statement is not counted; the registration's next fact
    enrols its learner instead."""
    statements = lms.cmi5_statements()
    store_statements(database, statements, version="1.0.3", principal=principal)
    launched = statements[0]
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": launched["id"]},
    }
    store_statements(database, [voiding], version="1.0.3", principal=principal)
    # Lisa's launch is gone: she is still enrolled and started (initialized).
    assert funnel(database, Filters()) == {lms.CMI5_COURSE: (2, 2, 2, 2, 0, 2, 2, 21)}
    assert funnel(database, Filters(kind="formal")) == funnel(database, Filters())
    assert_consistent(database)


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_no_statement_of_a_known_vocabulary_is_other_without_a_documented_reason(
    source: str,
) -> None:
    known = {term.iri for term in terms()}
    for statement in lms.SOURCES[source]():
        fact = learning_fact(statement)
        assert fact is not None
        if fact["source_kind"] != "other":
            continue
        kind = (statement["object"].get("definition") or {}).get("type")
        if statement["verb"]["id"] in known or kind in known:
            # A known term is other only for a reason the vocabulary table gives.
            reasons = {term.reason for term in terms() if term.verdict == "other"}
            assert explain(statement).reason in reasons
        else:
            assert explain(statement).reason == (
                "neither the verb nor the object type is a known term"
            )


def test_the_object_type_decides_before_the_context() -> None:
    """A discussion inside a course is informal; a video is formal inside a course and
    informal outside one; an unknown verb inside a course is formal."""
    (posted,) = [s for s in lms.openedx_statements()
                 if s["verb"]["id"].endswith("/posted")][:1]  # fmt: skip
    assert explain(posted).kind == "informal"
    video = [s for s in lms.video_course_statements() if s["verb"]["id"].endswith("/played")]
    assert [explain(s).kind for s in (video[0], video[-1])] == ["formal", "informal"]
    inside: dict[str, Any] = {**posted, "verb": {"id": "http://example.org/verbs/poked"},
                              "object": {"id": "http://example.org/things/1"}}  # fmt: skip
    assert explain(inside) == ("formal", "happens inside a course")


def test_the_documented_table_is_the_vocabulary() -> None:
    """docs/vocabularies.md lists every term the classification knows, with its source,
    verdict and reason, and nothing else."""
    text = (Path(__file__).parent.parent / "docs" / "vocabularies.md").read_text("utf-8")
    header = "| term | source vocabulary | role | verdict | reason |"
    rows = text.split(header, 1)[1].strip().splitlines()[1:]
    documented = []
    for row in rows:
        if not row.startswith("| `"):
            break
        iri, source, role, verdict, reason = (cell.strip() for cell in row.strip("|").split(" | "))
        documented.append((iri.strip("`"), source, role, verdict, reason))
    assert documented == [tuple(term) for term in terms()]
