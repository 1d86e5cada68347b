"""The State resource over HTTP: single and multiple documents, JSON merge, ETags,
parameters and scopes. Runs for xAPI 1.0.3 and 2.0.0 on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.http import parse_date

from lrs.store.engine import Database
from tests.factories import make_agent
from tests.helpers import XapiClient, assert_error, scoped_client

ACTIVITY = "http://example.com/activities/course-1"


def state(**overrides: Any) -> dict[str, str]:
    """Query parameters of one state document; ``None`` removes a parameter."""
    params: dict[str, Any] = {
        "activityId": ACTIVITY,
        "agent": json.dumps(make_agent()),
        "stateId": "bookmark",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def put_json(xapi: XapiClient, params: dict[str, str], body: Any, **headers: str) -> Any:
    return xapi.put("activities/state", query_string=params, json=body, headers=headers)


def post_json(xapi: XapiClient, params: dict[str, str], body: Any, **headers: str) -> Any:
    return xapi.post("activities/state", query_string=params, json=body, headers=headers)


def get(xapi: XapiClient, params: dict[str, str]) -> Any:
    return xapi.get("activities/state", query_string=params)


def test_put_then_get_returns_the_bytes_with_etag_and_last_modified(xapi: XapiClient) -> None:
    """XAPI-00190, XAPI-00188, XAPI-00322: ETag is the quoted SHA-1 of the content."""
    body = b"\x00\x01binary \xff state"
    response = xapi.put(
        "activities/state",
        query_string=state(),
        data=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.get_data() == b""
    got = get(xapi, state())
    assert got.status_code == 200
    assert got.get_data() == body
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    assert parse_date(got.headers["Last-Modified"]) is not None
    assert got.headers["X-Experience-API-Version"] == xapi.version


def test_content_type_is_kept_as_sent(xapi: XapiClient) -> None:
    response = xapi.put(
        "activities/state",
        query_string=state(),
        data="<p>hé</p>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    assert response.status_code == 204
    got = get(xapi, state())
    assert got.headers["Content-Type"] == "text/html; charset=utf-8"
    assert got.get_data().decode() == "<p>hé</p>"


def test_post_to_an_absent_document_stores_it(xapi: XapiClient) -> None:
    """XAPI-00233: a POST for a document not in the LRS is treated as a PUT."""
    assert post_json(xapi, state(), {"car": "Honda"}).status_code == 204
    got = get(xapi, state())
    assert got.get_json() == {"car": "Honda"}
    assert got.mimetype == "application/json"


def test_post_merges_json_objects_one_level_deep(xapi: XapiClient) -> None:
    """XAPI-00183, XAPI-00184, XAPI-00234: top-level keys merge, nested objects replace."""
    first = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale", "keep": 1}
    second = {"car": {"make": "Dodge"}, "driver": "Jeff", "new": True}
    assert post_json(xapi, state(), first).status_code == 204
    before = get(xapi, state()).headers["ETag"]
    assert post_json(xapi, state(), second).status_code == 204
    got = get(xapi, state())
    assert got.get_json() == {"car": {"make": "Dodge"}, "driver": "Jeff", "keep": 1, "new": True}
    assert got.headers["ETag"] != before
    assert got.headers["ETag"] == f'"{hashlib.sha1(got.get_data()).hexdigest()}"'


def test_post_of_non_json_onto_a_json_document_is_refused(xapi: XapiClient) -> None:
    """XAPI-00229, XAPI-00232: both documents must be JSON objects; nothing changes."""
    assert post_json(xapi, state(), {"a": 1}).status_code == 204
    response = xapi.post(
        "activities/state", query_string=state(), data="abcdefg",
        headers={"Content-Type": "not/json"},
    )  # fmt: skip
    assert_error(response, 400)
    assert get(xapi, state()).get_json() == {"a": 1}


def test_post_of_json_onto_a_non_json_document_is_refused(xapi: XapiClient) -> None:
    """XAPI-00229 (case 2): the stored document is not JSON; nothing changes."""
    xapi.put(
        "activities/state", query_string=state(), data="/ asdf / undefined",
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    assert_error(post_json(xapi, state(), {"a": 1}), 400)
    assert get(xapi, state()).get_data() == b"/ asdf / undefined"


@pytest.mark.parametrize("body", ['{"a": 1}{', "[1, 2]", '"text"', "not json"])
def test_post_of_json_that_is_not_an_object_is_refused(xapi: XapiClient, body: str) -> None:
    """XAPI-00229 (case 3): application/json that is not a JSON object is a 400, whether
    or not a document exists, and the stored one is untouched."""
    headers = {"Content-Type": "application/json"}
    fresh = xapi.post("activities/state", query_string=state(), data=body, headers=headers)
    assert_error(fresh, 400)
    assert get(xapi, state()).status_code == 404
    post_json(xapi, state(), {"a": 1})
    again = xapi.post("activities/state", query_string=state(), data=body, headers=headers)
    assert_error(again, 400)
    assert get(xapi, state()).get_json() == {"a": 1}


def test_post_merge_onto_a_stored_json_array_is_refused(xapi: XapiClient) -> None:
    put_json(xapi, state(), [1, 2])
    assert_error(post_json(xapi, state(), {"a": 1}), 400)
    assert get(xapi, state()).get_json() == [1, 2]


def test_get_of_an_absent_document_is_404(xapi: XapiClient) -> None:
    assert_error(get(xapi, state(stateId="nothing-here")), 404)


def test_registration_keeps_documents_apart(xapi: XapiClient) -> None:
    """XAPI-00218..00220, XAPI-00227: registration is part of the document's key."""
    registration = str(uuid.uuid4())
    post_json(xapi, state(), {"where": "none"})
    post_json(xapi, state(registration=registration), {"where": "registered"})
    assert get(xapi, state()).get_json() == {"where": "none"}
    assert get(xapi, state(registration=registration)).get_json() == {"where": "registered"}
    upper = state(registration=registration.upper())
    assert get(xapi, upper).get_json() == {"where": "registered"}


