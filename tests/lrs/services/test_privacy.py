"""Privacy operations: forgetting a person everywhere and dropping old statements, on
SQLite and PostgreSQL, through the service, the admin API and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.testing import FlaskClient

from lrs.cli import main
from lrs.errors import BadRequest, Forbidden
from lrs.services import credentials, privacy
from lrs.services import statements as statement_service
from lrs.services.principal import OPERATOR, Principal
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import (
    VERB_VOIDED,
    make_activity,
    make_agent,
    make_group,
    make_statement,
    make_statement_ref,
    make_sub_statement,
    make_verb,
)
from tests.helpers import XapiClient, assert_error, scoped_client
from tests.security.consistency import problems

ALICE = make_agent("alice")
BOB = make_agent("bob")
ALICE_KEY = "mbox:mailto:alice@example.com"
ATTACHMENT = b"alice's certificate"


def _principal(database: Database) -> Principal:
    principal = credentials.authenticate(database, TEST_KEY, TEST_SECRET)
    assert principal is not None
    return principal


def _store(database: Database, *statements: dict[str, Any], now: dt.datetime | None = None) -> None:
    statement_service.store_statements(
        database, list(statements), version="1.0.3", principal=_principal(database), now=now
    )


def _count(database: Database, table: str, where: str = "1=1", **params: Any) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE {where}"), params
            ).scalar_one()
        )


def _ids(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(connection.execute(sa.text("SELECT id FROM statement")).scalars())


def _multipart(statement: dict[str, Any], content: bytes) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = b"".join(
        [
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
            orjson.dumps(statement),
            f"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: "
            f"binary\r\nX-Experience-API-Hash: {hashlib.sha256(content).hexdigest()}"
            "\r\n\r\n".encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f'multipart/mixed; boundary="{boundary}"'


def _attached(statement: dict[str, Any], content: bytes) -> dict[str, Any]:
    statement["attachments"] = [
        {
            "usageType": "http://example.com/usage/certificate",
            "display": {"en-US": "certificate"},
            "contentType": "text/plain",
            "length": len(content),
            "sha2": hashlib.sha256(content).hexdigest(),
        }
    ]
    return statement


@pytest.fixture
def world(database: Database, xapi: XapiClient) -> dict[str, Any]:
    """Alice in every role, Bob's own statements, references and documents of both."""
    sha1 = hashlib.sha1(b"mailto:alice@example.com").hexdigest()
    s: dict[str, dict[str, Any]] = {
        "actor": make_statement(actor=ALICE),
        "object": make_statement(actor=BOB, object=ALICE),
        "member": make_statement(actor=make_group(ALICE, BOB)),
        "instructor": make_statement(actor=BOB, context={"instructor": ALICE}),
        "team": make_statement(actor=BOB, context={"team": make_group(ALICE, make_agent("eve"))}),
        "sub": make_statement(actor=BOB, object=make_sub_statement(actor=ALICE)),
        "sha1": make_statement(actor={"mbox_sha1sum": sha1}),
        "bob": make_statement(actor=BOB, object=make_activity("http://example.com/a/bob")),
    }
    _store(database, *s.values())
    # Bob voids Alice's statement; Carol comments on Alice's statement (StatementRef).
    s["voids_alice"] = make_statement(
        actor=BOB, verb=make_verb(VERB_VOIDED), object=make_statement_ref(s["object"]["id"])
    )
    s["refers"] = make_statement(
        actor=make_agent("carol"), object=make_statement_ref(s["actor"]["id"])
    )
    _store(database, s["voids_alice"], s["refers"])
    # Attachments: one only Alice's statement has, one shared with Bob's.
    shared = b"shared handout"
    for statement, content in (
        (_attached(make_statement(actor=ALICE), ATTACHMENT), ATTACHMENT),
        (_attached(make_statement(actor=ALICE), shared), shared),
        (_attached(make_statement(actor=BOB), shared), shared),
    ):
        body, content_type = _multipart(statement, content)
        response = xapi.post("statements", data=body, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.get_data(as_text=True)
        s[f"attached-{statement['actor']['name']}-{len(s)}"] = statement
    for who in (ALICE, BOB):
        agent = json.dumps(who)
        response = xapi.put(
            "activities/state",
            query_string={
                "activityId": "http://example.com/a/1",
                "agent": agent,
                "stateId": "bookmark",
            },
            json={"page": 3},
        )
        assert response.status_code == 204, response.get_data(as_text=True)
        response = xapi.put(
            "agents/profile",
            query_string={"agent": agent, "profileId": "prefs"},
            json={"theme": "dark"},
            headers={"If-None-Match": "*"},
        )
        assert response.status_code == 204, response.get_data(as_text=True)
    return s


def test_forget_erases_a_person_everywhere_and_keeps_the_store_consistent(
    database: Database, world: dict[str, Any], xapi: XapiClient
) -> None:
    receipt = privacy.forget(database, OPERATOR, ALICE).as_json()

    left = _ids(database)
    gone = {"actor", "object", "member", "instructor", "team", "sub", "sha1", "voids_alice"}
    for name in gone:
        assert world[name]["id"] not in left, name
    assert {world["bob"]["id"], world["refers"]["id"]} <= left
    attached = [k for k in world if k.startswith("attached-")]
    assert [world[k]["id"] in left for k in attached] == [False, False, True]
    removed = receipt["removed"]
    assert removed["statement"] == len(gone) + 2
    assert removed["attachment"] == 1  # the shared one stays for Bob's statement
    assert removed["document"] == 2  # Alice's state and agent profile
    assert removed["agent"] >= 1
    assert removed["learning_fact"] >= 1
    assert receipt["reindexed_statements"] == 1  # Carol's comment lost Alice's rows
    assert ALICE_KEY in receipt["identities"]
    assert not receipt["dry_run"]

    assert _count(database, "index_key", "key LIKE :k", k="%alice%") == 0
    assert _count(database, "agent", "agent_key LIKE :k", k="%alice%") == 0
    assert _count(database, "learning_fact", "actor_key LIKE :k", k="%alice%") == 0
    assert _count(database, "document", "agent_key LIKE :k", k="%alice%") == 0
    assert _count(database, "document") == 2  # Bob's
    assert problems(database) == []
    response = xapi.get(
        "statements", query_string={"agent": json.dumps(ALICE), "related_agents": "true"}
    )
    assert response.get_json()["statements"] == []


def test_forget_dry_run_changes_nothing_and_counts_what_a_run_removes(
    database: Database, world: dict[str, Any]
) -> None:
    before = _ids(database)
    dry = privacy.forget(database, OPERATOR, ALICE, dry_run=True).as_json()
    assert _ids(database) == before
    assert _count(database, "document") == 4
    real = privacy.forget(database, OPERATOR, ALICE).as_json()
    assert dry["dry_run"] and not real["dry_run"]
    assert dry["removed"] == real["removed"]


def test_forget_refuses_what_is_not_one_agent(database: Database) -> None:
    for bad in ({"name": "no identifier"}, make_group(ALICE), "alice", {"mbox": "alice"}):
        with pytest.raises(BadRequest):
            privacy.forget(database, OPERATOR, bad)


def test_forget_over_http_needs_scope_all(
    client: FlaskClient, database: Database, world: dict[str, Any], xapi: XapiClient
) -> None:
    for scopes in (["all/read"], ["statements/write", "statements/read", "define"]):
        limited = scoped_client(client, database, "1.0.3", scopes)
        response = client.post("/api/admin/forget", json={"agent": ALICE}, headers=limited.headers)
        assert_error(response, 403)
    assert_error(client.post("/api/admin/forget", json={"agent": ALICE}), 401)
    response = client.post("/api/admin/forget", json={"agent": {"name": "x"}}, headers=xapi.headers)
    assert_error(response, 400)
    response = client.post(
        "/api/admin/forget", json={"agent": ALICE, "dry_run": True}, headers=xapi.headers
    )
    assert response.status_code == 200
    assert response.get_json()["dry_run"] is True
    assert world["actor"]["id"] in _ids(database)
    response = client.post("/api/admin/forget", json={"agent": ALICE}, headers=xapi.headers)
    assert response.status_code == 200
    assert response.get_json()["removed"]["statement"] > 0
    assert world["actor"]["id"] not in _ids(database)


def test_retention_drops_old_statements_in_consistent_batches(database: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    old = [make_statement(actor=make_agent(f"old{i}")) for i in range(5)]
    _store(database, *old, now=now - dt.timedelta(days=400))
    recent = make_statement()
    # A recent voiding statement of an old one goes with it; a recent StatementRef to an
    # old one stays, without the index rows it inherited.
    voiding = make_statement(verb=make_verb(VERB_VOIDED), object=make_statement_ref(old[0]["id"]))
    referring = make_statement(object=make_statement_ref(old[1]["id"]))
    _store(database, recent, voiding, referring, now=now - dt.timedelta(days=3))

    dry = privacy.retention(database, OPERATOR, older_than=dt.timedelta(days=365), dry_run=True)
    assert len(_ids(database)) == 8
    receipt = privacy.retention(
        database, OPERATOR, older_than=dt.timedelta(days=365), batch_size=2
    ).as_json()
    assert _ids(database) == {recent["id"], referring["id"]}
    assert receipt["removed"]["statement"] == 6
    assert receipt["removed"] == dry.as_json()["removed"]
    assert _count(database, "index_key", "key LIKE :k", k="%old1%") == 0
    assert problems(database) == []


def test_retention_refuses_a_non_positive_age() -> None:
    with pytest.raises(BadRequest):
        privacy.parse_age("0d")
    with pytest.raises(BadRequest):
        privacy.parse_age("soon")
    assert privacy.parse_age("365d") == dt.timedelta(days=365)
    assert privacy.parse_age("2w") == dt.timedelta(days=14)


def test_erasing_needs_scope_all(database: Database) -> None:
    made = credentials.create(
        database, name="reader", scopes=["all/read"], home_page="http://lrs.test"
    )
    with pytest.raises(Forbidden):
        privacy.forget(database, made.principal, ALICE)
    with pytest.raises(Forbidden):
        privacy.retention(database, made.principal, older_than=dt.timedelta(days=1))


def test_commands_print_receipts(
    database_url: str, database: Database, world: dict[str, Any]
) -> None:
    runner = CliRunner()
    env = {"LRS_DATABASE_URL": database_url}
    result = runner.invoke(main, ["forget", json.dumps(ALICE), "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["dry_run"] is True
    result = runner.invoke(main, ["forget", json.dumps(ALICE)], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["removed"]["statement"] > 0
    result = runner.invoke(main, ["forget", "{not json"], env=env)
    assert result.exit_code == 2
    result = runner.invoke(main, ["retention", "--older-than", "365d", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["removed"]["statement"] == 0
    result = runner.invoke(main, ["retention", "--older-than", "-1d"], env=env)
    assert result.exit_code == 2
    assert str(uuid.uuid4())  # the store stayed usable
    assert problems(database) == []
