"""The Agents resource over HTTP: the Person object of an agent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from lrs.store.engine import Database
from tests.factories import make_agent, make_statement
from tests.helpers import XapiClient, assert_error, scoped_client


def person(xapi: XapiClient, agent: dict[str, Any]) -> Any:
    return xapi.get("agents", query_string={"agent": json.dumps(agent)})


@pytest.mark.parametrize(
    "identity",
    [
        {"mbox": "mailto:alice@example.com"},
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        {"openid": "http://openid.example.com/alice"},
        {"account": {"homePage": "http://www.example.com", "name": "alice"}},
    ],
)
def test_person_of_a_known_agent(xapi: XapiClient, identity: dict[str, Any]) -> None:
    """XAPI-00237..00242, XAPI-00244, XAPI-00248: objectType Person, every property an
    array, the name the LRS has seen."""
    actor = {"objectType": "Agent", "name": "Alice Known", **identity}
    assert xapi.post("statements", json=make_statement(actor=actor)).status_code == 200
    response = person(xapi, {"objectType": "Agent", **identity})
    assert response.status_code == 200
    [(prop, value)] = identity.items()
    assert response.get_json() == {"objectType": "Person", "name": ["Alice Known"], prop: [value]}


def test_latest_name_is_returned(xapi: XapiClient) -> None:
    for name in ("Alice Old", "Alice New"):
        xapi.post("statements", json=make_statement(actor=make_agent(name=name)))
    assert person(xapi, make_agent(name=None)).get_json()["name"] == ["Alice New"]


def test_mbox_is_matched_case_insensitively_in_the_domain(xapi: XapiClient) -> None:
    xapi.post("statements", json=make_statement(actor=make_agent()))
    got = person(xapi, make_agent(name=None, mbox="mailto:alice@EXAMPLE.COM")).get_json()
    assert got["name"] == ["Alice"]


def test_unknown_agent_gets_a_person_from_the_request(xapi: XapiClient) -> None:
    """XAPI-00236: GET with an agent the LRS has never seen is still a 200 Person."""
    agent = {
        "objectType": "Agent",
        "name": "Rick James",
        "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"},
    }
    response = person(xapi, agent)
    assert response.status_code == 200
    assert response.get_json() == {
        "objectType": "Person",
        "name": ["Rick James"],
        "account": [agent["account"]],
    }
    nameless = person(xapi, make_agent("zed", name=None)).get_json()
    assert nameless == {"objectType": "Person", "mbox": ["mailto:zed@example.com"]}


def test_head_has_no_body(xapi: XapiClient) -> None:
    """XAPI-00125/00126."""
    response = xapi.head("agents", query_string={"agent": json.dumps(make_agent())})
    assert response.status_code == 200
    assert response.get_data() == b""


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"agent": ""},
        {"agent": "not json"},
        {"agent": "true"},
        {"agent": json.dumps({"objectType": "Agent", "name": "Rick James"})},
        {"agent": json.dumps({"objectType": "Agent", "mbox": "alice@example.com"})},
        {"agent": json.dumps(make_agent()), "activityId": "http://example.com/a"},
        {"Agent": json.dumps(make_agent())},
    ],
)
def test_bad_requests(xapi: XapiClient, query: dict[str, str]) -> None:
    """XAPI-00243, XAPI-00249, XAPI-00324."""
    assert_error(xapi.get("agents", query_string=query), 400)


def test_scopes(xapi: XapiClient, database: Database, client: FlaskClient) -> None:
    query = {"agent": json.dumps(make_agent())}
    reader = scoped_client(client, database, xapi.version, ["statements/read/mine"])
    assert reader.get("agents", query_string=query).status_code == 200
    writer = scoped_client(client, database, xapi.version, ["statements/write"])
    assert_error(writer.get("agents", query_string=query), 403)
    assert_error(xapi.get("agents", query_string=query, headers={"Authorization": ""}), 401)
