"""The NUL character (U+0000), which PostgreSQL keeps neither in text nor in JSONB, behaves
the same on both databases wherever it arrives:

* in any string of a statement, key or value: 400 naming its JSON path, nothing stored;
* in a query parameter (name or value) of any resource, a form field, a JSON body of
  /api/, or Basic credentials: 400 naming it (401 for credentials);
* in an xAPI document: stored and returned byte for byte (documents are bytes), and JSON
  documents merged on POST keep it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.store.engine import Database
from statements.errors import join_path
from tests.helpers import XapiClient, assert_error
from tests.security.inputs import EXAMPLES, stored_count
from tests.statements.test_properties import _statement

_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_AGENT = '{"mbox": "mailto:a@example.com"}'


def _strings(value: Any, path: str = "") -> list[tuple[str, tuple[Any, ...]]]:
    """Every string of ``value`` as (JSON path, how to reach it): ("key", *keys) for an
    object key, ("value", *keys) for a string value."""
    found: list[tuple[str, tuple[Any, ...]]] = []

    def walk(node: Any, where: str, keys: tuple[Any, ...]) -> None:
        if isinstance(node, str):
            found.append((where, ("value", *keys)))
        elif isinstance(node, dict):
            for key, item in node.items():
                found.append((join_path(where, key), ("key", *keys, key)))
                walk(item, join_path(where, key), (*keys, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, join_path(where, index), (*keys, index))

    walk(value, path, ())
    return found


def _with_nul(statement: dict[str, Any], route: tuple[Any, ...], at: int) -> str:
    """Put U+0000 into the string ``route`` reaches; returns the path the error names."""
    kind, *keys = route
    parent: Any = statement
    for key in keys[:-1]:
        parent = parent[key]
    last = keys[-1] if keys else None
    if kind == "key":
        new_key = last[:at] + "\x00" + last[at:]
        parent[new_key] = parent.pop(last)
        path = ""
        for key in keys[:-1]:
            path = join_path(path, key)
        return join_path(path, new_key.replace("\x00", "\\u0000"))
    value = parent[last] if keys else parent
    parent[last] = value[:at] + "\x00" + value[at:]
    path = ""
    for key in keys:
        path = join_path(path, key)
    return path


@_SETTINGS
@given(statement=_statement, data=st.data())
def test_nul_anywhere_in_a_statement_is_refused_naming_its_path(
    xapi: XapiClient, database: Database, statement: dict[str, Any], data: st.DataObject
) -> None:
    where, route = data.draw(st.sampled_from(_strings(statement)))
    text = route[-1] if route[0] == "key" else None
    length = len(text) if text is not None else len(_reach(statement, route[1:]))
    path = _with_nul(statement, route, data.draw(st.integers(0, length)))
    before = stored_count(database)
    response = xapi.post("statements", json=statement)
    assert_error(response, 400, path)
    assert stored_count(database) == before
    assert where  # the drawn location had a path


def _reach(value: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        value = value[key]
    return value


_RESOURCES = {
    "/xapi/statements": {},
    "/xapi/activities/state": {"activityId": "http://example.com/a", "agent": _AGENT},
    "/xapi/agents/profile": {"agent": _AGENT},
    "/xapi/activities/profile": {"activityId": "http://example.com/a"},
    "/xapi/agents": {"agent": _AGENT},
    "/api/export/statements": {},
}
_NAMES = ["verb", "activity", "registration", "since", "stateId", "profileId", "agent", "x"]


@_SETTINGS
@given(
    resource=st.sampled_from(sorted(_RESOURCES)),
    name=st.sampled_from(_NAMES) | st.text(min_size=1, max_size=8),
    value=st.text(max_size=20),
    in_name=st.booleans(),
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
)
def test_nul_in_any_query_parameter_is_refused_naming_it(
    xapi: XapiClient, resource: str, name: str, value: str, in_name: bool, method: str
) -> None:
    if in_name:
        name = name[:1] + "\x00" + name[1:]
    else:
        value = value[:3] + "\x00" + value[3:]
    params = {**_RESOURCES[resource], name: value}
    response = xapi.client.open(
        resource, method=method, query_string=params, headers=xapi.headers, json={}
    )
    assert_error(response, 400, name.replace("\x00", "\\u0000"))


@_SETTINGS
@given(
    document=st.recursive(
        st.text(max_size=10) | st.integers() | st.none(),
        lambda inner: st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ),
    nul_key=st.text(max_size=4),
)
def test_documents_keep_nul_byte_for_byte_and_through_a_json_merge(
    xapi: XapiClient, document: Any, nul_key: str
) -> None:
    params = {"activityId": "http://example.com/a", "agent": _AGENT, "stateId": "s"}
    xapi.delete("activities/state", query_string=params)
    body = {"\x00" + nul_key: "a\x00b", "tree": document}
    raw = json.dumps(body).encode()
    assert xapi.put("activities/state", query_string=params, data=raw,
                    headers={"Content-Type": "application/json"}).status_code == 204  # fmt: skip
    assert xapi.get("activities/state", query_string=params).data == raw
    merged = xapi.post("activities/state", query_string=params, json={"more": "\x00"})
    assert merged.status_code == 204, merged.get_data(as_text=True)
    assert xapi.get("activities/state", query_string=params).get_json() == {**body, "more": "\x00"}
    params["stateId"] = "binary"
    xapi.delete("activities/state", query_string=params)
    binary = b"\x00\x01" + raw
    octets = {"Content-Type": "application/octet-stream"}
    response = xapi.put("activities/state", query_string=params, data=binary, headers=octets)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert xapi.get("activities/state", query_string=params).data == binary
    # A document sent as multipart/form-data is bytes too: kept as sent, never read as a form.
    params["stateId"] = "form"
    xapi.delete("activities/state", query_string=params)
    form = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\x00\r\n--x--\r\n'
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    response = xapi.put("activities/state", query_string=params, data=form, headers=headers)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert xapi.get("activities/state", query_string=params).data == form


def test_nul_in_credentials_a_form_or_an_api_body_is_refused(
    client: FlaskClient, xapi: XapiClient
) -> None:
    token = base64.b64encode(b"test-key\x00:secret").decode()
    response = client.get(
        "/xapi/statements",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )
    assert_error(response, 401)
    response = client.post("/xapi/statements?method=GET", data={"verb": "http://e.com/\x00"})
    assert_error(response, 400, "verb")
    response = xapi.client.post(
        "/api/forwarding/rules", json={"name": "a\x00", "url": "http://e.com"}, headers=xapi.headers
    )
    assert_error(response, 400, "name")
    response = xapi.client.post(
        "/api/admin/forget", json={"agent": {"mbox": "mailto:\x00@e.com"}}, headers=xapi.headers
    )
    assert_error(response, 400, "agent.mbox")


def test_a_nul_beside_a_lone_surrogate_is_refused_too(client: FlaskClient) -> None:
    """orjson cannot read an escaped lone surrogate, Python's json (a Dash callback's)
    can: the NUL check reads such a body too, so the NUL is refused as everywhere."""
    body = b'{"output": "x", "inputs": [{"value": "\\ud800\\u0000"}]}'
    response = client.post(
        "/dashboards/_dash-update-component", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "U+0000" in response.get_json()["error"]["message"]


def test_a_json_merge_keeps_integers_of_any_size_exactly(xapi: XapiClient) -> None:
    """orjson reads integers beyond 64 bits as floats: a merge read with it changed them."""
    params = {"activityId": "http://example.com/a", "agent": _AGENT, "stateId": "big"}
    big = {"low": -9223372036854775809, "high": 10**30, "pi": 3.25}
    assert xapi.put("activities/state", query_string=params, data=json.dumps(big),
                    headers={"Content-Type": "application/json"}).status_code == 204  # fmt: skip
    merged = xapi.post("activities/state", query_string=params, json={"more": 1})
    assert merged.status_code == 204, merged.get_data(as_text=True)
    answer = json.loads(xapi.get("activities/state", query_string=params).data)
    assert answer == {**big, "more": 1}
    assert all(type(answer[k]) is type(v) for k, v in big.items())
    refused = xapi.post("activities/state", query_string=params, data='{"x": NaN}',
                        headers={"Content-Type": "application/json"})  # fmt: skip
    assert refused.status_code == 400
