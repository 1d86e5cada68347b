"""Suggested merges an admin confirms: the same e-mail in another case, the mbox_sha1sum
of a known mbox, the same name with a team in common, a mapping file applied to stored
identifiers; and the configured auto-merge rule, which merges only same-address
suggestions in verified domains."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lrs.cli import main
from lrs.services import persons
from lrs.services import statements as statement_service
from lrs.services.principal import OPERATOR
from lrs.store.engine import Database
from statements.sources import Identities
from tests.lrs.services.test_persons_merge import BOB, BOB_KEY, KEYS, _statement, known_data_set
from tests.lrs.services.test_persons_merge import person_id as owner_of

SHA1 = hashlib.sha1(b"mailto:grace@example.com").hexdigest()
TEAM = {"objectType": "Group", "name": "Blue", "account": {"homePage": "urn:t", "name": "Blue"}}
BOB_BLOG = {"name": "bob", "mbox": "mailto:bob@blog.example.org"}


@pytest.fixture
def stored(database: Database) -> Database:
    page = {"id": "https://blog.example.com/posts/x"}
    extra = [
        _statement({"name": "G", "mbox": "mailto:Grace@Example.com"}, "urn:v:viewed", page, 7),
        _statement({"mbox_sha1sum": SHA1}, "urn:v:viewed", page, 7),
        _statement(BOB, "urn:v:viewed", page, 8, context={"team": TEAM}),
        _statement(BOB_BLOG, "urn:v:viewed", page, 8, context={"team": TEAM}),
    ]
    statement_service.store_statements(
        database, known_data_set() + extra, version="1.0.3", principal=OPERATOR
    )
    return database


def _reasons(found: list[dict[str, Any]]) -> dict[frozenset[str], list[str]]:
    return {frozenset((s["keep"]["identifier"], s["other"]["identifier"])): s["reasons"]
            for s in found}  # fmt: skip


def test_each_kind_of_suggestion(stored: Database) -> None:
    mapping = Identities.from_rows(
        [{"source": "https://wiki.example.com", "user": "GraceH", "mbox": "grace@example.com"}]
    )
    found = _reasons(persons.suggest(stored, OPERATOR, mapping=mapping))
    blog = KEYS["blog"]
    assert found == {
        frozenset((blog, "mbox:mailto:Grace@example.com")): ["same e-mail address"],
        frozenset((blog, f"mbox_sha1sum:{SHA1}")): ["mbox_sha1sum of a known mbox"],
        frozenset((BOB_KEY, "mbox:mailto:bob@blog.example.org")): ["same name and team"],
        frozenset((blog, KEYS["wiki"])): ["mapping file"],
    }
    assert persons.suggest(stored, OPERATOR) != []  # without the mapping: three of them
    assert len(persons.suggest(stored, OPERATOR)) == 3


def test_nothing_is_merged_until_confirmed_and_auto_merge_follows_its_rule(
    stored: Database,
) -> None:
    before = len(persons.list_persons(stored, OPERATOR, limit=1000))
    assert persons.auto_merge(stored, OPERATOR, "") == []
    assert persons.auto_merge(stored, OPERATOR, "other.example") == []
    assert len(persons.list_persons(stored, OPERATOR, limit=1000)) == before
    merged = persons.auto_merge(stored, OPERATOR, "example.com")
    assert len(merged) == 2
    blog = owner_of(stored, KEYS["blog"])
    assert owner_of(stored, f"mbox_sha1sum:{SHA1}") == blog
    assert owner_of(stored, "mbox:mailto:Grace@example.com") == blog
    assert owner_of(stored, BOB_KEY) != owner_of(stored, "mbox:mailto:bob@blog.example.org")


def test_suggest_command_with_a_mapping_file_and_apply(
    stored: Database, database_url: str, tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("source,user,mbox\nhttps://wiki.example.com,GraceH,grace@example.com\n")
    runner = CliRunner()
    env = {"LRS_DATABASE_URL": database_url}
    listed = runner.invoke(main, ["persons", "suggest", "--mapping", str(mapping)], env=env)
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)["suggestions"]) == 4
    applied = runner.invoke(main, ["persons", "suggest", "--mapping", str(mapping), "--apply"],
                            env=env)  # fmt: skip
    assert applied.exit_code == 0, applied.output
    assert len(json.loads(applied.output)["merged"]) == 4
    assert owner_of(stored, KEYS["wiki"]) == owner_of(stored, KEYS["blog"])
    again = runner.invoke(main, ["persons", "suggest"], env=env)
    assert json.loads(again.output)["suggestions"] == []
    auto = runner.invoke(main, ["persons", "auto-merge"], env=env)
    assert json.loads(auto.output) == {"merged": []}
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    assert (
        runner.invoke(main, ["persons", "suggest", "--mapping", str(bad)], env=env).exit_code == 1
    )


def test_which_team_wins(stored: Database, database_url: str, tmp_path: Path) -> None:
    """A team set on the person beats a mapping's, which beats a statement's; a merge
    keeps the stronger."""
    runner = CliRunner()
    env = {"LRS_DATABASE_URL": database_url}
    blog_bob = persons.show(stored, OPERATOR, owner_of(stored, "mbox:mailto:bob@blog.example.org"))
    assert (blog_bob["team"], blog_bob["team_source"]) == ("Blue", "statement")
    mapping = tmp_path / "mapping.json"
    row = {"source": "https://wiki.example.com", "user": "GraceH", "mbox": "grace@example.com",
           "team": "Compilers"}  # fmt: skip
    mapping.write_text(json.dumps([row]))
    applied = runner.invoke(main, ["persons", "suggest", "--mapping", str(mapping), "--apply"],
                            env=env)  # fmt: skip
    assert applied.exit_code == 0, applied.output
    grace = persons.show(stored, OPERATOR, owner_of(stored, KEYS["blog"]))
    assert (grace["team"], grace["team_source"]) == ("Compilers", "mapping")
    # Bob's LMS person had no team: merged with his blog person it took the statement's.
    bob = persons.show(stored, OPERATOR, owner_of(stored, BOB_KEY))
    assert (bob["team"], bob["team_source"]) == ("Blue", "statement")
    shown = runner.invoke(main, ["persons", "set", KEYS["blog"], "--team", "Navy"], env=env)
    assert shown.exit_code == 0, shown.output
    assert (json.loads(shown.output)["team"], json.loads(shown.output)["team_source"]) == (
        "Navy", "set",
    )  # fmt: skip
    # Merged into Bob's person, the set team beats its statement team.
    merged = persons.merge(stored, OPERATOR, bob["id"], grace["id"])
    assert (merged["team"], merged["team_source"]) == ("Navy", "set")
    renamed = persons.update(stored, OPERATOR, bob["id"], name="Robert", clear_team=True)
    assert (renamed["name"], renamed["team"], renamed["team_source"]) == ("Robert", None, None)
