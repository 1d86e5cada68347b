"""Persons over HTTP and at the command line: /api/persons (scope all), `lrs persons`,
the Agents resource answering with every identifier of the person, and `lrs forget
--person` erasing all of them."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient

from lrs.cli import main
from lrs.services import credentials
from lrs.store.engine import Database
from tests.helpers import XapiClient, assert_error
from tests.lrs.api.conftest import ApiClient
from tests.lrs.services.test_persons_merge import (
    BOB_KEY,
    GRACE,
    KEYS,
    MOBILE_SHA1,
    known_data_set,
)
from tests.security.consistency import problems


def _load(xapi: XapiClient) -> None:
    response = xapi.post("statements", json=known_data_set())
    assert response.status_code == 200, response.get_data(as_text=True)


def _by_key(api: ApiClient, key: str) -> dict[str, Any]:
    listed = api.get("persons", query_string={"limit": "1000"}).get_json()
    return next(p for p in listed if key in {i["key"] for i in p["identifiers"]})


def _find(api: ApiClient, text: str) -> dict[str, Any]:
    response = api.get("persons", query_string={"search": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    [found] = response.get_json()
    return dict(found)


def test_search_merge_split_and_undo_over_http(api: ApiClient, xapi: XapiClient) -> None:
    _load(xapi)
    listed = api.get("persons").get_json()
    assert len(listed) == 5
    assert api.get("persons/suggestions").get_json() == []  # four different identifiers
    lms, wiki = _find(api, "10482"), _find(api, "graceh")
    assert (lms["name"], lms["statements"]) == ("Grace Hopper", 3)
    merged = api.post(f"persons/{lms['id']}/merge", json={"other": wiki["id"]})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    body = merged.get_json()
    assert {i["key"] for i in body["identifiers"]} == {KEYS["lms"], KEYS["wiki"]}
    assert body["statements"] == 5
    assert body["changes"][0]["action"] == "merge"
    assert api.get(f"persons/{wiki['id']}").status_code == 404
    split = api.post(f"persons/{lms['id']}/split", json={"identifiers": [KEYS["wiki"]]})
    assert split.status_code == 201, split.get_data(as_text=True)
    assert split.get_json()["statements"] == 2
    again = api.post(f"persons/{lms['id']}/merge", json={"other": split.get_json()["id"]})
    undone = api.post(f"persons/merges/{again.get_json()['changes'][0]['id']}/undo")
    assert undone.status_code == 201
    assert undone.get_json()["name"] == "GraceH"
    assert api.get(f"persons/{lms['id']}").get_json()["statements"] == 3


def test_bad_person_requests_are_400_or_404(api: ApiClient, xapi: XapiClient) -> None:
    _load(xapi)
    lms = _find(api, "10482")
    assert_error(api.post(f"persons/{lms['id']}/merge", json={"other": "x"}), 400, "other")
    assert_error(api.post(f"persons/{lms['id']}/merge", json={"other": lms["id"]}), 400)
    assert_error(api.post(f"persons/{lms['id']}/merge", json={"nope": 1}), 400)
    assert_error(api.post(f"persons/{lms['id']}/split", json={"identifiers": []}), 400)
    assert_error(api.post(f"persons/{lms['id']}/split", json={"identifiers": [KEYS["lms"]]}), 400)
    assert_error(api.post("persons/999999/merge", json={"other": lms["id"]}), 404)
    assert_error(api.post("persons/merges/999999/undo"), 404)
    assert_error(api.get("persons", query_string={"limit": "x"}), 400, "limit")
    assert_error(api.get("persons", query_string={"bogus": "1"}), 400)


def test_persons_need_scope_all(client: FlaskClient, database: Database, xapi: XapiClient) -> None:
    _load(xapi)
    made = credentials.create(database, name="reader", scopes=["all/read"], home_page="http://t")
    reader = ApiClient(client, made.key, made.secret)
    assert_error(reader.get("persons"), 403)
    assert_error(reader.post("persons/1/merge", json={"other": 2}), 403)
    assert_error(reader.get("persons/suggestions"), 403)


def test_the_agents_resource_names_every_identifier_of_the_person(
    api: ApiClient, xapi: XapiClient
) -> None:
    """xAPI Communication 2.6: the Person object joins what the LRS knows of the person.
    Statement queries still match only the identifier given."""
    _load(xapi)
    lms = _find(api, "10482")
    for side in ("blog", "wiki", "mobile"):
        other = _by_key(api, KEYS[side])
        assert (
            api.post(f"persons/{lms['id']}/merge", json={"other": other["id"]}).status_code == 200
        )
    asked = {"objectType": "Agent", "mbox": "mailto:grace@example.com"}
    found = xapi.get("agents", query_string={"agent": json.dumps(asked)}).get_json()
    assert found["objectType"] == "Person"
    assert found["mbox"] == ["mailto:grace@example.com"]
    assert found["mbox_sha1sum"] == [MOBILE_SHA1]
    assert found["account"] == [GRACE["lms"]["account"], GRACE["wiki"]["account"]]
    assert found["name"][:2] == ["Grace", "Grace Hopper"]
    statements = xapi.get("statements", query_string={"agent": json.dumps(asked)}).get_json()
    assert len(statements["statements"]) == 2  # the blog's, not the person's 8
    unknown = {"objectType": "Agent", "mbox": "mailto:nobody@example.com"}
    alone = xapi.get("agents", query_string={"agent": json.dumps(unknown)}).get_json()
    assert alone == {"objectType": "Person", "mbox": ["mailto:nobody@example.com"]}


def test_persons_commands(database_url: str, database: Database, xapi: XapiClient) -> None:
    _load(xapi)
    runner = CliRunner()
    env = {"LRS_DATABASE_URL": database_url}
    listed = runner.invoke(main, ["persons", "list", "--search", "grace"], env=env)
    assert listed.exit_code == 0, listed.output
    assert len(listed.output.splitlines()) == 4
    merged = runner.invoke(
        main, ["persons", "merge", KEYS["lms"], KEYS["blog"], KEYS["wiki"], KEYS["mobile"]],
        env=env,
    )  # fmt: skip
    assert merged.exit_code == 0, merged.output
    person = json.loads(merged.output)
    assert person["statements"] == 8
    shown = runner.invoke(main, ["persons", "show", str(person["id"])], env=env)
    assert json.loads(shown.output)["identifiers"] == person["identifiers"]
    split = runner.invoke(main, ["persons", "split", KEYS["lms"], KEYS["wiki"]], env=env)
    assert split.exit_code == 0, split.output
    assert json.loads(split.output)["statements"] == 2
    undo = runner.invoke(main, ["persons", "undo", str(person["changes"][0]["id"])], env=env)
    assert undo.exit_code == 0, undo.output
    assert json.loads(undo.output)["identifiers"][0]["key"] == KEYS["mobile"]
    missing = runner.invoke(main, ["persons", "show", "mbox:mailto:nobody@example.com"], env=env)
    assert missing.exit_code == 1

    forgot = runner.invoke(main, ["forget", "--person", str(person["id"])], env=env)
    assert forgot.exit_code == 0, forgot.output
    receipt = json.loads(forgot.output)
    assert set(receipt["identities"]) >= {KEYS["lms"], KEYS["blog"]}
    assert receipt["removed"]["person_identifier"] == 2
    left = runner.invoke(main, ["persons", "list"], env=env)
    keys = {line.split("\t")[-1] for line in left.output.splitlines()}
    assert keys == {KEYS["wiki"], KEYS["mobile"], BOB_KEY}
    assert runner.invoke(main, ["forget"], env=env).exit_code == 2
    assert problems(database) == []


def test_name_and_team_set_over_http(api: ApiClient, xapi: XapiClient) -> None:
    _load(xapi)

    def patch(path: str, body: Any) -> Any:
        return api.client.patch(f"/api/{path}", headers=api.headers, json=body)

    lms = _find(api, "10482")
    changed = patch(f"persons/{lms['id']}", {"name": "Grace B. Hopper", "team": "Navy"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    body = changed.get_json()
    assert (body["name"], body["team"], body["team_source"]) == ("Grace B. Hopper", "Navy", "set")
    cleared = patch(f"persons/{lms['id']}", {"team": None}).get_json()
    assert cleared["team"] is None
    assert_error(patch(f"persons/{lms['id']}", {"name": ""}), 400, "name")
    assert_error(patch(f"persons/{lms['id']}", {"age": 3}), 400)
    assert_error(patch("persons/999999", {"name": "x"}), 404)
