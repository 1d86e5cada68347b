"""The Activity Profile and Agent Profile resources over HTTP: the same document rules
as state documents, plus the stricter PUT preconditions of profiles.

Each test runs for both resources, xAPI 1.0.3 and 2.0.0, SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.http import parse_date

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_agent
from tests.helpers import XapiClient, assert_error, scoped_client


@dataclass(frozen=True)
class Resource:
    path: str
    owner: str  # the parameter naming whose profile it is
    owner_value: str

    def params(self, **overrides: Any) -> dict[str, str]:
        """Query parameters of one profile document; ``None`` removes a parameter."""
        params: dict[str, Any] = {self.owner: self.owner_value, "profileId": "preferences"}
        params.update(overrides)
        return {name: value for name, value in params.items() if value is not None}


ACTIVITY_PROFILE = Resource(
    "activities/profile", "activityId", "http://example.com/activities/course-1"
)
AGENT_PROFILE = Resource("agents/profile", "agent", json.dumps(make_agent()))


@pytest.fixture(params=[ACTIVITY_PROFILE, AGENT_PROFILE], ids=["activity", "agent"])
def resource(request: pytest.FixtureRequest) -> Resource:
    value: Resource = request.param
    return value


CREATE = {"If-None-Match": "*"}


def put(xapi: XapiClient, resource: Resource, body: Any, **kw: Any) -> Any:
    headers = kw.pop("headers", CREATE)
    return xapi.put(resource.path, query_string=resource.params(**kw), json=body, headers=headers)


def post(xapi: XapiClient, resource: Resource, body: Any, **kw: Any) -> Any:
    headers = kw.pop("headers", {})
    return xapi.post(resource.path, query_string=resource.params(**kw), json=body, headers=headers)


def get(xapi: XapiClient, resource: Resource, **kw: Any) -> Any:
    return xapi.get(resource.path, query_string=resource.params(**kw))


def test_put_with_if_none_match_then_get(xapi: XapiClient, resource: Resource) -> None:
    """XAPI-00273, XAPI-00287, XAPI-00259, XAPI-00288: PUT 204, GET 200 with the document,
    a quoted SHA-1 ETag (40 hex digits, 1.0.3 suite) and Last-Modified."""
    document = {"colour": "blue", "nested": {"a": [1, 2]}}
    response = put(xapi, resource, document)
    assert response.status_code == 204, response.get_data(as_text=True)
    got = get(xapi, resource)
    assert got.status_code == 200
    assert got.get_json() == document
    assert got.headers["ETag"] == f'"{hashlib.sha1(got.get_data()).hexdigest()}"'
    assert parse_date(got.headers["Last-Modified"]) is not None


def test_put_without_precondition(xapi: XapiClient, resource: Resource) -> None:
    """XAPI-00322, xAPI 1.0.3 Communication 3.1: "If a PUT request is received without
    either header for a resource that already exists, the LRS: MUST return HTTP status
    `409 Conflict`" (IEEE 9274.1.1 4.1.4 says the same). The 409 is for a document that
    already exists; a PUT without either header to an absent profile creates it, in both
    versions (clients such as TinCanPython send no header when they create a profile)."""
    fresh = put(xapi, resource, {"v": 1}, headers={})
    assert fresh.status_code == 204, fresh.get_data(as_text=True)
    assert get(xapi, resource).get_json() == {"v": 1}
    conflict = put(xapi, resource, {"v": 2}, headers={})
    assert_error(conflict, 409)
    assert "If-Match" in conflict.get_json()["error"]["message"]
    assert get(xapi, resource).get_json() == {"v": 1}


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_put_without_precondition_when_required(
    settings: Settings, resource: Resource, version: str
) -> None:
    """LRS_PROFILE_PUT_NEEDS_PRECONDITION: the ADL 1.0.3 test suite's reading of "A Client
    making a PUT request to either the Agent Profile Resource or Activity Profile Resource
    MUST include the If-Match header or the If-None-Match header" (Communication 3.1) as an
    LRS check: such a PUT to an absent profile is a 400 and stores nothing."""
    strict = create_app(dataclasses.replace(settings, profile_put_needs_precondition=True))
    xapi = XapiClient(strict.test_client(), TEST_KEY, TEST_SECRET, version)
    try:
        assert_error(put(xapi, resource, {"v": 1}, headers={}), 400, "If-None-Match")
        assert_error(get(xapi, resource), 404)
        assert put(xapi, resource, {"v": 1}).status_code == 204
        assert_error(put(xapi, resource, {"v": 2}, headers={}), 409)
    finally:
        context.of(strict).database.dispose()


def test_if_match_and_if_none_match(xapi: XapiClient, resource: Resource) -> None:
    """XAPI-00322: wrong If-Match is a 412 for PUT, POST and DELETE; If-None-Match: * on an
    existing document is a 412; the current ETag lets the change through."""
    put(xapi, resource, {"v": 1})
    etag = get(xapi, resource).headers["ETag"]
    wrong = {"If-Match": '"1111111111111111111111111111111111111111"'}
    assert_error(put(xapi, resource, {"v": 2}, headers=wrong), 412)
    assert_error(post(xapi, resource, {"v": 2}, headers=wrong), 412)
    deleted = xapi.delete(resource.path, query_string=resource.params(), headers=wrong)
    assert_error(deleted, 412)
    assert_error(put(xapi, resource, {"v": 2}), 412)
    assert get(xapi, resource).get_json() == {"v": 1}
    assert put(xapi, resource, {"v": 2}, headers={"If-Match": etag}).status_code == 204
    assert get(xapi, resource).get_json() == {"v": 2}
    assert_error(put(xapi, resource, {"v": 3}, headers={"If-Match": etag}), 412)
    weak_and_listed = {"If-Match": f'"nope", W/{get(xapi, resource).headers["ETag"]}'}
    assert put(xapi, resource, {"v": 3}, headers=weak_and_listed).status_code == 204
    etag = get(xapi, resource).headers["ETag"]
    right = xapi.delete(resource.path, query_string=resource.params(), headers={"If-Match": etag})
    assert right.status_code == 204
    assert_error(get(xapi, resource), 404)


def test_post_merges_and_stores(xapi: XapiClient, resource: Resource) -> None:
    """XAPI-00279/00280, XAPI-00313/00314: POST to an absent profile stores it; a second
    POST merges the JSON objects."""
    assert post(xapi, resource, {"car": "Honda"}).status_code == 204
    assert post(xapi, resource, {"type": "Civic"}).status_code == 204
    assert get(xapi, resource).get_json() == {"car": "Honda", "type": "Civic"}


def test_post_needs_json_objects_on_both_sides(xapi: XapiClient, resource: Resource) -> None:
    """XAPI-00278, XAPI-00281: otherwise 400 and nothing changes."""
    post(xapi, resource, {"a": 1})
    for content_type, body in (
        ("application/octet-stream", "abcdefg"),
        ("not/json", "abcdefg"),
        ("application/json", '{"a": 2}{'),
    ):
        response = xapi.post(
            resource.path, query_string=resource.params(), data=body,
            headers={"Content-Type": content_type},
        )  # fmt: skip
        assert_error(response, 400)
    assert get(xapi, resource).get_json() == {"a": 1}
    other = resource.params(profileId="binary")
    xapi.put(
        resource.path, query_string=other, data="/ asdf / undefined",
        headers={"Content-Type": "application/octet-stream", **CREATE},
    )  # fmt: skip
    assert_error(xapi.post(resource.path, query_string=other, json={"a": 1}), 400)
    got = xapi.get(resource.path, query_string=other)
    assert got.get_data() == b"/ asdf / undefined"
    assert got.headers["Content-Type"] == "application/octet-stream"


def test_ids_and_since(xapi: XapiClient, resource: Resource) -> None:
    """XAPI-00270/00275, XAPI-00289/00303/00304: without profileId the ids, and with
    ``since`` only those changed after it."""
    post(xapi, resource, {}, profileId="early")
    time.sleep(0.01)
    marker = _now_iso()
    time.sleep(0.01)
    post(xapi, resource, {}, profileId="late")
    listing = get(xapi, resource, profileId=None)
    assert listing.status_code == 200
    assert sorted(listing.get_json()) == ["early", "late"]
    assert get(xapi, resource, profileId=None, since=marker).get_json() == ["late"]
    head = xapi.head(resource.path, query_string=resource.params(profileId=None))
    assert head.status_code == 200
    assert head.get_data() == b""


def test_profiles_of_others_stay_apart(xapi: XapiClient, resource: Resource) -> None:
    other = (
        "http://example.com/activities/other"
        if resource.owner == "activityId"
        else json.dumps(make_agent("zed"))
    )
    post(xapi, resource, {"mine": True})
    assert_error(get(xapi, resource, **{resource.owner: other}), 404)
    assert get(xapi, resource, profileId=None, **{resource.owner: other}).get_json() == []


def test_last_modified_increases_on_update(xapi: XapiClient, resource: Resource) -> None:
    """2.0 suite (4.1.6.5/4.1.6.6): Last-Modified moves forward on an update."""
    post(xapi, resource, {"v": 1})
    before = parse_date(get(xapi, resource).headers["Last-Modified"])
    time.sleep(1.1)
    post(xapi, resource, {"v": 2})
    after = parse_date(get(xapi, resource).headers["Last-Modified"])
    assert before is not None and after is not None and after > before


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
def test_owner_parameter_is_required(xapi: XapiClient, resource: Resource, method: str) -> None:
    """XAPI-00261..00264, XAPI-00294..00299."""
    response = getattr(xapi, method)(
        resource.path, query_string=resource.params(**{resource.owner: None}),
        json={"a": 1}, headers=CREATE,
    )  # fmt: skip
    assert_error(response, 400, resource.owner)


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_profile_id_is_required_to_change(
    xapi: XapiClient, resource: Resource, method: str
) -> None:
    """XAPI-00265..00267, XAPI-00300..00302: DELETE too needs profileId."""
    response = getattr(xapi, method)(
        resource.path, query_string=resource.params(profileId=None), json={"a": 1},
        headers=CREATE,
    )  # fmt: skip
    assert_error(response, 400, "profileId")


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
@pytest.mark.parametrize("value", ["true", "not json", '{"name": "no identifier"}', "[]"])
def test_malformed_owner(xapi: XapiClient, resource: Resource, method: str, value: str) -> None:
    """XAPI-00255..00258: an agent that is not an Agent, an activityId that is not an IRI."""
    response = getattr(xapi, method)(
        resource.path, query_string=resource.params(**{resource.owner: value}),
        json={"a": 1}, headers=CREATE,
    )  # fmt: skip
    assert_error(response, 400)


@pytest.mark.parametrize("since", ["true", "yesterday"])
def test_since_must_be_a_timestamp(xapi: XapiClient, resource: Resource, since: str) -> None:
    """XAPI-00260, XAPI-00305."""
    assert_error(get(xapi, resource, profileId=None, since=since), 400, "since")


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
def test_unknown_parameters(xapi: XapiClient, resource: Resource, method: str) -> None:
    """XAPI-00324: stateId, registration or a mis-cased name are not profile parameters."""
    for extra in ({"stateId": "x"}, {"registration": "1"}, {"ProfileId": "x"}):
        response = getattr(xapi, method)(
            resource.path, query_string={**resource.params(), **extra}, json={"a": 1},
            headers=CREATE,
        )  # fmt: skip
        assert_error(response, 400)


def test_scopes(
    xapi: XapiClient, resource: Resource, database: Database, client: FlaskClient
) -> None:
    """Communication 4.2: profiles need scope ``profile``; ``all/read`` may only read;
    ``state`` is not enough."""
    post(xapi, resource, {"a": 1})
    reader = scoped_client(client, database, xapi.version, ["all/read"])
    assert get(reader, resource).get_json() == {"a": 1}
    assert_error(post(reader, resource, {"b": 1}), 403)
    assert_error(put(reader, resource, {"b": 1}, headers={}), 403)
    assert_error(reader.delete(resource.path, query_string=resource.params()), 403)
    stranger = scoped_client(client, database, xapi.version, ["state"])
    assert_error(get(stranger, resource), 403)
    owner = scoped_client(client, database, xapi.version, ["profile"])
    assert post(owner, resource, {"b": 1}).status_code == 204
    assert get(owner, resource).get_json() == {"a": 1, "b": 1}


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()
