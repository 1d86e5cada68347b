"""The Statement resource over HTTP: storing, reading, querying, paging, voiding.

Runs for xAPI 1.0.3 and 2.0.0 on SQLite and PostgreSQL (the ``xapi`` fixture).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import pytest
from werkzeug.http import http_date

from lrs.services import credentials
from lrs.services.statements import store_statements
from lrs.store.engine import Database
from statements import parse_timestamp
from tests.factories import (
    VERB_VOIDED,
    make_activity,
    make_agent,
    make_group,
    make_statement,
    make_statement_ref,
    make_verb,
)
from tests.helpers import XapiClient, assert_error


def _post(xapi: XapiClient, *statements: dict[str, Any]) -> list[str]:
    body: Any = statements[0] if len(statements) == 1 else list(statements)
    response = xapi.post("statements", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    ids: list[str] = response.get_json()
    return ids


def _ids(response: Any) -> list[str]:
    return [s["id"] for s in response.get_json()["statements"]]


def test_post_one_then_get_it_back_enriched(xapi: XapiClient) -> None:
    """XAPI-00013..00016: the LRS assigns stored, authority and version."""
    statement = make_statement()
    [statement_id] = _post(xapi, statement)
    assert statement_id == statement["id"]
    response = xapi.get(f"statements?statementId={statement_id}")
    assert response.status_code == 200
    got = response.get_json()
    assert got["actor"] == statement["actor"]
    assert {"stored", "timestamp", "authority", "version"} <= set(got)
    assert got["authority"]["account"]["name"] == "test-key"
    assert response.headers["X-Experience-API-Version"] == xapi.version
    assert "X-Experience-API-Consistent-Through" in response.headers
    assert "Last-Modified" in response.headers


def test_post_without_id_gets_one(xapi: XapiClient) -> None:
    [statement_id] = _post(xapi, make_statement(id=None))
    assert uuid.UUID(statement_id)


def test_batch_is_stored_in_order_and_whole(xapi: XapiClient) -> None:
    first, second = make_statement(), make_statement()
    assert _post(xapi, first, second) == [first["id"], second["id"]]
    assert _ids(xapi.get("statements")) == [second["id"], first["id"]]


def test_invalid_statement_in_batch_stores_nothing(xapi: XapiClient) -> None:
    good = make_statement()
    bad = make_statement(verb={"id": "not an iri"})
    error = assert_error(xapi.post("statements", json=[good, bad]), 400)
    assert error["path"] == "[1].verb.id"
    assert xapi.get(f"statements?statementId={good['id']}").status_code == 404


def test_put_stores_with_the_given_id(xapi: XapiClient) -> None:
    statement = make_statement(id=None)
    statement_id = str(uuid.uuid4())
    response = xapi.put(f"statements?statementId={statement_id}", json=statement)
    assert response.status_code == 204
    assert xapi.get(f"statements?statementId={statement_id}").status_code == 200


def test_put_rejects_mismatched_or_missing_id(xapi: XapiClient) -> None:
    statement = make_statement()
    assert_error(xapi.put(f"statements?statementId={uuid.uuid4()}", json=statement), 400)
    assert_error(xapi.put("statements", json=statement), 400, "statementId")
    assert_error(xapi.put("statements?statementId=nope", json=statement), 400, "statementId")


def test_same_statement_again_is_a_no_op_and_different_content_conflicts(
    xapi: XapiClient,
) -> None:
    """XAPI-00026: 409 for a re-used id with different content; nothing is modified."""
    statement = make_statement()
    _post(xapi, statement)
    assert _post(xapi, statement) == [statement["id"]]
    changed = {**statement, "verb": make_verb("http://example.com/verbs/other")}
    assert_error(xapi.post("statements", json=changed), 409)
    got = xapi.get(f"statements?statementId={statement['id']}").get_json()
    assert got["verb"]["id"] == statement["verb"]["id"]
    assert len(xapi.get("statements").get_json()["statements"]) == 1


def test_duplicate_ids_in_one_batch_are_rejected(xapi: XapiClient) -> None:
    statement = make_statement()
    assert_error(xapi.post("statements", json=[statement, dict(statement)]), 400)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"actor": 1}', "application/json"),
        (b"[]", "application/json"),
        (b'"a string"', "application/json"),
        (b'{"a": 1}', "text/plain"),
    ],
)
def test_bad_bodies_are_400_with_the_error_shape(
    xapi: XapiClient, body: bytes, content_type: str
) -> None:
    assert_error(xapi.post("statements", data=body, content_type=content_type), 400)


def test_version_header_is_required_and_checked(xapi: XapiClient) -> None:
    headers = dict(xapi.headers)
    del headers["X-Experience-API-Version"]
    response = xapi.client.get("/xapi/statements", headers=headers)
    assert_error(response, 400, "X-Experience-API-Version")
    assert response.headers["X-Experience-API-Version"] in {"1.0.3", "2.0.0"}
    wrong = xapi.get("statements", headers={"X-Experience-API-Version": "3.0.0"})
    assert_error(wrong, 400, "X-Experience-API-Version")


def test_credentials_are_required_and_checked(xapi: XapiClient) -> None:
    no_auth = xapi.client.get(
        "/xapi/statements", headers={"X-Experience-API-Version": xapi.version}
    )
    assert_error(no_auth, 401)
    assert no_auth.headers["WWW-Authenticate"].startswith("Basic")
    wrong = xapi.get("statements", headers={"Authorization": "Basic dGVzdC1rZXk6bm9wZQ=="})
    assert_error(wrong, 401)


def test_about_needs_neither_credentials_nor_version(xapi: XapiClient) -> None:
    response = xapi.client.get("/xapi/about")
    assert response.status_code == 200
    assert set(response.get_json()["version"]) == {"1.0.3", "2.0.0"}


def test_voided_statement_is_only_returned_by_voided_statement_id(xapi: XapiClient) -> None:
    """XAPI-00018: voided statements are reachable by voidedStatementId only."""
    target = make_statement()
    _post(xapi, target)
    voiding = make_statement(verb=make_verb(VERB_VOIDED), object=make_statement_ref(target["id"]))
    _post(xapi, voiding)
    assert_error(xapi.get(f"statements?statementId={target['id']}"), 404)
    voided = xapi.get(f"statements?voidedStatementId={target['id']}")
    assert voided.status_code == 200
    assert voided.get_json()["id"] == target["id"]
    assert _ids(xapi.get("statements")) == [voiding["id"]]


def test_a_voiding_statement_cannot_be_voided(xapi: XapiClient) -> None:
    """XAPI-00016."""
    target = make_statement()
    voiding = make_statement(verb=make_verb(VERB_VOIDED), object=make_statement_ref(target["id"]))
    _post(xapi, target, voiding)
    again = make_statement(verb=make_verb(VERB_VOIDED), object=make_statement_ref(voiding["id"]))
    assert_error(xapi.post("statements", json=again), 400)
    assert xapi.get(f"statements?statementId={voiding['id']}").status_code == 200


def test_voiding_needs_a_statement_ref(xapi: XapiClient) -> None:
    assert_error(xapi.post("statements", json=make_statement(verb=make_verb(VERB_VOIDED))), 400)


def test_query_filters(xapi: XapiClient) -> None:
    alice, bob = make_agent("alice"), make_agent("bob")
    course = make_activity("http://example.com/course")
    registration = str(uuid.uuid4())
    by_alice = make_statement(actor=alice, object=course)
    by_bob = make_statement(
        actor=bob,
        verb=make_verb("http://example.com/verbs/read"),
        context={
            "registration": registration,
            "contextActivities": {"parent": [course]},
            "instructor": alice,
        },
    )
    _post(xapi, by_alice, by_bob)
    agent = '{"mbox": "mailto:alice@example.com"}'
    assert _ids(xapi.get(f"statements?agent={agent}")) == [by_alice["id"]]
    assert _ids(xapi.get(f"statements?agent={agent}&related_agents=true")) == [
        by_bob["id"],
        by_alice["id"],
    ]
    assert _ids(xapi.get("statements?verb=http://example.com/verbs/read")) == [by_bob["id"]]
    assert _ids(xapi.get(f"statements?activity={course['id']}")) == [by_alice["id"]]
    assert len(_ids(xapi.get(f"statements?activity={course['id']}&related_activities=true"))) == 2
    assert _ids(xapi.get(f"statements?registration={registration}")) == [by_bob["id"]]
    assert _ids(xapi.get("statements?ascending=true")) == [by_alice["id"], by_bob["id"]]


def test_group_members_match_the_agent_filter(xapi: XapiClient) -> None:
    group = make_group(make_agent("erin"), make_agent("frank"))
    statement = make_statement(actor=group)
    _post(xapi, statement)
    assert _ids(xapi.get('statements?agent={"mbox": "mailto:erin@example.com"}')) == [
        statement["id"]
    ]


def test_statement_ref_matches_what_its_target_matches(xapi: XapiClient) -> None:
    """xAPI-Communication 2.1.3 "Filter Conditions for StatementRefs", recursively."""
    target = make_statement(actor=make_agent("ben"), verb=make_verb("http://example.com/v/pass"))
    confirm = make_statement(actor=make_agent("andrew"), object=make_statement_ref(target["id"]))
    second = make_statement(actor=make_agent("carl"), object=make_statement_ref(confirm["id"]))
    _post(xapi, target, confirm, second)
    ben = '{"mbox": "mailto:ben@example.com"}'
    assert set(_ids(xapi.get(f"statements?agent={ben}"))) == {
        target["id"], confirm["id"], second["id"]
    }  # fmt: skip
    by_verb = set(_ids(xapi.get("statements?verb=http://example.com/v/pass")))
    assert by_verb == {target["id"], confirm["id"], second["id"]}


def test_a_reference_stored_before_its_target_matches_once_the_target_arrives(
    xapi: XapiClient,
) -> None:
    target = make_statement(actor=make_agent("late"))
    early = make_statement(object=make_statement_ref(target["id"]))
    _post(xapi, early)
    _post(xapi, target)
    late = '{"mbox": "mailto:late@example.com"}'
    assert set(_ids(xapi.get(f"statements?agent={late}"))) == {target["id"], early["id"]}


def test_since_and_until_bound_stored(xapi: XapiClient) -> None:
    [statement_id] = _post(xapi, make_statement())
    stored = xapi.get(f"statements?statementId={statement_id}").get_json()["stored"]
    assert _ids(xapi.get(f"statements?since={stored}")) == []
    assert _ids(xapi.get(f"statements?until={stored}")) == [statement_id]
    assert_error(xapi.get("statements?since=yesterday"), 400, "since")


def test_more_pages_through_everything_once(xapi: XapiClient) -> None:
    """XAPI-00108..00114: `more` links page stably through the whole result."""
    ids = _post(xapi, *[make_statement() for _ in range(7)])
    seen: list[str] = []
    response = xapi.get("statements?limit=3")
    pages = 0
    while True:
        body = response.get_json()
        seen += [s["id"] for s in body["statements"]]
        pages += 1
        if not body["more"]:
            break
        # Statements stored while paging do not shift the pages.
        _post(xapi, make_statement())
        response = xapi.client.get(body["more"], headers=xapi.headers)
        assert response.status_code == 200
    assert pages == 3
    assert seen == list(reversed(ids))


def test_more_token_is_checked(xapi: XapiClient) -> None:
    assert_error(xapi.get("statements?more=garbage"), 400, "more")


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=ten",
        "format=full",
        "ascending=yes",
        "agent=notjson",
        'agent={"name": "no ifi"}',
        "verb=not-an-iri",
        "registration=123",
        "unknown=1",
        f"statementId={uuid.UUID(int=1)}&verb=http://example.com/v",
    ],
)
def test_bad_query_parameters_are_400(xapi: XapiClient, query: str) -> None:
    assert_error(xapi.get(f"statements?{query}"), 400)


def test_ids_and_canonical_formats(xapi: XapiClient) -> None:
    statement = make_statement()
    _post(xapi, statement)
    ids = xapi.get(f"statements?statementId={statement['id']}&format=ids").get_json()
    assert ids["object"] == {"id": statement["object"]["id"], "objectType": "Activity"} or ids[
        "object"
    ] == {"id": statement["object"]["id"]}
    canonical = xapi.get(
        f"statements?statementId={statement['id']}&format=canonical",
        headers={"Accept-Language": "fr-FR"},
    ).get_json()
    assert canonical["object"]["definition"]["name"] == {"fr-FR": "Activité exemple"}


def test_a_page_sends_each_statement_as_a_single_get_does(xapi: XapiClient) -> None:
    """A page of the exact format carries each statement's stored JSON as it is: the
    same bytes as the statement read alone, numbers, escapes and all."""
    odd = make_statement(
        result={"score": {"scaled": 0.1, "raw": 1e-7}, "response": 'quote " \\ tab \t é ✓ 😀'},
        context={"extensions": {"http://example.com/ext": {"n": 12345678901234, "x": None}}},
    )
    ids = _post(xapi, make_statement(), odd, make_statement())
    page = xapi.get("statements?limit=10")
    assert page.status_code == 200
    assert _ids(page) == list(reversed(ids))
    for statement_id in ids:
        alone = xapi.get(f"statements?statementId={statement_id}")
        assert alone.get_data() in page.get_data()
    assert page.get_json()["statements"][1]["result"] == odd["result"]


def test_a_page_is_last_modified_when_its_newest_statement_was_stored(
    xapi: XapiClient, database: Database
) -> None:
    """Last-Modified names the newest `stored` of the page, in either order."""
    principal = credentials.create(
        database, name="older", scopes=["all"], home_page="http://lrs.test"
    ).principal
    day = dt.timedelta(days=1)
    newest = dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    for when in (newest - 2 * day, newest, newest - day):
        store_statements(
            database, [make_statement()], version="1.0.3", principal=principal, now=when
        )
    for order in ("false", "true"):
        page = xapi.get(f"statements?ascending={order}&limit=2")
        stamps = [s["stored"] for s in page.get_json()["statements"]]
        newest_on_page = max(parse_timestamp(stamp) for stamp in stamps)
        assert page.headers["Last-Modified"] == http_date(newest_on_page)
    assert xapi.get("statements?ascending=true&limit=1").headers["Last-Modified"] == (
        http_date(newest - 2 * day)
    )


def test_pages_of_the_ids_and_canonical_formats_are_reshaped(xapi: XapiClient) -> None:
    statement = make_statement()
    _post(xapi, make_statement(), statement)
    [ids] = xapi.get("statements?format=ids&limit=1").get_json()["statements"]
    assert ids["id"] == statement["id"]
    assert ids["verb"] == {"id": statement["verb"]["id"]}
    activity = {"id": statement["object"]["id"]}
    assert ids["object"] in (activity, {**activity, "objectType": "Activity"})
    canonical = xapi.get(
        "statements?format=canonical&limit=1", headers={"Accept-Language": "fr-FR"}
    ).get_json()["statements"][0]
    assert canonical["object"]["definition"]["name"] == {"fr-FR": "Activité exemple"}
    more = xapi.get("statements?format=ids&limit=1").get_json()["more"]
    [later] = xapi.client.get(more, headers=xapi.headers).get_json()["statements"]
    assert set(later["verb"]) == {"id"}


def _multipart(statement: dict[str, Any], content: bytes, boundary: str = "xyzzy") -> bytes:
    sha2 = hashlib.sha256(content).hexdigest()
    import json

    return (
        (
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(statement)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def _with_attachment(content: bytes) -> dict[str, Any]:
    return make_statement(
        attachments=[
            {
                "usageType": "http://example.com/usage/notes",
                "display": {"en-US": "notes"},
                "contentType": "text/plain",
                "length": len(content),
                "sha2": hashlib.sha256(content).hexdigest(),
            }
        ]
    )


def test_attachments_round_trip_over_multipart(xapi: XapiClient) -> None:
    content = b"here are my notes"
    statement = _with_attachment(content)
    response = xapi.post(
        "statements",
        data=_multipart(statement, content),
        content_type='multipart/mixed; boundary="xyzzy"',
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    got = xapi.get(f"statements?statementId={statement['id']}&attachments=true")
    assert got.status_code == 200
    assert got.mimetype == "multipart/mixed"
    assert content in got.get_data()
    page = xapi.get("statements?attachments=true")
    assert page.status_code == 200
    assert page.mimetype == "multipart/mixed"
    assert content in page.get_data()
    assert page.headers["Last-Modified"]


def test_attachment_parts_must_match_their_hash(xapi: XapiClient) -> None:
    statement = _with_attachment(b"the real content")
    body = _multipart(statement, b"the real content").replace(b"real content", b"fake content")
    response = xapi.post("statements", data=body, content_type="multipart/mixed; boundary=xyzzy")
    assert_error(response, 400)


def test_attachment_without_file_url_needs_its_part(xapi: XapiClient) -> None:
    assert_error(xapi.post("statements", json=_with_attachment(b"missing")), 400)


def test_alternate_request_syntax(xapi: XapiClient) -> None:
    """XAPI-00336 (1.0.3); xAPI 2.0 removed it."""
    import json
    from urllib.parse import urlencode

    statement_id = str(uuid.uuid4())
    form = urlencode(
        {
            "statementId": statement_id,
            "content": json.dumps(make_statement(id=None)),
            "X-Experience-API-Version": xapi.version,
            "Authorization": xapi.headers["Authorization"],
        }
    )
    response = xapi.client.post(
        "/xapi/statements?method=PUT",
        data=form,
        content_type="application/x-www-form-urlencoded",
    )
    if xapi.version == "2.0.0":
        assert_error(response, 400, "method")
        return
    assert response.status_code == 204, response.get_data(as_text=True)
    assert xapi.get(f"statements?statementId={statement_id}").status_code == 200


def test_head_is_get_without_a_body(xapi: XapiClient) -> None:
    _post(xapi, make_statement())
    response = xapi.head("statements")
    assert response.status_code == 200
    assert response.get_data() == b""


def test_cors_preflight_is_answered(xapi: XapiClient) -> None:
    response = xapi.client.options(
        "/xapi/statements",
        headers={"Origin": "http://course.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    # The default LRS_CORS_ORIGINS is "*": any origin, never with credentials.
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_repeated_key_is_rejected(xapi: XapiClient) -> None:
    """XAPI-00021: every property at most once."""
    body = (
        b'{"actor": {"mbox": "mailto:a@example.com"}, '
        b'"verb": {"id": "http://example.com/v"}, "verb": {"id": "http://example.com/w"}, '
        b'"object": {"id": "http://example.com/o"}}'
    )
    assert_error(xapi.post("statements", data=body, content_type="application/json"), 400, "verb")
    escaped = b'{"actor": {"mbox": "mailto:a@example.com", "name": "a\\u003ab"}, ' + (
        b'"verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/o"}}'
    )
    ok = xapi.post("statements", data=escaped, content_type="application/json")
    assert ok.status_code == 200, ok.get_data(as_text=True)
