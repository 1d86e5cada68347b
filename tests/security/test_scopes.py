"""Scopes (xAPI-Communication 4.2) on every resource: a table of scope, endpoint and
method, plus the two scopes that change results rather than refuse: ``statements/read/mine``
(a credential sees only statements it is the authority of) and ``define`` (only it may
change the LRS's canonical activity definitions and agents).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lrs.services.principal import SCOPES
from lrs.store.engine import Database
from tests.factories import make_activity, make_agent, make_statement
from tests.helpers import XapiClient, assert_error, scoped_client

ACTIVITY = "http://example.com/activities/scoped"
AGENT = json.dumps(make_agent("scoped"))
STATE = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "s1"}
STATES = {"activityId": ACTIVITY, "agent": AGENT}
ACTIVITY_PROFILE = {"activityId": ACTIVITY, "profileId": "p1"}
AGENT_PROFILE = {"agent": AGENT, "profileId": "p1"}
ANY_READ = {"all", "all/read", "statements/read", "statements/read/mine", "state", "profile"}
Request = Callable[[XapiClient], TestResponse]


def _doc_write(method: str, path: str, params: dict[str, str]) -> Request:
    def send(x: XapiClient) -> TestResponse:
        # A PUT with If-None-Match: * is valid in both versions (the document is fresh:
        # the test runs PUT before POST and DELETE); a POST merges.
        headers = {"If-None-Match": "*"} if method == "put" else {}
        return getattr(x, method)(path, query_string=params, json={"k": 1}, headers=headers)

    return send


# (endpoint, method, request, scopes that may do it). Everything else must get 403.
TABLE: list[tuple[str, str, Request, set[str]]] = [
    ("statements", "POST", lambda x: x.post("statements", json=make_statement()),
     {"all", "statements/write"}),
    ("statements", "PUT", lambda x: (s := make_statement()) and x.put(
        "statements", query_string={"statementId": s["id"]}, json=s),
     {"all", "statements/write"}),
    ("statements", "GET", lambda x: x.get("statements"),
     {"all", "all/read", "statements/read", "statements/read/mine"}),
    ("statements", "HEAD", lambda x: x.head("statements"),
     {"all", "all/read", "statements/read", "statements/read/mine"}),
    ("activities/state", "GET", lambda x: x.get("activities/state", query_string=STATES),
     {"all", "all/read", "state"}),
    ("activities/state", "PUT", _doc_write("put", "activities/state", STATE), {"all", "state"}),
    ("activities/state", "POST", _doc_write("post", "activities/state", STATE), {"all", "state"}),
    ("activities/state", "DELETE", lambda x: x.delete("activities/state", query_string=STATE),
     {"all", "state"}),
    ("activities/profile", "GET",
     lambda x: x.get("activities/profile", query_string={"activityId": ACTIVITY}),
     {"all", "all/read", "profile"}),
    ("activities/profile", "PUT", _doc_write("put", "activities/profile", ACTIVITY_PROFILE),
     {"all", "profile"}),
    ("activities/profile", "POST", _doc_write("post", "activities/profile", ACTIVITY_PROFILE),
     {"all", "profile"}),
    ("activities/profile", "DELETE",
     lambda x: x.delete("activities/profile", query_string=ACTIVITY_PROFILE), {"all", "profile"}),
    ("agents/profile", "GET", lambda x: x.get("agents/profile", query_string={"agent": AGENT}),
     {"all", "all/read", "profile"}),
    ("agents/profile", "PUT", _doc_write("put", "agents/profile", AGENT_PROFILE),
     {"all", "profile"}),
    ("agents/profile", "POST", _doc_write("post", "agents/profile", AGENT_PROFILE),
     {"all", "profile"}),
    ("agents/profile", "DELETE",
     lambda x: x.delete("agents/profile", query_string=AGENT_PROFILE), {"all", "profile"}),
    ("activities", "GET", lambda x: x.get("activities", query_string={"activityId": ACTIVITY}),
     ANY_READ | {"define"}),
    ("agents", "GET", lambda x: x.get("agents", query_string={"agent": AGENT}),
     ANY_READ | {"define"}),
    ("about", "GET", lambda x: x.get("about"), set(SCOPES)),
    ("/api/admin/forget", "POST", lambda x: x.client.post(
        "/api/admin/forget", json={"agent": make_agent("nobody"), "dry_run": True},
        headers=x.headers), {"all"}),
]  # fmt: skip


def test_the_table_covers_every_xapi_route(app: Any) -> None:
    routes = {
        (str(rule.rule).removeprefix("/xapi/"), method)
        for rule in app.url_map.iter_rules()
        if str(rule.rule).startswith("/xapi/")
        for method in rule.methods - {"OPTIONS", "HEAD"}  # HEAD is GET without a body
    }
    covered = {(endpoint, method) for endpoint, method, _, _ in TABLE}
    assert routes <= covered, routes - covered


@pytest.mark.parametrize("scope", SCOPES)
def test_each_scope_reaches_exactly_what_it_grants(
    scope: str, client: FlaskClient, database: Database
) -> None:
    xapi = scoped_client(client, database, "2.0.0", [scope])
    for endpoint, method, send, allowed in TABLE:
        response = send(xapi)
        if scope in allowed:
            assert response.status_code < 300, (endpoint, method, response.get_data(as_text=True))
        elif method == "HEAD":
            assert response.status_code == 403, (endpoint, method)
        else:
            error = assert_error(response, 403)
            assert "scope" in error["message"], (endpoint, method)


def test_without_credentials_every_resource_but_about_is_401(client: FlaskClient) -> None:
    anonymous = XapiClient(client, "", "", "2.0.0")
    anonymous.headers.pop("Authorization")
    for endpoint, method, send, _ in TABLE:
        response = send(anonymous)
        if endpoint == "about":
            assert response.status_code == 200
        elif method != "HEAD":
            assert_error(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_and_revoked_credentials_are_401(client: FlaskClient, database: Database) -> None:
    from lrs.services import credentials

    good = scoped_client(client, database, "2.0.0", ["all"])
    assert good.get("statements").status_code == 200
    key = good.headers["Authorization"]
    wrong = XapiClient(client, "nobody", "nothing", "2.0.0")
    assert_error(wrong.get("statements"), 401)
    made = credentials.create(database, name="gone", scopes=["all"], home_page="http://lrs.test")
    gone = XapiClient(client, made.key, made.secret, "2.0.0")
    assert gone.get("statements").status_code == 200
    credentials.revoke(database, made.key)
    assert_error(gone.get("statements"), 401)
    assert good.headers["Authorization"] == key


def _ids(response: TestResponse) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["id"] for s in response.get_json()["statements"]}


def test_read_mine_sees_only_statements_it_is_the_authority_of(
    client: FlaskClient, database: Database, xapi: XapiClient
) -> None:
    mine = scoped_client(
        client, database, xapi.version, ["statements/write", "statements/read/mine"]
    )
    own = [make_statement() for _ in range(3)]
    others = [make_statement() for _ in range(3)]
    assert mine.post("statements", json=own).status_code == 200
    assert xapi.post("statements", json=others).status_code == 200
    own_ids = {s["id"] for s in own}

    assert _ids(mine.get("statements")) == own_ids
    assert _ids(xapi.get("statements")) == own_ids | {s["id"] for s in others}
    assert mine.get("statements", query_string={"statementId": own[0]["id"]}).status_code == 200
    assert_error(mine.get("statements", query_string={"statementId": others[0]["id"]}), 404)
    # Paging keeps the filter, and a `more` token issued to another credential is refused.
    page = mine.get("statements", query_string={"limit": 1}).get_json()
    seen = {page["statements"][0]["id"]}
    while page["more"]:
        page = client.get(page["more"], headers=mine.headers).get_json()
        seen |= {s["id"] for s in page["statements"]}
    assert seen == own_ids
    wide = xapi.get("statements", query_string={"limit": 1}).get_json()["more"]
    assert_error(client.get(wide, headers=mine.headers), 400, "more")
    exported = client.get("/api/export/statements", headers=mine.headers)
    assert exported.status_code == 200
    lines = [json.loads(line) for line in exported.get_data(as_text=True).splitlines() if line]
    assert {s["id"] for s in lines} == own_ids


def _definition(xapi: XapiClient, activity_id: str) -> dict[str, Any]:
    response = xapi.get("activities", query_string={"activityId": activity_id})
    assert response.status_code == 200
    definition: dict[str, Any] = response.get_json().get("definition", {})
    return definition


def test_without_define_canonical_definitions_and_agents_do_not_change(
    client: FlaskClient, database: Database, xapi: XapiClient
) -> None:
    """xAPI-Communication 4.2 `define`: ids are saved, canonical forms are not updated."""
    writer = scoped_client(client, database, xapi.version, ["statements/write"])
    definer = scoped_client(client, database, xapi.version, ["statements/write", "define"])
    first = make_activity("http://example.com/activities/defined")
    renamed = make_activity("http://example.com/activities/defined")
    renamed["definition"]["name"] = {"en-US": "Renamed"}
    learner = make_agent("dana", name="Dana")
    renamed_learner = make_agent("dana", name="Dana Renamed")

    # A new activity and agent are recorded as sent, define or not.
    assert (
        writer.post("statements", json=make_statement(object=first, actor=learner)).status_code
        == 200
    )
    assert _definition(xapi, first["id"])["name"]["en-US"] == "Example activity"
    # Without define, a changed definition and name are stored in the statement only.
    changed = make_statement(object=renamed, actor=renamed_learner)
    assert writer.post("statements", json=changed).status_code == 200
    assert _definition(xapi, first["id"])["name"]["en-US"] == "Example activity"
    person = xapi.get("agents", query_string={"agent": json.dumps(learner)}).get_json()
    assert person["name"] == ["Dana"]
    stored = xapi.get("statements", query_string={"statementId": changed["id"]}).get_json()
    assert stored["object"]["definition"]["name"]["en-US"] == "Renamed"
    # With define, they change.
    assert (
        definer.post(
            "statements", json=make_statement(object=renamed, actor=renamed_learner)
        ).status_code
        == 200
    )
    assert _definition(xapi, first["id"])["name"]["en-US"] == "Renamed"
    person = xapi.get("agents", query_string={"agent": json.dumps(learner)}).get_json()
    assert person["name"] == ["Dana Renamed"]


@pytest.mark.parametrize(
    ("scope", "sees_everyone"),
    [
        ("all", True),
        ("all/read", True),
        ("statements/read", True),
        ("statements/read/mine", False),
        ("state", False),
        ("profile", False),
        ("define", False),
    ],
)
def test_what_a_scope_learns_about_people_from_agents(
    client: FlaskClient, database: Database, xapi: XapiClient, scope: str, sees_everyone: bool
) -> None:
    """GET /xapi/agents: the recorded name of a person only to scopes that read every
    statement, or to a credential whose own statements name them; otherwise the Person
    built from the request alone (as for an agent never seen)."""
    others = make_agent("pat", name="Pat Recorded")
    own = make_agent("quinn", name="Quinn Recorded")
    caller = scoped_client(client, database, xapi.version, ["statements/write", scope])
    assert xapi.post("statements", json=make_statement(actor=others)).status_code == 200
    assert caller.post("statements", json=make_statement(actor=own)).status_code == 200

    def person(agent: dict[str, Any]) -> dict[str, Any]:
        response = caller.get("agents", query_string={"agent": json.dumps({"mbox": agent["mbox"]})})
        assert response.status_code == 200
        found: dict[str, Any] = response.get_json()
        return found

    assert person(own) == {
        "objectType": "Person",
        "name": ["Quinn Recorded"],
        "mbox": [own["mbox"]],
    }
    if sees_everyone:
        assert person(others)["name"] == ["Pat Recorded"]
    else:
        assert person(others) == {"objectType": "Person", "mbox": [others["mbox"]]}
    # Activity definitions describe content, not people: every reading scope gets them.
    activity = caller.get("activities", query_string={"activityId": make_activity()["id"]})
    assert activity.get_json()["definition"]["name"]["en-US"] == "Example activity"


def test_a_writer_alone_may_not_read_people_or_activities(
    client: FlaskClient, database: Database, xapi: XapiClient
) -> None:
    writer = scoped_client(client, database, xapi.version, ["statements/write"])
    assert writer.post("statements", json=make_statement()).status_code == 200
    agent = json.dumps(make_agent())
    assert_error(writer.get("agents", query_string={"agent": agent}), 403)
    assert_error(writer.get("activities", query_string={"activityId": make_activity()["id"]}), 403)
