"""The Activities resource over HTTP: the Activity object as the LRS knows it."""

from __future__ import annotations

import copy

import pytest
from flask.testing import FlaskClient

from lrs.store.engine import Database
from tests.factories import make_activity, make_statement
from tests.helpers import XapiClient, assert_error, scoped_client

ACTIVITY_ID = "http://example.com/activities/meeting-34534"


def test_returns_the_activity_as_sent(xapi: XapiClient) -> None:
    """Communication 2.5.s1: the complete Activity object, exactly as defined."""
    activity = make_activity(ACTIVITY_ID)
    activity["definition"]["moreInfo"] = "http://example.com/more"
    activity["definition"]["extensions"] = {"http://example.com/ext": {"deep": [1, 2]}}
    assert xapi.post("statements", json=make_statement(object=activity)).status_code == 200
    response = xapi.get("activities", query_string={"activityId": ACTIVITY_ID})
    assert response.status_code == 200
    assert response.get_json() == activity


def test_definitions_from_several_statements_are_merged(xapi: XapiClient) -> None:
    """XAPI-00254: two statements with different languages: both names come back."""
    english = make_activity(ACTIVITY_ID)
    english["definition"]["name"] = {"en-US": "example meeting"}
    french = copy.deepcopy(english)
    french["definition"]["name"] = {"fr-FR": "réunion"}
    batch = [make_statement(object=english), make_statement(object=french)]
    assert xapi.post("statements", json=batch).status_code == 200
    definition = xapi.get("activities", query_string={"activityId": ACTIVITY_ID}).get_json()
    assert definition["definition"]["name"] == {"en-US": "example meeting", "fr-FR": "réunion"}


def test_activity_seen_without_definition(xapi: XapiClient) -> None:
    bare = {"objectType": "Activity", "id": ACTIVITY_ID}
    assert xapi.post("statements", json=make_statement(object=bare)).status_code == 200
    response = xapi.get("activities", query_string={"activityId": ACTIVITY_ID})
    assert response.get_json() == bare


def test_unknown_activity_still_gets_an_activity_object(xapi: XapiClient) -> None:
    """IEEE 9274.1.1 4.1.6.4: without a canonical definition the LRS still returns an
    Activity object."""
    unknown = "http://www.example.com/never-before-seen-activityId/1"
    response = xapi.get("activities", query_string={"activityId": unknown})
    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Activity", "id": unknown}


def test_head_has_no_body(xapi: XapiClient) -> None:
    """XAPI-00125/00126."""
    response = xapi.head("activities", query_string={"activityId": ACTIVITY_ID})
    assert response.status_code == 200
    assert response.get_data() == b""


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"activityId": ""},
        {"activityId": "true"},
        {"activityId": "not an iri"},
        {"activityId": ACTIVITY_ID, "agent": "{}"},
        {"activityid": ACTIVITY_ID},
    ],
)
def test_bad_requests(xapi: XapiClient, query: dict[str, str]) -> None:
    """XAPI-00250, Communication 2.5.s1.table1.row1, XAPI-00324."""
    assert_error(xapi.get("activities", query_string=query), 400)


def test_scopes_and_credentials(xapi: XapiClient, database: Database, client: FlaskClient) -> None:
    """Any read scope may read activities; a write-only credential may not."""
    query = {"activityId": ACTIVITY_ID}
    for scopes in (["all/read"], ["statements/read"], ["state"], ["profile"]):
        reader = scoped_client(client, database, xapi.version, scopes)
        assert reader.get("activities", query_string=query).status_code == 200
    writer = scoped_client(client, database, xapi.version, ["statements/write"])
    assert_error(writer.get("activities", query_string=query), 403)
    wrong = xapi.get("activities", query_string=query, headers={"Authorization": "Basic eDp5"})
    assert_error(wrong, 401)
    no_version = client.get(
        "/xapi/activities", query_string=query,
        headers={"Authorization": xapi.headers["Authorization"]},
    )  # fmt: skip
    assert_error(no_version, 400)