def test_agent_identity_not_its_spelling_addresses_the_document(xapi: XapiClient) -> None:
    post_json(xapi, state(), {"a": 1})
    same = make_agent(name="Someone else", mbox="mailto:alice@EXAMPLE.com")
    assert get(xapi, state(agent=json.dumps(same))).get_json() == {"a": 1}


def test_multiple_get_lists_ids_and_honours_since(xapi: XapiClient) -> None:
    """XAPI-00193, XAPI-00195, XAPI-00221: ids of the matching states; since is exclusive."""
    for state_id in ("one", "two"):
        post_json(xapi, state(stateId=state_id), {"id": state_id})
    post_json(xapi, state(stateId="elsewhere", activityId=ACTIVITY + "/other"), {})
    listing = get(xapi, state(stateId=None))
    assert listing.status_code == 200
    assert sorted(listing.get_json()) == ["one", "two"]
    assert parse_date(listing.headers["Last-Modified"]) is not None
    time.sleep(0.01)
    marker = _now_iso()
    time.sleep(0.01)
    post_json(xapi, state(stateId="three"), {"id": "three"})
    assert get(xapi, state(stateId=None, since=marker)).get_json() == ["three"]
    later = get(xapi, state(stateId=None, since="2999-01-01T00:00:00Z"))
    assert later.get_json() == []
    assert "Last-Modified" not in later.headers


def test_multiple_get_without_registration_spans_registrations(xapi: XapiClient) -> None:
    registration = str(uuid.uuid4())
    post_json(xapi, state(stateId="plain"), {})
    post_json(xapi, state(stateId="registered", registration=registration), {})
    assert sorted(get(xapi, state(stateId=None)).get_json()) == ["plain", "registered"]
    only = get(xapi, state(stateId=None, registration=registration)).get_json()
    assert only == ["registered"]


def test_delete_one_document(xapi: XapiClient) -> None:
    """XAPI-00187, XAPI-00191, XAPI-00216."""
    post_json(xapi, state(), {"a": 1})
    post_json(xapi, state(stateId="other"), {"b": 2})
    response = xapi.delete("activities/state", query_string=state())
    assert response.status_code == 204
    assert_error(get(xapi, state()), 404)
    assert get(xapi, state(stateId="other")).status_code == 200
    again = xapi.delete("activities/state", query_string=state())
    assert again.status_code == 204


def test_delete_without_state_id_deletes_the_set(xapi: XapiClient) -> None:
    """XAPI-00194: all states of the activity and agent go; other activities stay."""
    registration = str(uuid.uuid4())
    post_json(xapi, state(stateId="a"), {})
    post_json(xapi, state(stateId="b", registration=registration), {})
    post_json(xapi, state(stateId="c", activityId=ACTIVITY + "/other"), {})
    scoped = state(stateId=None, registration=registration)
    assert xapi.delete("activities/state", query_string=scoped).status_code == 204
    assert get(xapi, state(stateId=None)).get_json() == ["a"]
    assert xapi.delete("activities/state", query_string=state(stateId=None)).status_code == 204
    assert get(xapi, state(stateId=None)).get_json() == []
    other = state(stateId=None, activityId=ACTIVITY + "/other")
    assert get(xapi, other).get_json() == ["c"]


