"""`more` paging tokens cannot be forged (xAPI-Communication 2.1.3 "more").

A token is signed with the store's key and bound to the credential it was issued to;
every field is bounded again when it comes back. Forged, tampered, foreign or
out-of-bounds tokens get a 400 in the one error shape, never a 5xx, and no page is ever
longer than ``LRS_MAX_PAGE_SIZE``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from werkzeug.test import TestResponse

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.services import paging
from lrs.store import secrets
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_statement
from tests.helpers import XapiClient, assert_error, scoped_client

MAX_PAGE = 4
STORED = 11


@pytest.fixture
def small_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(dataclasses.replace(settings, max_page_size=MAX_PAGE))
    app.config["TESTING"] = True
    yield app
    context.of(app).database.dispose()


@pytest.fixture
def reader(small_app: Flask) -> XapiClient:
    """A reader of a store holding STORED statements, one of them voided."""
    xapi = XapiClient(small_app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
    batch = [make_statement() for _ in range(STORED - 1)]
    voiding = make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": batch[0]["id"]},
    )
    assert xapi.post("statements", json=batch).status_code == 200
    assert xapi.post("statements", json=voiding).status_code == 200
    return xapi


def _token(response: TestResponse) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    more: str = response.get_json()["more"]
    assert more
    return parse_qs(urlsplit(more).query)["more"][0]


def _more(xapi: XapiClient, token: str) -> TestResponse:
    return xapi.get("statements", query_string={"more": token})


def _serializer(database: Database) -> URLSafeSerializer:
    """The store's own signer: what a leaked key would allow."""
    with database.writing() as session:
        key = secrets.get_or_create(session, paging.SECRET_NAME, "unused")
    return URLSafeSerializer(key, salt="lrs statements more")


def _signed(database: Database, data: Any) -> str:
    return str(_serializer(database).dumps(data))


def _first_page_token(xapi: XapiClient) -> tuple[str, dict[str, Any]]:
    token = _token(xapi.get("statements", query_string={"limit": 2}))
    database = context.of(xapi.client.application).database
    data: dict[str, Any] = _serializer(database).loads(token)
    return token, data


def test_paging_walks_every_statement_once_and_never_past_the_page_size(
    reader: XapiClient,
) -> None:
    response = reader.get("statements", query_string={"limit": 100})
    seen: list[str] = []
    while True:
        body = response.get_json()
        assert len(body["statements"]) <= MAX_PAGE
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        response = _more(reader, parse_qs(urlsplit(body["more"]).query)["more"][0])
        assert response.status_code == 200
    # The voided statement is not listed; the voiding one is.
    assert len(seen) == len(set(seen)) == STORED - 1


def test_unsigned_tokens_are_refused(reader: XapiClient) -> None:
    """The old token format: base64 JSON asking for everything, voided included."""
    _, data = _first_page_token(reader)
    forged = dict(data)
    forged["q"] = {**data["q"], "limit": 100_000, "include_voided": True}
    unsigned = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    assert_error(_more(reader, unsigned), 400, "more")


@pytest.mark.parametrize(
    "change",
    [
        {"limit": 0},
        {"limit": -5},
        {"limit": "1000"},
        {"limit": 1.5},
        {"include_voided": True},
        {"after_seq": -1},
        {"after_seq": None},
        {"after_seq": 10**9, "max_seq": 3},
        {"since": "yesterday"},
        {"since": "2024-01-01T00:00:00"},
        {"registration": "not-a-uuid"},
        {"agent_key": ""},
        {"agent_key": 7},
        {"ascending": "yes"},
        {"colour": "blue"},
    ],
)
def test_signed_tokens_with_fields_out_of_bounds_are_refused(
    reader: XapiClient, small_app: Flask, change: dict[str, Any]
) -> None:
    _, data = _first_page_token(reader)
    data["q"] = {key: value for key, value in {**data["q"], **change}.items() if value is not None}
    assert_error(_more(reader, _signed(context.of(small_app).database, data)), 400, "more")


@pytest.mark.parametrize(
    "change",
    [{"v": 2}, {"f": "full"}, {"a": "yes"}, {"c": "1"}, {"q": []}, {"extra": 1}],
)
def test_signed_tokens_with_a_bad_envelope_are_refused(
    reader: XapiClient, small_app: Flask, change: dict[str, Any]
) -> None:
    _, data = _first_page_token(reader)
    forged = _signed(context.of(small_app).database, {**data, **change})
    assert_error(_more(reader, forged), 400, "more")


