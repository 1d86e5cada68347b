"""Roles scope every read: per role (admin, manager of Alpha, member linked to Ann) and per
endpoint class — Dash callbacks, chart CSVs, the Explorer's downloads and statement JSON,
and every ``/api/aggregates`` entry read with the dashboards' session cookie — nothing
outside the scope leaks, on the known data set where other teams' and persons' rows
exist (``tests.lrs.insight.data``: Ann and Ben in Alpha, Cat and Dan in Beta, Eve in no
team). Basic-auth credentials keep reading everything.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from lrs.cli import main
from lrs.errors import BadRequest
from lrs.insight import registry
from lrs.services import users
from lrs.store.engine import Database
from lrs.store.models import LearningFact
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.helpers import dashboards_sign_in
from tests.lrs.insight.data import actor_key

PASSWORD = "correct horse"
BASIC = {
    "Authorization": "Basic " + base64.b64encode(f"{TEST_KEY}:{TEST_SECRET}".encode()).decode()
}
ROLES = {
    "admin": users.Role("admin"),
    "manager": users.Role("manager", teams=("Alpha",)),
    "member": users.Role("member", person="ann@example.com"),
}
# What each role sees, as the filters a credential would pass for the same rows.
EQUIVALENT = {"admin": {}, "manager": {"team": "Alpha"}, "member": {"person": actor_key("ann")}}
# People each role must never see named (display names and e-mail addresses).
HIDDEN = {"admin": (), "manager": ("cat", "dan", "eve"), "member": ("ben", "cat", "dan", "eve")}
STATEMENTS = {"admin": 20, "manager": 12, "member": 8}
# Who wrote a piece of content is public (the knowledge-flow graph names the authors of
# what the scope's people read or answered): Cat's wiki page, Dan's question.
AUTHORS = ("cat", "dan")
# The pull views' two declared exceptions (``beyond_scope`` of their registry entries,
# tested with them): who reacted to a visible person's content, and public writing as
# evidence of who knows about a topic.
BEYOND_SCOPE = ("me-audience", "me-contributions", "experts-")


@pytest.fixture(params=list(ROLES))
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def signed_in(client: FlaskClient, database: Database, seeded: dict[str, Any], role: str) -> str:
    users.create(database, username=role, password=PASSWORD, role=ROLES[role])
    dashboards_sign_in(client, role, PASSWORD)
    return role


def _leaks(text: str, role: str, public: tuple[str, ...] = ()) -> list[str]:
    return [
        who
        for who in HIDDEN[role]
        if who not in public
        and (re.search(rf"\b{who.title()}\b", text) or f"{who}@example.com" in text)
    ]


def _outputs(spec: str) -> Any:
    if spec.startswith(".."):
        return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                for part in spec[2:-2].split("...")]  # fmt: skip
    return dict(zip(("id", "property"), spec.rsplit(".", 1), strict=True))


def _call(client: FlaskClient, dependency: dict[str, Any], search: str) -> Any:
    def value(item: dict[str, Any]) -> Any:
        if item["id"].endswith("-query") or item["property"] == "search":
            return search
        if item["property"] == "search_value" or item["id"].endswith("-search"):
            return ""
        if item["property"] == "value" and item["id"] == "people-person":
            return None
        return "/dashboards/" if item["property"] == "pathname" else None

    body = {
        "output": dependency["output"],
        "outputs": _outputs(dependency["output"]),
        "inputs": [{**item, "value": value(item)} for item in dependency["inputs"]],
        "state": [{**item, "value": value(item)} for item in dependency["state"]],
        "changedPropIds": [],
    }
    return client.post("/dashboards/_dash-update-component", json=body)


def test_no_dash_callback_names_anyone_outside_the_scope(
    client: FlaskClient, signed_in: str
) -> None:
    """Every callback that reads the page's filters, the URL or a search box, under no
    filter and under filters that name someone outside the scope."""
    dependencies = [
        d
        for d in client.get("/dashboards/_dash-dependencies").get_json()
        if d.get("clientside_function") is None
        and not any(str(i["id"]).startswith("{") for i in d["inputs"])
        and not any(i["property"] == "clickData" for i in d["inputs"])
    ]
    assert len(dependencies) > 20
    answered = 0
    for search in ("?range=all", f"?person={actor_key('cat')}", "?team=Beta"):
        for dependency in dependencies:
            response = _call(client, dependency, search)
            assert response.status_code in (200, 204), dependency["output"]
            if response.status_code == 200:
                answered += 1
                # What the reader typed may be echoed ("the filters leave nothing (…)").
                text = response.get_data(as_text=True).replace(search.split("=")[1], "")
                if any(part in dependency["output"] for part in BEYOND_SCOPE):
                    continue
                public = AUTHORS if "convergence-network" in dependency["output"] else ()
                assert _leaks(text, signed_in, public) == [], (dependency["output"], search)
    assert answered > 60
    if signed_in == "admin":  # the check can see a leak: the admin's pages name them all
        every = "".join(_call(client, d, "?range=all").get_data(as_text=True) for d in dependencies)
        assert all(re.search(rf"\b{who}\b", every) for who in ("Cat", "Dan", "Eve"))


def test_every_chart_csv_and_api_entry_is_the_scope_and_nothing_more(
    client: FlaskClient, signed_in: str
) -> None:
    """Each registry entry: its chart CSV and its /api/aggregates JSON read with the
    session cookie equal what a credential reads with the filter of the scope."""
    someone = {"person": actor_key("ann")}
    required = {"topic": "safety", "course": "http://lms.example.com/courses/safety"}
    for name, entry in registry.AGGREGATES.items():
        extra = someone if "person" in entry.needs else {}
        query = {"from": "2026-03-01", "to": "2026-03-31", **extra,
                 **{p: required[p] for p in entry.required}}  # fmt: skip
        expected = client.get(
            f"/api/aggregates/{name}",
            query_string={**query, **EQUIVALENT[signed_in]},
            headers=BASIC,
        )
        assert expected.status_code == 200, name
        client.environ_base.pop("HTTP_AUTHORIZATION", None)
        mine = client.get(f"/api/aggregates/{name}", query_string=query)
        assert mine.status_code == 200, (name, mine.get_data(as_text=True)[:300])
        if entry.beyond_scope:  # what it shows beyond a scope is tested with the entry
            continue
        assert mine.get_json()["records"] == expected.get_json()["records"], name
        csv = client.get(f"/dashboards/numbers/{name}.csv", query_string=query)
        basic_csv = client.get(
            f"/api/aggregates/{name}",
            query_string={**query, **EQUIVALENT[signed_in], "format": "csv"},
            headers=BASIC,
        )
        assert csv.get_data() == basic_csv.get_data(), name
    summary = client.get("/api/aggregates/summary").get_json()["records"][0]
    assert summary["statements"] == STATEMENTS[signed_in]
    assert (
        client.get("/api/aggregates/summary", headers=BASIC).get_json()["records"][0]["statements"]
        == 20
    )


def test_explorer_downloads_and_statements_stay_in_the_scope(
    client: FlaskClient, database: Database, signed_in: str
) -> None:
    def rows(query: str) -> int:
        text = client.get(f"/dashboards/export.csv{query}").get_data(as_text=True)
        return len(text.strip().splitlines()) - 1

    assert rows("") == STATEMENTS[signed_in]
    ndjson = client.get("/dashboards/export.ndjson").get_data(as_text=True)
    assert len(ndjson.splitlines()) == STATEMENTS[signed_in]
    assert _leaks(ndjson, signed_in) == []
    # A filter only narrows: another team, or another person, is nothing to a manager
    # of Alpha and to Ann.
    assert rows("?team=Beta") == {"admin": 7, "manager": 0, "member": 0}[signed_in]
    assert rows(f"?person={actor_key('ben')}") == {"admin": 4, "manager": 4, "member": 0}[signed_in]
    with database.reading() as session:
        seqs = dict(
            session.execute(
                select(LearningFact.actor_key, LearningFact.seq).order_by(LearningFact.seq)
            ).all()
        )
    for who, visible in (
        ("ann", True),
        ("ben", signed_in != "member"),
        ("cat", signed_in == "admin"),
    ):
        title, text = _open_statement(client, seqs[actor_key(who)])
        assert (title != "Statement not found") is visible, who
        assert (f"{who}@example.com" in text) is visible, who


def test_a_forged_statement_click_opens_nothing(client: FlaskClient, signed_in: str) -> None:
    """Clicks that are no list of counts (a forged request) open nothing, never a 500."""
    for clicks in (None, 3, "x", []):
        body = {
            "output": "..explorer-statement-title.children...explorer-statement.children..."
            "explorer-statement-modal.is_open..",
            "outputs": [
                {"id": "explorer-statement-title", "property": "children"},
                {"id": "explorer-statement", "property": "children"},
                {"id": "explorer-statement-modal", "property": "is_open"},
            ],
            "inputs": [
                {
                    "id": '{"seq":["ALL"],"type":"explorer-open"}',
                    "property": "n_clicks",
                    "value": clicks,
                }
            ],
            "state": [],
            "changedPropIds": [],
        }
        response = client.post("/dashboards/_dash-update-component", json=body)
        assert response.status_code in (200, 204), (clicks, response.status_code)


def _open_statement(client: FlaskClient, seq: int) -> tuple[str, str]:
    """The Explorer's row link for statement ``seq``, as a forged click would send it."""
    opener = {"type": "explorer-open", "seq": seq}
    body = {
        "output": "..explorer-statement-title.children...explorer-statement.children..."
        "explorer-statement-modal.is_open..",
        "outputs": [
            {"id": "explorer-statement-title", "property": "children"},
            {"id": "explorer-statement", "property": "children"},
            {"id": "explorer-statement-modal", "property": "is_open"},
        ],
        "inputs": [[{"id": opener, "property": "n_clicks", "value": 1}]],
        "state": [],
        "changedPropIds": [json.dumps(opener, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
    }
    response = client.post("/dashboards/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    return answer["explorer-statement-title"]["children"], answer["explorer-statement"]["children"]


def test_the_api_takes_the_session_cookie_only_to_read_aggregates(
    client: FlaskClient, seeded: dict[str, Any], database: Database
) -> None:
    users.create(database, username="manager", password=PASSWORD, role=ROLES["manager"])
    assert client.get("/api/aggregates/summary").status_code == 401
    dashboards_sign_in(client, "manager", PASSWORD)
    assert client.get("/api/aggregates").status_code == 200
    assert client.get("/api/aggregates/summary").status_code == 200
    # The pull views too: a manager names a person of their team.
    me = client.get("/api/people/me", query_string={"person": actor_key("ben")})
    assert me.status_code == 200 and me.get_json()["summary"]["statements"] == 4
    cat = client.get("/api/people/me", query_string={"person": actor_key("cat")})
    assert cat.get_json()["summary"]["statements"] == 0
    assert client.get("/api/people/me").status_code == 400
    # Other /api/ views still need a credential, whatever the cookie.
    assert client.get("/api/persons").status_code == 401
    assert client.get("/api/export/statements.ndjson").status_code in (401, 404)


def test_roles_are_checked_and_follow_the_person(
    database: Database, seeded: dict[str, Any]
) -> None:
    for wrong, field in (
        (users.Role("manager"), "teams"),
        (users.Role("member"), "person"),
        (users.Role("member", person="nobody@example.com"), "person"),
        (users.Role("admin", teams=("Alpha",)), "teams"),
        (users.Role("manager", teams=("Alpha",), person="ann@example.com"), "person"),
        (users.Role("viewer"), "role"),
    ):
        with pytest.raises(BadRequest) as raised:
            users.create(database, username="x", password=PASSWORD, role=wrong)
        assert raised.value.path == field, wrong
    ann = users.create(database, username="ann", password=PASSWORD, role=ROLES["member"])
    assert (ann.person_identifier, ann.person_key, ann.person_name) == (
        "mbox:mailto:ann@example.com", actor_key("ann"), "Ann",
    )  # fmt: skip
    # By the person's key, or its id: the same link.
    with database.reading() as session:
        from lrs.store import persons

        person = persons.by_key(session, actor_key("cat"))
        assert person is not None
    for named in (actor_key("cat"), str(person.id), "mailto:CAT@EXAMPLE.COM".lower()):
        user = users.set_role(database, username="ann", role=users.Role("member", person=named))
        assert user.person_key == actor_key("cat"), named


def test_the_command_line_manages_roles(database_url: str, seeded: dict[str, Any]) -> None:
    env = {"LRS_DATABASE_URL": database_url}

    def run(*args: str, password: str | None = None) -> str:
        result = CliRunner().invoke(main, list(args), input=password, env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run("users", "create", "--username", "mia", "--role", "member", "--person",
        "ann@example.com", "--password-stdin", password=PASSWORD + "\n")  # fmt: skip
    run("users", "create", "--username", "max", "--role", "manager", "--team", "Alpha",
        "--team", "Beta", "--password-stdin", password=PASSWORD + "\n")  # fmt: skip
    assert run("users", "list").splitlines() == [
        "max\tmanager of Alpha, Beta",
        "mia\tmember: Ann (mbox:mailto:ann@example.com)",
    ]
    run("users", "set-role", "mia", "--role", "manager", "--team", "Beta")
    assert "mia\tmanager of Beta" in run("users", "list")
    failed = CliRunner().invoke(
        main, ["users", "set-role", "mia", "--role", "member", "--person", "nobody"], env=env
    )
    assert failed.exit_code != 0 and "no person is known as 'nobody'" in failed.output
