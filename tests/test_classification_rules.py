"""Rules an administrator changes without code (``LRS_CLASSIFICATION_RULES``): applied at
ingest, previewed and applied to stored statements with set-based SQL, and the result
equal to recomputing every fact and rollup from the statements, on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lrs.cli import main
from lrs.errors import BadRequest
from lrs.insight import courses
from lrs.insight.filters import Filters
from lrs.services import classification, credentials
from lrs.services.principal import Principal
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from lrs.store.models import LearningFact, RegistrationCourse
from statements.vocabulary import NO_RULES, rules_from_mapping
from tests.dashboards.test_rollups import snapshot
from tests.sources import lms_statements as lms

RULES = f"""
[[rule]]
platform = "Moodle"
verb = "https://brindlewaye.com/xAPITerms/verbs/loggedin/"
kind = "ignore"

[[rule]]
type = "http://id.tincanapi.com/activitytype/chat-message"
kind = "ignore"
reason = "chat is not learning here"

[[rule]]
prefix = "{lms.EDX}/api/discussion/"
kind = "formal"

[[course]]
prefix = "{lms.CMI5_LMS}/AU/"
course = "{lms.CMI5_COURSE}"

[[course]]
id = "https://videos.example.net/talks/comets"
"""
EVERYTHING = [statement for make in lms.SOURCES.values() for statement in make()]


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(RULES, "utf-8")
    return path


@pytest.fixture
def principal(database: Database) -> Principal:
    return credentials.create(
        database, name="rules", scopes=["all"], home_page="http://lrs.test"
    ).principal


def facts_of(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every fact's classification and course, the registrations' courses and every
    rollup: what a recomputation must reproduce."""
    F, R = LearningFact, RegistrationCourse
    with database.reading() as session:
        facts = session.execute(
            select(F.seq, F.source_kind, F.base_kind, F.course_id, F.named_course,
                   F.opens_registration).order_by(F.seq)
        ).all()  # fmt: skip
        registrations = session.execute(select(R.registration, R.course, R.seq)).all()
    return {
        "facts": [tuple(row) for row in facts],
        "registrations": sorted(tuple(row) for row in registrations),
        **snapshot(database),
    }


def test_preview_and_apply_equal_a_recomputation_from_the_statements(
    database: Database, principal: Principal, rules_file: Path
) -> None:
    store_statements(database, EVERYTHING, version="1.0.3", principal=principal)
    rules = classification.load_rules(str(rules_file))
    preview = classification.preview(database, rules)
    # Moodle's chat leaves informal; Open edX's discussion becomes formal; the login was
    # other already. Kim's abandoned cmi5 registration (3 facts) finds its course.
    assert preview.changes == {("informal", "other"): 1, ("informal", "formal"): 6}
    applied = classification.apply(database, rules)
    assert applied == preview
    after = facts_of(database)
    with database.reading() as session:
        funnel = courses.course_funnel(session, Filters(), limit=100)
    row = funnel.set_index("course").loc[lms.CMI5_COURSE]
    assert (row["people"], row["enrolled"], row["started"], row["satisfied"]) == (3, 3, 3, 2)
    # The same rules, applied again, change nothing.
    again = classification.apply(database, rules)
    assert (again.total, again.courses) == (0, 0)
    # Recomputed from the statements, the way ingest computes them, everything agrees.
    classification.reclassify(database, rules)
    assert facts_of(database) == after


def test_rules_at_ingest_equal_rules_applied_afterwards(
    database_url: str, principal: Principal, rules_file: Path
) -> None:
    rules = classification.load_rules(str(rules_file))
    ruled = Database(database_url, rules=rules)
    try:
        store_statements(ruled, EVERYTHING, version="1.0.3", principal=principal)
        at_ingest = facts_of(ruled)
        classification.apply(ruled, NO_RULES)
        assert facts_of(ruled) != at_ingest
        classification.apply(ruled, rules)
        assert facts_of(ruled) == at_ingest
    finally:
        ruled.dispose()


def test_the_command_previews_and_applies(
    database: Database, principal: Principal, rules_file: Path
) -> None:
    store_statements(database, EVERYTHING, version="1.0.3", principal=principal)
    runner = CliRunner()
    env = {"LRS_DATABASE_URL": database.url, "LRS_CLASSIFICATION_RULES": str(rules_file)}
    shown = runner.invoke(main, ["rules", "preview"], env=env, catch_exceptions=False)
    assert shown.exit_code == 0
    assert "informal -> formal: 6" in shown.output
    assert "informal -> other: 1" in shown.output
    done = runner.invoke(main, ["rules", "apply"], env=env, catch_exceptions=False)
    assert done.exit_code == 0
    assert "7 facts changed kind" in done.output
    nothing = runner.invoke(main, ["rules", "preview"], env=env, catch_exceptions=False)
    assert "0 facts would change kind, 0 would change course" in nothing.output
    redone = runner.invoke(main, ["reclassify"], env=env, catch_exceptions=False)
    assert f"{len(EVERYTHING)} statements reclassified" in redone.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nverb = 'x'\nkind = 'maybe'\n", "rule 1: kind must be one of"),
        ("[[rule]]\nkind = 'formal'\n", "rule 1: give at least one of"),
        ("[[rule]]\nverb = 'x'\nkind = 'formal'\ncolour = 'red'\n", "unknown key 'colour'"),
        ("[[course]]\nid = 'a'\nprefix = 'b'\n", "course 1: give exactly one of id, prefix"),
        ("[[course]]\nid = 3\n", "course 1: id must be a non-empty string"),
        ("[[lesson]]\nid = 'a'\n", "unknown table 'lesson'"),
        ("[[rule]\n", "Expected"),
    ],
)
def test_a_bad_rules_file_is_refused_naming_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(BadRequest) as raised:
        classification.load_rules(str(path))
    assert str(path) in raised.value.message
    assert message in raised.value.message


def test_the_first_matching_rule_decides() -> None:
    rules = rules_from_mapping({"rule": [
        {"verb": "http://example.org/v", "kind": "informal"},
        {"verb": "http://example.org/v", "platform": "P", "kind": "formal"},
    ]})  # fmt: skip
    verdict = rules.verdict("http://example.org/v", None, "P", None)
    assert verdict is not None
    assert verdict.kind == "informal"
    assert verdict.reason == "rule: verb http://example.org/v"
