"""Property-based fuzzing of the statement validator and of the whole HTTP API.

Validator: a valid statement broken in one known-invalid way is always rejected with a
StatementError (never accepted, never another exception). HTTP: random methods, paths,
headers, parameters and bodies through the Flask test client never produce a 500 and
every error is the one shape. Bounded: a few hundred examples, seconds per database.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements import StatementError, validate
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.statements.test_properties import _json, _statement

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str, ...], value: Any) -> Mutation:
    def mutate(statement: dict[str, Any]) -> None:
        target = statement
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value

    return mutate


def _drop(key: str) -> Mutation:
    return lambda statement: statement.pop(key)


def _actor(value: Any) -> Mutation:
    return lambda statement: statement.__setitem__("actor", value)


# Each breaks a rule of xAPI-Data 2.4 that the validator must enforce.
MUTATIONS: dict[str, Mutation] = {
    "no actor": _drop("actor"),
    "no verb": _drop("verb"),
    "no object": _drop("object"),
    "unknown property": _set(("colour",), "blue"),
    "id not a UUID": _set(("id",), "not-a-uuid"),
    "verb id not an IRI": _set(("verb", "id"), "jumped"),
    "verb display not a language map": _set(("verb", "display"), "jumped"),
    "language tag invalid": _set(("verb", "display"), {"not a tag!": "x"}),
    "timestamp not ISO 8601": _set(("timestamp",), "yesterday"),
    "scaled score above 1": _set(("result", "score"), {"scaled": 1.5}),
    "raw score above max": _set(("result", "score"), {"raw": 11, "max": 10}),
    "duration not ISO 8601": _set(("result", "duration"), "ten minutes"),
    "success not boolean": _set(("result", "success"), "yes"),
    "registration not a UUID": _set(("context", "registration"), "reg-1"),
    "extension key not an IRI": _set(("result", "extensions"), {"colour": 1}),
    "mbox without mailto": _actor({"objectType": "Agent", "mbox": "alice@example.com"}),
    "two identifiers": _actor({"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}),
    "agent without identifier": _actor({"objectType": "Agent", "name": "Nobody"}),
    "sha1sum not hex": _actor({"mbox_sha1sum": "xyz"}),
    "group member not a list": _actor({"objectType": "Group", "member": {"mbox": "mailto:a@b.c"}}),
    "anonymous group without members": _actor({"objectType": "Group"}),
    "object type unknown": _set(("object", "objectType"), "Thing"),
    "statement ref without UUID": _set(("object",), {"objectType": "StatementRef", "id": "x"}),
    "activity id not an IRI": _set(("object",), {"objectType": "Activity", "id": "course 1"}),
    "authority group of three": _set(
        ("authority",),
        {
            "objectType": "Group",
            "member": [{"mbox": f"mailto:{n}@example.com"} for n in "abc"],
        },
    ),
    "version not 1.0.x": _set(("version",), "0.95"),
    "statement not an object": lambda statement: statement.clear(),
}


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_statement, st.sampled_from(sorted(MUTATIONS)), st.sampled_from(["1.0.3", "2.0.0"]))
def test_a_valid_statement_broken_in_a_known_way_is_rejected(
    statement: dict[str, Any], mutation: str, version: str
) -> None:
    validate(copy.deepcopy(statement), version)  # the starting point is valid
    broken = copy.deepcopy(statement)
    MUTATIONS[mutation](broken)
    try:
        validate(broken, version)
    except StatementError as error:
        assert error.message
    else:
        raise AssertionError(f"accepted a statement with {mutation}: {broken}")


# --- the HTTP API --------------------------------------------------------------------------

PATHS = [
    "/xapi/statements", "/xapi/activities/state", "/xapi/activities/profile",
    "/xapi/agents/profile", "/xapi/activities", "/xapi/agents", "/xapi/about",
    "/api/admin/forget", "/api/export/statements", "/xapi/nowhere", "/",
]  # fmt: skip
PARAMS = [
    "statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
    "related_activities", "related_agents", "since", "until", "limit", "format",
    "attachments", "ascending", "more", "activityId", "stateId", "profileId", "method",
]  # fmt: skip
_TOKEN = base64.b64encode(f"{TEST_KEY}:{TEST_SECRET}".encode()).decode()
_text = st.text(max_size=40)
_param_value = st.one_of(
    _text,
    st.sampled_from(
        [
            "true",
            "false",
            "0",
            "-1",
            "99999999999",
            "exact",
            "ids",
            "canonical",
            "2024-01-01T00:00:00Z",
            "http://example.com/a",
            "PUT",
            "GET",
        ]
    ),
    st.uuids().map(str),
    _json.map(json.dumps),
)
_headers = st.fixed_dictionaries(
    {},
    optional={
        "X-Experience-API-Version": st.sampled_from(["1.0.3", "2.0.0", "1.0", "0.9", "", "x"]),
        "Authorization": st.sampled_from(
            [f"Basic {_TOKEN}", "Basic", "Basic !!!", "Bearer abc", f"Basic {_TOKEN}x"]
        ),
        "Content-Type": st.sampled_from(
            [
                "application/json",
                "multipart/mixed",
                'multipart/mixed; boundary="b"',
                "application/x-www-form-urlencoded",
                "text/plain",
                "application/octet-stream",
            ]
        ),
        "If-Match": st.sampled_from(['"abc"', "*", "garbage", ""]),
        "If-None-Match": st.sampled_from(['"abc"', "*", ""]),
        "Accept-Language": st.sampled_from(["en-US", "*", "fr;q=0.5, xx", ";;;"]),
    },
)
_body = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda v: json.dumps(v).encode()),
    _statement.map(lambda s: json.dumps(s).encode()),
    st.lists(_statement, max_size=3).map(lambda s: json.dumps(s).encode()),
    st.just(b"--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n"),
)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"]),
    path=st.sampled_from(PATHS),
    params=st.dictionaries(st.sampled_from(PARAMS) | _text, _param_value, max_size=4),
    headers=_headers,
    body=_body,
)
def test_random_requests_never_fail_with_a_500_and_errors_have_one_shape(
    client: FlaskClient,
    method: str,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes,
) -> None:
    response = client.open(path, method=method, query_string=params, headers=headers, data=body)
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, text)
    if response.status_code >= 400 and method != "HEAD":
        error = json.loads(text)["error"]
        assert set(error) == {"code", "message", "path"}
        assert error["message"] and isinstance(error["path"], str)
