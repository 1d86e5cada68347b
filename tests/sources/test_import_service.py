"""Imports through the service into a real store (SQLite and PostgreSQL), read back over HTTP.

Covers idempotency (a second import stores nothing), resuming from the saved position,
the importer's own credential as authority, rejections that name their line, and that a
failing source keeps what was stored before the failure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from lrs.services import credentials
from lrs.services.imports import import_source
from lrs.store import imports as import_store
from lrs.store.engine import Database
from statements.vocabulary import Verbs
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.helpers import XapiClient
from tests.sources.helpers import FIXTURES, fixture

HOME = "http://lrs.test"


def _get_all(client: FlaskClient, **params: Any) -> list[dict[str, Any]]:
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "1.0.3")
    response = xapi.get("statements", query_string={"limit": 500, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    statements: list[dict[str, Any]] = response.get_json()["statements"]
    return statements


def test_import_then_query_over_http(database: Database, client: FlaskClient) -> None:
    summary = import_source(database, "wiki", str(FIXTURES / "handbook.xml"), home_page=HOME)
    assert (summary.read, summary.stored, summary.skipped, summary.rejected) == (4, 4, 0, [])
    stored = _get_all(client, activity="https://wiki.acme.example/wiki/Onboarding_checklist")
    assert [s["verb"]["id"] for s in stored] == [Verbs.EDITED, Verbs.EDITED, Verbs.CREATED]
    assert stored[0]["authority"]["name"] == "importer"
    assert stored[0]["authority"]["account"]["name"] == "internal-importer"
    grouped = _get_all(client, activity="https://wiki.acme.example/", related_activities="true")
    assert len(grouped) == 4


def test_importing_twice_stores_once(database: Database, client: FlaskClient) -> None:
    path = str(FIXTURES / "courses.csv")
    first = import_source(database, "courses", path, home_page=HOME, batch_size=4)
    assert (first.read, first.stored, first.skipped) == (9, 9, 0)
    again = import_source(database, "courses", path, home_page=HOME, restart=True)
    assert (again.read, again.stored, again.skipped, again.rejected) == (9, 0, 9, [])
    assert len(_get_all(client)) == 9


def test_a_run_resumes_where_the_last_stopped(database: Database, tmp_path: Path) -> None:
    lines = fixture("courses.csv").decode().splitlines(keepends=True)
    path = tmp_path / "courses.csv"
    path.write_text("".join(lines[:5]))
    first = import_source(database, "courses", str(path), home_page=HOME)
    assert (first.read, first.stored, first.position) == (4, 4, "5")
    path.write_text("".join(lines))  # the LMS appended rows to its export
    second = import_source(database, "courses", str(path), home_page=HOME)
    assert (second.read, second.stored, second.skipped, second.position) == (5, 5, 0, "10")
    with database.reading() as session:
        assert import_store.position(session, f"courses:{path}") == "10"
        assert import_store.statement_count(session) == 9


def test_blog_and_comment_feeds_line_up(database: Database, client: FlaskClient) -> None:
    for name in ("wordpress.rss", "wordpress-comments.rss"):
        import_source(database, "blog", str(FIXTURES / name), home_page=HOME)
    post = "https://sales.acme.example/2024/03/discovery-calls/"
    about_post = _get_all(client, activity=post, related_activities="true")
    assert sorted(s["verb"]["id"] for s in about_post) == [
        Verbs.AUTHORED, Verbs.COMMENTED, Verbs.COMMENTED,
    ]  # fmt: skip


def test_mapping_puts_one_person_behind_three_sources(
    database: Database, client: FlaskClient, tmp_path: Path
) -> None:
    mapping = tmp_path / "people.json"
    mapping.write_text(
        json.dumps(
            [
                {
                    "user": "grace@acme.example",
                    "name": "Grace Hopper",
                    "mbox": "grace@acme.example",
                },
                {"user": "GraceH", "name": "Grace Hopper", "mbox": "grace@acme.example"},
                {"user": "Grace Hopper", "name": "Grace Hopper", "mbox": "grace@acme.example"},
            ]
        )
    )
    sources = [
        ("courses", "courses.csv"),
        ("wiki", "handbook.xml"),
        ("blog", "engineering.atom"),
        ("blog", "wordpress-comments.rss"),
    ]
    for kind, name in sources:
        summary = import_source(
            database, kind, str(FIXTURES / name), home_page=HOME, mapping=str(mapping)
        )
        assert not summary.failed, summary
    grace = _get_all(client, agent=json.dumps({"mbox": "mailto:grace@acme.example"}))
    verbs = sorted({s["verb"]["id"].rsplit("/", 1)[1] for s in grace})
    assert verbs == ["author", "commented", "completed", "create", "edited", "launched",
                     "passed", "registered"]  # fmt: skip


def test_rejections_name_their_line_and_the_rest_is_stored(
    database: Database, tmp_path: Path
) -> None:
    good = {"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": Verbs.VIEWED},
            "object": {"id": "http://a.b/c"}}  # fmt: skip
    bad = {**good, "actor": {"mbox": "a@b.c"}}
    lines = [json.dumps({**good, "object": {"id": f"http://a.b/{n}"}}) for n in range(5)]
    lines[2] = json.dumps(bad)
    lines.insert(4, "{not json")
    path = tmp_path / "statements.ndjson"
    path.write_text("\n".join(lines) + "\n")
    summary = import_source(database, "statements", str(path), home_page=HOME, batch_size=10)
    assert (summary.read, summary.stored, summary.skipped) == (6, 4, 0)
    assert [(r.where, r.reason.split(":")[0]) for r in summary.rejected] == [
        ("line 5", "not valid JSON"),
        ("line 3", "actor.mbox"),
    ]
    assert summary.failed


def test_a_broken_source_keeps_what_was_stored(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "courses.csv"
    path.write_bytes(fixture("courses.csv") + b'bob,,"Secure Coding\n')
    summary = import_source(database, "courses", str(path), home_page=HOME, batch_size=2)
    assert summary.stored == 9
    assert summary.error == "line 11: not valid CSV: unexpected end of data"
    with database.reading() as session:
        assert import_store.statement_count(session) == 9


def test_the_importer_credential_is_internal(database: Database) -> None:
    import_source(database, "wiki", str(FIXTURES / "recentchanges.json"), home_page=HOME)
    keys = [principal.key for principal, _, _ in credentials.listing(database)]
    assert "internal-importer" in keys
    principal = credentials.internal_principal(
        database, name="importer", scopes=["statements/write"], home_page=HOME
    )
    assert principal.scopes == frozenset({"statements/write"})
