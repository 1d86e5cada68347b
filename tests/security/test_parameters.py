"""Query parameters of every shape and URLs of every length get an answer or a 400 (414
for the URL) that says what is wrong, in the one error shape — never a 500.

``limit`` takes the digits 0-9 only (Python's ``int`` would take "²" or "٣"), up to the
largest BIGINT, and is then capped at LRS_MAX_PAGE_SIZE; an ``agent`` nested deeper than
LRS_MAX_JSON_DEPTH or with properties an Agent has not is named as such; booleans are
"true" or "false". A URL longer than LRS_MAX_URL_BYTES gets 414, also from a live
`lrs serve`, whose gunicorn would otherwise answer a long request line itself, in HTML.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from tests.e2e.server import serve
from tests.helpers import XapiClient, assert_error
from tests.security.inputs import EXAMPLES

_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_BIGINT = 2**63 - 1


@_SETTINGS
@given(
    limit=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
    | st.integers(-(2**70), 2**70).map(str)
    | st.sampled_from(["²", "٣", "1²", " 7", "7 ", "+7", "0x10", "1e3", "", "0", "00"])
)
def test_limit_is_ascii_digits_up_to_a_bigint(xapi: XapiClient, limit: str) -> None:
    response = xapi.get("statements", query_string={"limit": limit})
    if re.fullmatch(r"[0-9]+", limit) and int(limit) <= _BIGINT:
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        error = assert_error(response, 400, "limit")
        assert "limit must be" in error["message"]


def _nested(depth: int, key: str) -> Any:
    value: Any = {"mbox": "mailto:a@example.com"}
    for _ in range(depth):
        value = {key: value} if key else [value]
    return value


@_SETTINGS
@given(depth=st.integers(1, 120), key=st.sampled_from(["x", "account", ""]))
def test_a_deeply_nested_agent_says_what_is_wrong(xapi: XapiClient, depth: int, key: str) -> None:
    agent = json.dumps(_nested(depth, key))
    for resource, extra in (
        ("statements", {}),
        ("activities/state", {"activityId": "http://example.com/a"}),
    ):
        response = xapi.get(resource, query_string={"agent": agent, **extra})
        error = assert_error(response, 400)
        assert error["path"].startswith("agent"), error
        if depth + 1 > 64:
            assert "levels deep (LRS_MAX_JSON_DEPTH)" in error["message"]
        else:
            assert "Unknown field" not in error["message"]
            assert any(
                text in error["message"]
                for text in ("is not a property", "is required", "must be", "Must be")
            ), error


@_SETTINGS
@given(
    name=st.sampled_from(["ascending", "related_agents", "related_activities", "attachments"]),
    value=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
    | st.sampled_from(["true", "false", "True", "1", ""]),
)
def test_boolean_parameters_are_true_or_false(xapi: XapiClient, name: str, value: str) -> None:
    response = xapi.get("statements", query_string={name: value})
    if value in ("true", "false"):
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        assert "true or false" in assert_error(response, 400, name)["message"]


@pytest.fixture
def settings_for_limit(settings: Settings) -> Settings:
    # A small limit keeps the generated URLs small.
    return dataclasses.replace(settings, max_url_bytes=2000)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(length=st.integers(0, 4000), where=st.sampled_from(["path", "query"]))
def test_a_url_longer_than_the_limit_gets_414_in_the_error_shape(
    settings_for_limit: Settings, length: int, where: str
) -> None:
    app = create_app(settings_for_limit)
    client: FlaskClient = app.test_client()
    path = "/xapi/about" + ("/" + "a" * length if where == "path" else "")
    query = {"x": "a" * length} if where == "query" else {}
    response = client.get(path, query_string=query)
    size = len(path) + (len("x=") + length if where == "query" else 0)
    if size > 2000:
        error = assert_error(response, 414)
        assert "LRS_MAX_URL_BYTES" in error["message"]
    else:
        assert response.status_code in (200, 404, 400)
    context.of(app).database.dispose()


def test_a_live_server_answers_a_long_url_with_414_in_the_error_shape(
    database_url: str, tmp_path: Path
) -> None:
    with serve(database_url, tmp_path / "serve.log", workers=1, threads=1) as server:
        host, port = server.base.removeprefix("http://").split(":")
        for length in (100, 9000, 20_000, 300_000):  # gunicorn alone stops at 4094
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", f"/xapi/statements?verb={'a' * length}")
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if length + 30 > 16 * 1024:
                assert response.status == 414, body
                assert response.getheader("Content-Type") == "application/json"
                error = json.loads(body)["error"]
                assert set(error) == {"code", "message", "path"}
            else:
                assert response.status in (400, 401), body  # not a URL problem
                assert json.loads(body)["error"]["message"]