def test_a_signed_limit_above_the_page_size_is_cut_to_it(
    reader: XapiClient, small_app: Flask
) -> None:
    _, data = _first_page_token(reader)
    data["q"]["limit"] = 100_000
    response = _more(reader, _signed(context.of(small_app).database, data))
    assert response.status_code == 200
    assert len(response.get_json()["statements"]) == MAX_PAGE


def test_a_token_of_another_credential_is_refused(reader: XapiClient, small_app: Flask) -> None:
    token, _ = _first_page_token(reader)
    other = scoped_client(
        reader.client, context.of(small_app).database, "2.0.0", ["statements/read"]
    )
    assert_error(_more(other, token), 400, "more")
    assert _more(reader, token).status_code == 200


def test_every_worker_reads_the_tokens_of_every_other(
    reader: XapiClient, settings: Settings
) -> None:
    """Two apps on one database (two workers, or two machines) share the signing key,
    whatever their LRS_SECRET_KEY."""
    token, _ = _first_page_token(reader)
    other_app = create_app(dataclasses.replace(settings, secret_key=""))
    try:
        other = XapiClient(other_app.test_client(), TEST_KEY, TEST_SECRET, "2.0.0")
        response = _more(other, token)
        assert response.status_code == 200
        assert len(response.get_json()["statements"]) == 2
    finally:
        context.of(other_app).database.dispose()


# A query string reaches the server as UTF-8: a lone surrogate cannot be sent at all.
_token_char = st.characters(codec="utf-8")
_edits = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 10_000), _token_char),
    st.tuples(st.just("insert"), st.integers(0, 10_000), _token_char),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.just("")),
)


def _apply(token: str, edits: list[tuple[str, int, str]]) -> str:
    for kind, at, char in edits:
        position = at % (len(token) + 1)
        if kind == "insert":
            token = token[:position] + char + token[position:]
        elif token and kind == "replace":
            position = min(position, len(token) - 1)
            token = token[:position] + char + token[position + 1 :]
        elif token:
            token = token[:position] + token[position + 1 :]
    return token


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(_edits, min_size=1, max_size=4), tail=st.text(_token_char, max_size=20))
def test_randomly_tampered_tokens_get_400_never_5xx(
    reader: XapiClient, edits: list[tuple[str, int, str]], tail: str
) -> None:
    token, _ = _first_page_token(reader)
    tampered = _apply(token, edits) + tail
    response = _more(reader, tampered)
    if tampered == token:
        assert response.status_code == 200
        return
    assert_error(response, 400, "more")


_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_query_field = st.sampled_from(
    ["agent_key", "verb_id", "activity_id", "registration", "related_activities",
     "related_agents", "since", "until", "authority_key", "include_voided", "ascending",
     "limit", "after_seq", "max_seq", "other"]
)  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.dictionaries(_query_field, _json_value | st.integers(-(10**20), 10**20)))
def test_signed_tokens_with_random_fields_never_pass_the_bounds(
    reader: XapiClient, small_app: Flask, changes: dict[str, Any]
) -> None:
    """Even with the key, a token cannot reach past the page size or at voided ones."""
    _, data = _first_page_token(reader)
    data["q"] = {**data["q"], **changes}
    response = _more(reader, _signed(context.of(small_app).database, data))
    if response.status_code == 200:
        assert len(response.get_json()["statements"]) <= MAX_PAGE
        assert "include_voided" not in changes or changes["include_voided"] is False
    else:
        assert_error(response, 400, "more")


def test_read_mine_paging_holds_with_tokens(client: FlaskClient, database: Database) -> None:
    """A `statements/read/mine` credential pages through its own statements only."""
    writer = XapiClient(client, TEST_KEY, TEST_SECRET, "2.0.0")
    mine = scoped_client(client, database, "2.0.0", ["statements/write", "statements/read/mine"])
    own = [make_statement() for _ in range(3)]
    assert mine.post("statements", json=own).status_code == 200
    assert writer.post("statements", json=[make_statement() for _ in range(3)]).status_code == 200
    token = _token(mine.get("statements", query_string={"limit": 1}))
    seen: set[str] = set()
    while token:
        body = _more(mine, token).get_json()
        seen |= {s["id"] for s in body["statements"]}
        token = parse_qs(urlsplit(body["more"]).query)["more"][0] if body["more"] else ""
    assert len(seen) == 2 and seen < {s["id"] for s in own}
