"""Hostile values in every xAPI resource, one at a time in an otherwise valid request, get
an answer or a 4xx in the one error shape, never a 500.

A statement gets, at one of its properties, a JSON value of another type, a number past
any float or BIGINT, NaN or Infinity (which JSON has not), a lone surrogate, a string of
thousands of characters, an odd language map, timestamp, duration or IRI. Every
parameter of statements, state, activity and agent profile, activities and agents gets
such a value, once alone and once repeated after the valid one; a document arrives with
an odd Content-Type or a body that is no JSON (invalid UTF-8, nesting past the limit).
Bounded: ``EXAMPLES`` requests per property and database, a few seconds each.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from tests.helpers import XapiClient
from tests.security.inputs import EXAMPLES

_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# JSON text of hostile values, some of which no JSON encoder writes (NaN, 1e400, "\ud800").
TOKENS = [
    "null", "true", "0", "-1", "1.5", "-0", "1e308", "-1e308", "1e400", "-1e400", "NaN",
    "Infinity", "-Infinity", "9223372036854775808", "-9223372036854775809",
    "123456789012345678901234567890", '""', '" "', '"\\u0000"', '"\\ud800"',
    '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"' + "a" * 5000 + '"', '"' + "\\u00e9" * 3000 + '"',
    "[]", "{}", "[[[[[[]]]]]]", "[null]", '["x"]', "[{}]", '{"en-US": 1}', '{"": "x"}',
    '{"en-US": null}', '{"not a tag!": "x"}', '{"http://example.com/x": NaN}',
    '{"a": {"b": [1, {"c": Infinity}]}}', '"2024-13-45T99:99:99Z"', '"0000-01-01T00:00:00Z"',
    '"9999-12-31T23:59:59.999999999Z"', '"2024-01-01T00:00:00+99:00"',
    '"2024-01-01T00:00:00-00:00"', '"P"', '"-PT1S"', '"P99999999999999999999Y"',
    '"PT1e400S"', '"http://"', '"http://[::1"', '"urn:"', '"mailto:"', '"%"',
    '"http://\\u4f8b.jp/\\u202e"', '{"objectType": "Group"}', '{"objectType": "SubStatement"}',
    '{"objectType": "StatementRef", "id": "x"}', '"00000000-0000-0000-0000-000000000000"',
    '"2.0.99999999999999999"',
]  # fmt: skip
PROPERTIES = [
    "id", "actor", "actor.mbox", "actor.name", "actor.objectType", "actor.account",
    "actor.account.homePage", "actor.account.name", "actor.mbox_sha1sum", "actor.openid",
    "actor.member", "verb", "verb.id", "verb.display", "object", "object.id",
    "object.objectType", "object.definition", "object.definition.name",
    "object.definition.type", "object.definition.moreInfo", "object.definition.extensions",
    "object.definition.interactionType", "object.definition.correctResponsesPattern",
    "object.definition.choices", "result", "result.score", "result.score.raw",
    "result.score.min", "result.score.max", "result.score.scaled", "result.success",
    "result.response", "result.duration", "result.extensions", "context",
    "context.registration", "context.instructor", "context.team",
    "context.contextActivities", "context.contextActivities.parent", "context.revision",
    "context.language", "context.statement", "context.extensions", "context.contextAgents",
    "timestamp", "stored", "authority", "version", "attachments",
]  # fmt: skip
# Parameter values: hostile ones, and valid ones of other parameters (a UUID as a verb).
VALUES = [
    "", " ", "x", "0", "-1", "1e400", "NaN", "9223372036854775808", "true", "null", "[]", "{}",
    "[" * 80 + "]" * 80, '{"mbox": NaN}', '{"mbox": "mailto:a@b.c", "objectType": "Group"}',
    '{"objectType": "Group", "member": []}', '{"account": {"homePage": "http://[::1", "name": 1}}',
    '{"mbox": "mailto:\\ud800@b.c"}', '{"mbox_sha1sum": 5}', '"mailto:a@b.c"',
    "2024-13-45T99:99:99Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
    "2024-01-01T00:00:00+24:00", "2024-01-01", "http://", "http://[::1",
    "http://\u4f8b.jp/\u202e", "%ff", "a" * 3000, "\u00e9" * 2000, "\ud800", "\U0001f600",
    "00000000-0000-0000-0000-000000000000", "{" + str(uuid.UUID(int=1)) + "}", "exact", "TRUE",
]  # fmt: skip
AGENT = '{"mbox": "mailto:a@example.com"}'
ACTIVITY = "http://example.com/activities/a"
RESOURCES: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "statements", {}),
    ("GET", "statements", {"statementId": str(uuid.UUID(int=7))}),
    ("PUT", "statements", {"statementId": str(uuid.UUID(int=8))}),
    ("GET", "activities/state", {"activityId": ACTIVITY, "agent": AGENT, "stateId": "s"}),
    ("PUT", "activities/state", {"activityId": ACTIVITY, "agent": AGENT, "stateId": "s"}),
    ("POST", "activities/state", {"activityId": ACTIVITY, "agent": AGENT, "stateId": "s"}),
    ("DELETE", "activities/state", {"activityId": ACTIVITY, "agent": AGENT}),
    ("GET", "activities/profile", {"activityId": ACTIVITY}),
    ("PUT", "activities/profile", {"activityId": ACTIVITY, "profileId": "p"}),
    ("POST", "agents/profile", {"agent": AGENT, "profileId": "p"}),
    ("GET", "agents/profile", {"agent": AGENT, "since": "2024-01-01T00:00:00Z"}),
    ("DELETE", "agents/profile", {"agent": AGENT, "profileId": "p"}),
    ("GET", "activities", {"activityId": ACTIVITY}),
    ("GET", "agents", {"agent": AGENT}),
]
PARAMETERS = [
    "statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
    "related_activities", "related_agents", "since", "until", "limit", "format",
    "attachments", "ascending", "more", "activityId", "stateId", "profileId",
]  # fmt: skip
CONTENT_TYPES = [
    "application/json", "application/json; charset=latin-1", "application/json;;", "text/plain",
    "multipart/form-data", "multipart/mixed", "multipart/mixed; boundary=",
    "application/x-www-form-urlencoded", "", "*/*", "application/octet-stream", "\u00e9/x",
]  # fmt: skip
BODIES = [
    b"", b"{", b"\xff\xfe", b'{"a": NaN}', b'{"a": 1e400}', b"[" * 100 + b"]" * 100,
    b'{"\\ud800": 1}', b'"x"', b"null", b'{"a": "\xff"}', b'{"a": {"b": 1}}',
]  # fmt: skip


def _statement() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "done"}},
        "object": {
            "id": ACTIVITY,
            "definition": {"name": {"en-US": "A"}, "type": "http://example.com/types/course"},
        },
        "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "duration": "PT1M"},
        "context": {
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": "http://example.com/activities/p"}]},
        },
        "timestamp": "2024-01-01T00:00:00Z",
    }


def _with(statement: dict[str, Any], path: str, token: str) -> bytes:
    """The statement's JSON text with ``token`` as the value at ``path``."""
    *parents, last = path.split(".")
    target = statement
    for key in parents:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[last] = "\x01hostile\x01"
    text = json.dumps(statement).replace('"\\u0001hostile\\u0001"', token)
    return text.encode("utf-8", "surrogatepass")


