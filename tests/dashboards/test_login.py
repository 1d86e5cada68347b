"""Login, logout, CSRF and the guard in front of every /dashboards/ route."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs.errors import BadRequest
from lrs.http import context
from lrs.services import users
from lrs.store.engine import Database

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