def test_put_without_precondition_on_existing_state(xapi: XapiClient) -> None:
    """2.0 (IEEE 9274.1.1 4.1.4, suite 4.1.4): 409 and nothing changes; 1.0.3
    (Communication 3.1) lets state documents be overwritten without headers."""
    assert put_json(xapi, state(), {"v": 1}).status_code == 204
    response = put_json(xapi, state(), {"v": 2})
    if xapi.version == "2.0.0":
        assert_error(response, 409)
        assert response.get_json()["error"]["message"]
        assert get(xapi, state()).get_json() == {"v": 1}
    else:
        assert response.status_code == 204
        assert get(xapi, state()).get_json() == {"v": 2}


def test_if_match_and_if_none_match(xapi: XapiClient) -> None:
    """XAPI-00322: a wrong If-Match is a 412 for PUT, POST and DELETE; the right one passes."""
    put_json(xapi, state(), {"v": 1})
    etag = get(xapi, state()).headers["ETag"]
    for response in (
        put_json(xapi, state(), {"v": 2}, **{"If-Match": '"1234"'}),
        post_json(xapi, state(), {"v": 2}, **{"If-Match": '"1234"'}),
        xapi.delete("activities/state", query_string=state(), headers={"If-Match": '"1234"'}),
        put_json(xapi, state(), {"v": 2}, **{"If-None-Match": "*"}),
        post_json(xapi, state(), {"v": 2}, **{"If-None-Match": "*"}),
    ):
        assert_error(response, 412)
    assert get(xapi, state()).get_json() == {"v": 1}
    assert put_json(xapi, state(), {"v": 2}, **{"If-Match": etag}).status_code == 204
    assert put_json(xapi, state(), {"v": 3}, **{"If-Match": "*"}).status_code == 204
    etag = get(xapi, state()).headers["ETag"]
    assert post_json(xapi, state(), {"w": 1}, **{"If-Match": etag}).status_code == 204
    assert get(xapi, state()).get_json() == {"v": 3, "w": 1}
    etag = get(xapi, state()).headers["ETag"]
    gone = xapi.delete("activities/state", query_string=state(), headers={"If-Match": etag})
    assert gone.status_code == 204
    assert_error(put_json(xapi, state(), {"v": 4}, **{"If-Match": "*"}), 412)
    assert put_json(xapi, state(), {"v": 4}, **{"If-None-Match": "*"}).status_code == 204


def test_last_modified_increases_on_update(xapi: XapiClient) -> None:
    """2.0 suite (4.1.6.2): Last-Modified is present and moves forward on an update."""
    post_json(xapi, state(), {"v": 1})
    before = parse_date(get(xapi, state()).headers["Last-Modified"])
    time.sleep(1.1)
    post_json(xapi, state(), {"v": 2})
    after = parse_date(get(xapi, state()).headers["Last-Modified"])
    assert before is not None and after is not None and after > before


def test_head_answers_like_get_without_a_body(xapi: XapiClient) -> None:
    """XAPI-00125, XAPI-00126."""
    post_json(xapi, state(), {"a": 1})
    single = xapi.head("activities/state", query_string=state())
    assert single.status_code == 200
    assert single.get_data() == b""
    assert single.headers["ETag"] == get(xapi, state()).headers["ETag"]
    listing = xapi.head("activities/state", query_string=state(stateId=None))
    assert listing.status_code == 200
    assert listing.get_data() == b""


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
@pytest.mark.parametrize("missing", ["activityId", "agent"])
def test_required_parameters(xapi: XapiClient, method: str, missing: str) -> None:
    """XAPI-00207..00215: activityId and agent are required by every method."""
    response = getattr(xapi, method)(
        "activities/state", query_string=state(**{missing: None}), json={"a": 1}
    )
    assert_error(response, 400, missing)


@pytest.mark.parametrize("method", ["put", "post"])
def test_state_id_is_required_to_write(xapi: XapiClient, method: str) -> None:
    """XAPI-00206, XAPI-00211."""
    response = getattr(xapi, method)(
        "activities/state", query_string=state(stateId=None), json={"a": 1}
    )
    assert_error(response, 400, "stateId")