def _never_a_500(response: TestResponse, method: str = "GET") -> None:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, text)
    if response.status_code >= 400 and method != "HEAD":
        assert set(json.loads(text)) == {"error"}, text
        assert set(json.loads(text)["error"]) == {"code", "message", "path"}, text


def _query(pairs: list[tuple[str, str]]) -> str:
    # Encoded by hand: a lone surrogate goes out as the bytes Python would refuse to encode.
    return "&".join(
        f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in pairs
    )


@_SETTINGS
@given(path=st.sampled_from(PROPERTIES), token=st.sampled_from(TOKENS), batch=st.booleans())
def test_a_hostile_value_in_a_statement_is_stored_or_refused(
    xapi: XapiClient, path: str, token: str, batch: bool
) -> None:
    body = _with(_statement(), path, token)
    if batch:
        body = b"[" + json.dumps(_statement()).encode() + b", " + body + b"]"
    response = xapi.post("statements", data=body, headers={"Content-Type": "application/json"})
    _never_a_500(response)
    assert response.status_code in (200, 400), response.get_data(as_text=True)


@_SETTINGS
@given(
    resource=st.sampled_from(RESOURCES),
    name=st.sampled_from(PARAMETERS),
    value=st.sampled_from(VALUES),
    repeated=st.booleans(),
)
def test_a_hostile_parameter_gets_an_answer_or_a_4xx(
    xapi: XapiClient, resource: tuple[str, str, dict[str, str]], name: str, value: str,
    repeated: bool,
) -> None:  # fmt: skip
    method, path, params = resource
    pairs = list(params.items()) if repeated else [(k, v) for k, v in params.items() if k != name]
    pairs.append((name, value))
    body = json.dumps(_statement()).encode() if path == "statements" else b'{"a": 1}'
    response = xapi.client.open(
        f"/xapi/{path}?{_query(pairs)}",
        method=method,
        data=body if method in ("PUT", "POST") else b"",
        headers={**xapi.headers, "Content-Type": "application/json"},
    )
    _never_a_500(response, method)


@_SETTINGS
@given(
    resource=st.sampled_from([r for r in RESOURCES if r[0] in ("PUT", "POST")]),
    content_type=st.sampled_from(CONTENT_TYPES),
    body=st.sampled_from(BODIES),
    precondition=st.sampled_from([{}, {"If-Match": "*"}, {"If-None-Match": "*"},
                                  {"If-Match": '"x"'}, {"If-Match": "\u00e9"}, {"If-Match": ","}]),
)  # fmt: skip
def test_a_document_or_statement_of_any_content_type_and_body_is_never_a_500(
    xapi: XapiClient,
    resource: tuple[str, str, dict[str, str]],
    content_type: str,
    body: bytes,
    precondition: dict[str, str],
) -> None:
    method, path, params = resource
    headers = {**xapi.headers, "Content-Type": content_type, **precondition}
    response = xapi.client.open(
        f"/xapi/{path}?{_query(list(params.items()))}", method=method, data=body, headers=headers
    )
    _never_a_500(response, method)
