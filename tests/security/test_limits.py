"""Request limits: body size (413), batch size (413) and JSON nesting depth (400), through
every way a body arrives — JSON, multipart/mixed, the alternate request syntax, chunked
transfer — always in the one error shape."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.http.json import json_depth, parse_json
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_statement
from tests.helpers import XapiClient, assert_error

MAX_BODY = 8192
MAX_BATCH = 5
MAX_DEPTH = 12
MAX_PARTS = 4


@pytest.fixture
def limited_app(settings: Settings) -> Iterator[Flask]:
    limited = dataclasses.replace(
        settings,
        max_body_bytes=MAX_BODY,
        max_batch_size=MAX_BATCH,
        max_json_depth=MAX_DEPTH,
        max_multipart_parts=MAX_PARTS,
    )
    app = create_app(limited)
    yield app
    context.of(app).database.dispose()


@pytest.fixture(params=["1.0.3", "2.0.0"])
def limited(request: pytest.FixtureRequest, limited_app: Flask) -> XapiClient:
    return XapiClient(limited_app.test_client(), TEST_KEY, TEST_SECRET, request.param)


def _nested(depth: int) -> dict[str, object]:
    value: object = "deep"
    for _ in range(depth - 1):
        value = [value]
    return {"http://example.com/ext": value}


def _big_statement() -> dict[str, object]:
    return make_statement(result={"response": "x" * (MAX_BODY + 1)})


def _statements(limited: XapiClient) -> int:
    return len(limited.get("statements").get_json()["statements"])


def test_json_body_over_the_limit_is_413(limited: XapiClient) -> None:
    error = assert_error(limited.post("statements", json=_big_statement()), 413)
    assert error["code"] == "request_entity_too_large"
    assert_error(
        limited.put("statements", query_string={"statementId": _big_statement()["id"]},
                    json=_big_statement()), 413)  # fmt: skip
    assert _statements(limited) == 0


def test_multipart_body_over_the_limit_is_413(limited: XapiClient) -> None:
    content = b"x" * MAX_BODY
    statement = make_statement(
        attachments=[
            {
                "usageType": "http://example.com/usage",
                "display": {"en-US": "file"},
                "contentType": "text/plain",
                "length": len(content),
                "sha2": hashlib.sha256(content).hexdigest(),
            }
        ]
    )
    body = (
        b"--b\r\nContent-Type: application/json\r\n\r\n" + orjson.dumps(statement) + b"\r\n--b\r\n"
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
        b"X-Experience-API-Hash: " + hashlib.sha256(content).hexdigest().encode() + b"\r\n\r\n"
        + content + b"\r\n--b--\r\n"
    )  # fmt: skip
    response = limited.post(
        "statements", data=body, headers={"Content-Type": 'multipart/mixed; boundary="b"'}
    )
    assert_error(response, 413)
    assert _statements(limited) == 0


def _parts_body(contents: list[bytes]) -> bytes:
    """A statement with one attachment per content, in a part each."""
    attachments = [
        {
            "usageType": "http://example.com/usage",
            "display": {"en-US": f"file {position}"},
            "contentType": "text/plain",
            "length": len(content),
            "sha2": hashlib.sha256(content).hexdigest(),
        }
        for position, content in enumerate(contents)
    ]
    body = b"--b\r\nContent-Type: application/json\r\n\r\n" + orjson.dumps(
        make_statement(attachments=attachments)
    )
    for content in contents:
        body += (
            b"\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            b"X-Experience-API-Hash: " + hashlib.sha256(content).hexdigest().encode()
            + b"\r\n\r\n" + content
        )  # fmt: skip
    return body + b"\r\n--b--\r\n"


def test_multipart_body_of_more_parts_than_the_limit_is_413(limited: XapiClient) -> None:
    headers = {"Content-Type": 'multipart/mixed; boundary="b"'}
    # The boundary inside a line of a part's content is no delimiter: not counted.
    most = [str(n).encode() + b" --b" * 10 for n in range(MAX_PARTS - 1)]
    response = limited.post("statements", data=_parts_body(most), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    too_many = _parts_body([str(n).encode() for n in range(MAX_PARTS)])
    error = assert_error(limited.post("statements", data=too_many, headers=headers), 413)
    assert "LRS_MAX_MULTIPART_PARTS" in error["message"]
    statement = orjson.loads(too_many.split(b"\r\n")[3])
    response = limited.put(
        "statements", query_string={"statementId": statement["id"]}, data=too_many,
        headers=headers,
    )  # fmt: skip
    assert_error(response, 413)
    assert _statements(limited) == 1


def test_alternate_syntax_body_over_the_limit_is_413_and_not_read(
    limited_app: Flask,
) -> None:
    client = limited_app.test_client()
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "1.0.3")
    form = urlencode(
        {
            "Authorization": xapi.headers["Authorization"],
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
            "content": json.dumps(_big_statement()),
        }
    )
    response = client.post(
        "/xapi/statements?method=POST",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, 413)
    small = urlencode(
        {
            "Authorization": xapi.headers["Authorization"],
            "X-Experience-API-Version": "1.0.3",
            "content": json.dumps(make_statement()),
        }
    )
    response = client.post(
        "/xapi/statements?method=POST",
        data=small,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_chunked_body_over_the_limit_is_413(limited_app: Flask) -> None:
    client: FlaskClient = limited_app.test_client()
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "2.0.0")
    response = client.post(
        "/xapi/statements",
        input_stream=io.BytesIO(orjson.dumps(_big_statement())),
        headers={**xapi.headers, "Content-Type": "application/json",
                 "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )  # fmt: skip
    # Werkzeug alone would read the first LRS_MAX_BODY_BYTES and stop without an error.
    assert_error(response, 413)
    response = client.post(
        "/xapi/statements",
        input_stream=io.BytesIO(orjson.dumps(make_statement())),
        headers={**xapi.headers, "Content-Type": "application/json",
                 "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)


def test_document_over_the_limit_is_413(limited: XapiClient) -> None:
    response = limited.put(
        "activities/state",
        query_string={
            "activityId": "http://example.com/a",
            "agent": json.dumps({"mbox": "mailto:a@example.com"}),
            "stateId": "big",
        },
        data=b"x" * (MAX_BODY + 1),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert_error(response, 413)


def test_batch_over_the_limit_is_413(limited: XapiClient) -> None:
    error = assert_error(
        limited.post("statements", json=[make_statement() for _ in range(MAX_BATCH + 1)]), 413
    )
    assert "LRS_MAX_BATCH_SIZE" in error["message"]
    assert limited.post(
        "statements", json=[make_statement() for _ in range(MAX_BATCH)]
    ).status_code == 200  # fmt: skip


def test_json_nested_deeper_than_the_limit_is_400(limited: XapiClient) -> None:
    statement = make_statement(result={"extensions": _nested(MAX_DEPTH - 1)})
    error = assert_error(limited.post("statements", json=statement), 400)
    assert "LRS_MAX_JSON_DEPTH" in error["message"]
    assert _statements(limited) == 0


@pytest.mark.parametrize("depth", [65, 1100, 100_000])
def test_json_deeper_than_the_default_limit_or_the_parser_is_400(
    xapi: XapiClient, depth: int
) -> None:
    body = _deep_text(make_statement(), depth)
    response = xapi.post("statements", data=body, headers={"Content-Type": "application/json"})
    error = assert_error(response, 400)
    assert "LRS_MAX_JSON_DEPTH" in error["message"]


def _deep_text(statement: dict[str, object], depth: int) -> str:
    # Python's json module cannot write what is deeper than its recursion limit.
    marker = '"__deep__"'
    statement = {**statement, "result": {"extensions": {"http://example.com/ext": "__deep__"}}}
    return json.dumps(statement).replace(marker, "[" * depth + "1" + "]" * depth)


def test_json_at_the_limit_is_accepted(limited: XapiClient) -> None:
    # statement > result > extensions (the object _nested makes) > arrays: MAX_DEPTH.
    statement = make_statement(result={"extensions": _nested(MAX_DEPTH - 2)})
    response = limited.post("statements", json=statement)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_depth_counts_arrays_and_objects_only() -> None:
    assert json_depth("x", 5) == 0
    assert json_depth({"a": [1, {"b": {}}]}, 10) == 4
    assert json_depth([[[[[[]]]]]], 3) == 4  # stops counting past the limit
    assert parse_json(b'{"a": [[1]]}', "body", max_depth=3) == {"a": [[1]]}
