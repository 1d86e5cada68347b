"""Login, logout, CSRF and the guard in front of every /dashboards/ route."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs.errors import BadRequest
from lrs.http import context
from lrs.services import users
from lrs.store.engine import Database
from tests.helpers import assert_error

PASSWORD = "correct horse"


@pytest.fixture
def user(database: Database) -> users.User:
    return users.create(database, username="manager", password=PASSWORD, role="admin")


def _csrf(client: FlaskClient) -> str:
    page = client.get("/dashboards/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _login(client: FlaskClient, password: str = PASSWORD, next_url: str = "/dashboards/") -> int:
    response = client.post(
        "/dashboards/login",
        data={"username": "manager", "password": password, "csrf_token": _csrf(client),
              "next": next_url},
    )  # fmt: skip
    return response.status_code


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/",
        "/dashboards/courses",
        "/dashboards/explorer?kind=formal",
        "/dashboards/_dash-layout",
        "/dashboards/_dash-dependencies",
        "/dashboards/assets/10-dashboards.css",
        "/dashboards/export.csv",
    ],
)
def test_every_route_needs_login(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        pass
    assert response.status_code in (303, 401)
    if response.status_code == 303:
        assert response.headers["Location"].startswith("/dashboards/login?next=")
    else:
        assert "WWW-Authenticate" not in response.headers


def test_callbacks_need_login(client: FlaskClient) -> None:
    response = client.post("/dashboards/_dash-update-component", json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_login_then_pages_then_logout(client: FlaskClient, user: users.User) -> None:
    assert client.get("/dashboards/").status_code == 303
    response = client.post(
        "/dashboards/login",
        data={"username": "manager", "password": PASSWORD, "csrf_token": _csrf(client),
              "next": "/dashboards/courses?kind=formal"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboards/courses?kind=formal"
    assert client.get("/dashboards/").status_code == 200
    assert client.get("/dashboards/_dash-layout").status_code == 200
    with client.get("/dashboards/assets/10-dashboards.css") as asset:
        assert asset.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as flask_session:
        token = flask_session["csrf_token"]
    assert client.post("/dashboards/logout", data={"csrf_token": "wrong"}).status_code == 400
    assert client.post("/dashboards/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/dashboards/").status_code == 303


def test_wrong_password_and_unknown_user(client: FlaskClient, user: users.User) -> None:
    assert _login(client, password="wrong password") == 401
    assert client.get("/dashboards/").status_code == 303


def test_login_without_csrf_token_is_refused(client: FlaskClient, user: users.User) -> None:
    client.get("/dashboards/login")
    response = client.post("/dashboards/login", data={"username": "manager", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboards/").status_code == 303


def test_next_never_leaves_the_dashboards(client: FlaskClient, user: users.User) -> None:
    response = client.post(
        "/dashboards/login",
        data={"username": "manager", "password": PASSWORD, "csrf_token": _csrf(client),
              "next": "https://evil.example.com/dashboards/"},
    )  # fmt: skip
    assert response.headers["Location"] == "/dashboards/"


JSON = {"Accept": "application/json"}


def test_a_client_asking_for_json_gets_errors_in_the_one_shape(
    client: FlaskClient, user: users.User
) -> None:
    form = {"username": "manager", "password": "wrong password", "csrf_token": _csrf(client)}
    response = client.post("/dashboards/login", data=form, headers=JSON)
    error = assert_error(response, 401)
    assert error["code"] == "unauthorized"
    assert "WWW-Authenticate" not in response.headers
    error = assert_error(
        client.post("/dashboards/login", data={**form, "csrf_token": "stale"}, headers=JSON),
        400, "csrf_token",
    )  # fmt: skip
    assert "CSRF" in error["message"]
    browser = {"Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"}
    for headers in (browser, {"Accept": "*/*"}, {}):
        page = client.post("/dashboards/login", data=form, headers=headers)
        assert (page.status_code, page.mimetype) == (401, "text/html")
        assert "Unknown username or wrong password." in page.get_data(as_text=True)
    form["password"] = PASSWORD
    assert client.post("/dashboards/login", data=form, headers=JSON).status_code == 303
    assert client.get("/dashboards/").status_code == 200


def _form(token: str, **fields: str) -> bytes:
    return urlencode({"csrf_token": token, **fields}).encode()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "path"),
    [
        (lambda token: _form(token), "application/x-www-form-urlencoded", 400, "username"),
        (lambda token: _form(token, username="manager"), "application/x-www-form-urlencoded",
         400, "password"),
        (lambda token: _form(token, username="m" * 2_000_000, password="p" * 2_000_000),
         "application/x-www-form-urlencoded", 401, ""),
        (lambda token: orjson.dumps({"csrf_token": token, "username": "manager"}),
         "application/json", 400, "Content-Type"),
        (lambda token: b"username=manager", "text/plain", 400, "Content-Type"),
        (lambda token: b"", "", 400, "Content-Type"),
        (lambda token: b"--x\r\nbroken", "multipart/form-data", 400, "csrf_token"),
        (lambda token: b"--x\r\nbroken", "multipart/form-data; boundary=x", 400, "csrf_token"),
        (lambda token: _form("\u00e9" + token, username="manager", password=PASSWORD),
         "application/x-www-form-urlencoded", 400, "csrf_token"),
        (lambda token: _form(token, username="a\x00", password="p"),
         "application/x-www-form-urlencoded", 400, "username"),
        (lambda token: (
            b"--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode()
            + b"\r\n--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\na\x00"
            + b"\r\n--x\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\np"
            + b"\r\n--x--\r\n"
        ), "multipart/form-data; boundary=x", 400, "username"),
        (lambda token: b"csrf_token=" + token.encode() + b"&username=%ED%A0%80&password=%FF",
         "application/x-www-form-urlencoded", 401, ""),
    ],
    ids=["no-fields", "no-password", "huge-fields", "json", "text", "no-type", "broken-multipart",
         "broken-multipart-boundary", "csrf-outside-ascii", "nul", "nul-in-multipart",
         "not-utf-8"],
)  # fmt: skip
def test_a_malformed_sign_in_form_is_never_a_500(
    client: FlaskClient,
    user: users.User,
    body: Callable[[str], bytes],
    content_type: str,
    status: int,
    path: str,
) -> None:
    token = _csrf(client)
    headers = {**JSON, "Content-Type": content_type} if content_type else JSON
    response = client.post("/dashboards/login", data=body(token), headers=headers)
    assert_error(response, status, path)
    page = client.post(
        "/dashboards/login", data=body(token), headers={"Content-Type": content_type}
    )
    assert page.status_code == status
    assert client.get("/dashboards/").status_code == 303


@pytest.mark.parametrize(
    "target",
    ["http://[::1", "/dashboards/\r\nX-Injected: 1", "/dashboards/\x7f", "//[/dashboards/"],
)
def test_a_next_that_is_no_url_leads_to_the_dashboards(
    client: FlaskClient, user: users.User, target: str
) -> None:
    assert client.get("/dashboards/login", query_string={"next": target}).status_code == 200
    response = client.post(
        "/dashboards/login",
        data={"username": "manager", "password": PASSWORD, "csrf_token": _csrf(client),
              "next": target},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboards/"
    assert "X-Injected" not in response.headers


def test_export_streams_csv_and_ndjson(
    client: FlaskClient, user: users.User, seeded: object
) -> None:
    assert _login(client) == 303
    csv_text = client.get("/dashboards/export.csv?kind=formal").get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 1 + 10
    lines = client.get("/dashboards/export.ndjson?team=Beta").get_data(as_text=True).splitlines()
    assert len(lines) == 7


def test_user_rules(database: Database, user: users.User) -> None:
    with pytest.raises(BadRequest):
        users.create(database, username="manager", password=PASSWORD, role="admin")
    with pytest.raises(BadRequest):
        users.create(database, username="short", password="short", role="admin")
    with pytest.raises(BadRequest):
        users.create(database, username="x", password=PASSWORD, role="owner")
    assert users.authenticate(database, "manager", PASSWORD) == user
    assert users.authenticate(database, "nobody", PASSWORD) is None


def test_app_factory_can_build_dashboards_twice(app: Flask, settings: object) -> None:
    from lrs.app import create_app

    second = create_app(context.of(app).settings)
    assert context.of(second).dashboards is not None
    context.of(second).database.dispose()


def test_head_requests_are_answered_like_get(client: FlaskClient) -> None:
    assert client.head("/dashboards/login").status_code == 200
    assert client.head("/dashboards/").status_code == 303