BAD_PARAMETERS = [
    ("agent", "not JSON"),
    ("agent", "true"),
    ("agent", '{"objectType": "Agent", "name": "no identifier"}'),
    ("agent", '{"mbox": "alice@example.com"}'),
    ("agent", '{"objectType": "Agent", "account": {"homePage": "http://x.com"}}'),
    ("activityId", "not an iri"),
    ("activityId", "true"),
    ("registration", "true"),
    ("registration", "1234"),
]


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
def test_malformed_parameters(xapi: XapiClient, method: str, name: str, value: str) -> None:
    """XAPI-00196..00203, XAPI-00235: malformed agents, IRIs and UUIDs are a 400."""
    response = getattr(xapi, method)(
        "activities/state", query_string=state(**{name: value}), json={"a": 1}
    )
    error = assert_error(response, 400)
    assert error["path"].startswith(name)


def test_broken_agent_encoding_is_a_400(xapi: XapiClient) -> None:
    """XAPI-00235: the agent parameter's JSON is broken in the URL."""
    broken = json.dumps(make_agent()).replace(":", '"', 1)
    response = post_json(xapi, state(agent=broken), {"a": 1})
    assert_error(response, 400, "agent")


@pytest.mark.parametrize("since", ["not a timestamp", "true", "2020-13-45T00:00:00Z"])
def test_since_must_be_a_timestamp(xapi: XapiClient, since: str) -> None:
    """XAPI-00204."""
    assert_error(get(xapi, state(stateId=None, since=since)), 400, "since")


@pytest.mark.parametrize("method", ["get", "put", "post", "delete"])
def test_unknown_parameters_are_refused(xapi: XapiClient, method: str) -> None:
    """XAPI-00324 (Communication 3.2): unknown or differently cased parameters are a 400."""
    for extra in ({"profileId": "x"}, {"StateId": "x"}):
        response = getattr(xapi, method)(
            "activities/state", query_string={**state(), **extra}, json={"a": 1}
        )
        assert_error(response, 400)


def test_since_is_not_a_parameter_of_writes(xapi: XapiClient) -> None:
    response = put_json(xapi, state(since="2020-01-01T00:00:00Z"), {"a": 1})
    assert_error(response, 400, "since")


def test_version_and_credentials_are_required(xapi: XapiClient) -> None:
    """XAPI-00321 (Communication 3.3) and Communication 4.0: 400 without a version
    header, 401 with wrong or missing credentials."""
    client = xapi.client
    no_version = client.get(
        "/xapi/activities/state", query_string=state(),
        headers={"Authorization": xapi.headers["Authorization"]},
    )  # fmt: skip
    assert_error(no_version, 400)
    bad_version = xapi.get(
        "activities/state", query_string=state(), headers={"X-Experience-API-Version": "0.9"}
    )
    assert_error(bad_version, 400)
    wrong = xapi.put(
        "activities/state", query_string=state(), json={"a": 1},
        headers={"Authorization": "Basic dGVzdC1rZXk6bm9wZQ=="},
    )  # fmt: skip
    assert_error(wrong, 401)
    anonymous = client.get(
        "/xapi/activities/state", query_string=state(),
        headers={"X-Experience-API-Version": xapi.version},
    )  # fmt: skip
    assert_error(anonymous, 401)
    assert get(xapi, state()).status_code == 404


def test_scopes(xapi: XapiClient, database: Database, client: FlaskClient) -> None:
    """Communication 4.2: documents need scope ``state``; ``all/read`` may only read."""
    post_json(xapi, state(), {"a": 1})
    reader = scoped_client(client, database, xapi.version, ["all/read"])
    assert get(reader, state()).get_json() == {"a": 1}
    assert get(reader, state(stateId=None)).get_json() == ["bookmark"]
    assert_error(put_json(reader, state(), {"b": 1}), 403)
    assert_error(post_json(reader, state(), {"b": 1}), 403)
    assert_error(reader.delete("activities/state", query_string=state()), 403)
    writer = scoped_client(client, database, xapi.version, ["statements/write", "statements/read"])
    assert_error(get(writer, state()), 403)
    assert_error(post_json(writer, state(), {"b": 1}), 403)
    owner = scoped_client(client, database, xapi.version, ["state"])
    assert post_json(owner, state(), {"b": 1}).status_code == 204
    assert get(owner, state()).get_json() == {"a": 1, "b": 1}
    assert owner.delete("activities/state", query_string=state(stateId=None)).status_code == 204


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()
