"""A dashboard callback's answer is kept by what was asked and the state of the data it
was read from: asked again on unchanged data it is the same answer (byte for byte, as
computed afresh) without reading the facts; after any write — a statement stored, one
voided, a write by another process — it is computed again and counts what was written."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lrs.http import context
from lrs.services.statements import store_statements
from lrs.store.dialects import data_version
from lrs.store.engine import Database
from statements.vocabulary import Verbs
from tests.lrs.insight.data import statement

SUMMARY = "..overview-kpi-statements.children"
FUNNEL = "..courses-funnel.figure"


def _ask(client: FlaskClient, starts: str, search: str = "") -> dict[str, Any]:
    """The answer of the page callback whose output starts with ``starts``."""
    dependencies = client.get("/dashboards/_dash-dependencies").get_json()
    dependency = next(d for d in dependencies if d["output"].startswith(starts))
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in dependency["output"][2:-2].split("...")]  # fmt: skip

    def value(item: dict[str, Any]) -> Any:
        return search if item["id"].endswith("-query") else None

    body = {
        "output": dependency["output"],
        "outputs": outputs,
        "inputs": [{**item, "value": value(item)} for item in dependency["inputs"]],
        "state": [{**item, "value": value(item)} for item in dependency["state"]],
        "changedPropIds": [],
    }
    response = client.post("/dashboards/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer: dict[str, Any] = response.get_json()["response"]
    return answer


def _version(database: Database) -> Any:
    with database.reading() as session:
        return data_version(session)


def _statements(client: FlaskClient) -> str:
    return str(_ask(client, SUMMARY)["overview-kpi-statements"]["children"])


class _Queries:
    """The SQL statements run but the sign-in's (the session and its user), the data's
    version and the transactions' BEGIN, counted."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        sa.event.listen(database.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        sql = str(args[2])
        signing_in = ("BEGIN", "dashboard_", "data_version", "pg_current_snapshot")
        if not any(part in sql for part in signing_in):
            self.count += 1


@pytest.mark.usefixtures("seeded")
def test_an_answer_asked_again_is_kept_and_the_same(
    app: Flask, signed_in: FlaskClient, database: Database
) -> None:
    queries = _Queries(database)
    kept: dict[tuple[str, str], str] = {}
    for starts, search in ((SUMMARY, ""), (FUNNEL, ""), (SUMMARY, "?team=Alpha")):
        fresh = json.dumps(_ask(signed_in, starts, search), sort_keys=True)
        for _ in range(50):
            # Unchanged data around two asks: the second reads nothing. PostgreSQL's
            # version changes with any write to the cluster (another test's database).
            version = _version(database)
            _ask(signed_in, starts, search)
            before = queries.count
            answer = json.dumps(_ask(signed_in, starts, search), sort_keys=True)
            if version is not None and _version(database) == version:
                assert queries.count == before, "a kept answer reads nothing"
                break
        else:
            pytest.fail("the data's version never stayed for two asks")
        assert answer == fresh
        kept[starts, search] = answer
    assert len(context.of(app).answers) >= 3
    # Computed afresh with nothing kept: the same bytes.
    context.of(app).answers = context.Answers(0)
    for (starts, search), answer in kept.items():
        before = queries.count
        assert json.dumps(_ask(signed_in, starts, search), sort_keys=True) == answer
        assert queries.count > before


@pytest.mark.usefixtures("seeded")
def test_every_write_is_counted_by_the_next_answer(
    signed_in: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    principal = seeded["principal"]
    first = _statements(signed_in)
    assert _statements(signed_in) == first
    assert _statements(signed_in) == first
    new = statement("ann", Verbs.VIEWED, "http://wiki.example.com/extra", "http://activitystrea.ms/schema/1.0/page",
                    "Extra", "20T10:00", platform="wiki")  # fmt: skip
    store_statements(database, [new], version="1.0.3", principal=principal)
    added = _statements(signed_in)
    assert int(added.replace(",", "")) == int(first.replace(",", "")) + 1
    assert _statements(signed_in) == added
    voiding = {
        "actor": {"objectType": "Agent", "mbox": "mailto:admin@example.com"},
        "verb": {"id": Verbs.VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": new["id"]},
    }
    store_statements(database, [voiding], version="1.0.3", principal=principal)
    assert _statements(signed_in) == first
    assert _statements(signed_in) == first
    # Another process (another engine on the same database) writes.
    other = Database(database.url)
    try:
        later = statement("ben", Verbs.VIEWED, "http://wiki.example.com/extra",
                          "http://activitystrea.ms/schema/1.0/page", "Extra", "21T10:00",
                          platform="wiki")  # fmt: skip
        store_statements(other, [later], version="1.0.3", principal=principal)
    finally:
        other.dispose()
    assert int(_statements(signed_in).replace(",", "")) == int(first.replace(",", "")) + 1


def test_nothing_is_kept_when_the_cache_is_off(app: Flask, signed_in: FlaskClient) -> None:
    context.of(app).answers = context.Answers(0)
    for _ in range(3):
        _statements(signed_in)
    assert len(context.of(app).answers) == 0
