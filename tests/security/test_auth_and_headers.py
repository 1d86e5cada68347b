"""Credentials and browser-facing protections: secrets never logged or echoed, unknown
keys cost no bcrypt check, security headers on every response, the dashboard
session cookie and CSRF checks."""

from __future__ import annotations

import dataclasses
import logging
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from lrs.app import create_app
from lrs.config import Settings
from lrs.http import context
from lrs.services import credentials, users
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.e2e.server import KEY, SECRET, serve
from tests.helpers import XapiClient

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def test_no_secret_is_logged_on_failed_or_successful_auth(
    client: FlaskClient, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = credentials.create(database, name="logged", scopes=["all"], home_page="http://t")
    good = XapiClient(client, made.key, made.secret, "2.0.0")
    wrong = XapiClient(client, made.key, made.secret + "x", "2.0.0")
    responses = [good.get("statements"), wrong.get("statements"), good.get("statements")]
    assert [r.status_code for r in responses] == [200, 401, 200]
    for response in responses:
        assert made.secret not in response.get_data(as_text=True)
    assert made.secret not in caplog.text
    assert made.secret + "x" not in caplog.text


def test_lrs_serve_prints_and_logs_no_secret(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serve(database_url, log, workers=1, extra_env={"LRS_LOG_LEVEL": "DEBUG"}) as server:
        version = {"X-Experience-API-Version": "2.0.0"}
        url = f"{server.xapi}/statements"
        assert requests.get(url, auth=(KEY, SECRET), headers=version).status_code == 200
        assert requests.get(url, auth=(KEY, "wrong-" + SECRET), headers=version).status_code == 401
    output = log.read_text()
    assert "from LRS_API_KEY" in output  # it did start and report the credential
    assert SECRET not in output
    assert "e2e-session-key" not in output


def test_unknown_keys_never_reach_bcrypt(database: Database) -> None:
    """Keys are not secrets (they name the authority of every statement a credential
    stores): an unknown key is refused without a bcrypt check, so a flood of them costs
    no CPU, while a wrong secret for a known key pays for one."""

    def timed(key: str, secret: str) -> float:
        start = time.perf_counter()
        assert credentials.authenticate(database, key, secret) is None
        return time.perf_counter() - start

    unknown = statistics.median(timed(f"no-such-key-{i}", "secret") for i in range(5))
    wrong = statistics.median(timed(TEST_KEY, f"wrong-{i}") for i in range(3))
    assert unknown < wrong / 4, (unknown, wrong)


def test_secrets_are_stored_as_bcrypt_hashes(database: Database) -> None:
    made = credentials.create(database, name="hashed", scopes=["all"], home_page="http://t")
    with database.reading() as session:
        from lrs.store import credentials as store

        row = store.by_key(session, made.key)
        assert row is not None
        assert row.secret_hash.startswith("sha256+$2b$12$")
        assert made.secret not in row.secret_hash


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/xapi/about"),
        ("GET", "/xapi/statements"),  # 401 without credentials
        ("POST", "/xapi/statements"),
        ("GET", "/api/export/statements"),
        ("GET", "/no/such/page"),
    ],
)
def test_every_response_carries_the_security_headers(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method, headers={"X-Experience-API-Version": "2.0.0"})
    for name, value in HEADERS.items():
        assert response.headers[name] == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


@pytest.fixture
def dashboards_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(dataclasses.replace(settings, dashboards=True))
    yield app
    context.of(app).database.dispose()


def test_dashboards_send_a_policy_that_allows_their_inline_scripts_by_hash(
    dashboards_app: Flask,
) -> None:
    database: Database = context.of(dashboards_app).database
    users.create(
        database,
        username="viewer",
        password="correct horse battery",
        role=users.Role("manager", teams=("Alpha",)),
    )
    client = dashboards_app.test_client()
    login = client.get("/dashboards/login")
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for name, value in HEADERS.items():
        assert login.headers[name] == value
    token = _csrf(login.get_data(as_text=True))
    signed_in = client.post(
        "/dashboards/login",
        data={"username": "viewer", "password": "correct horse battery", "csrf_token": token},
    )
    assert signed_in.status_code == 303
    page = client.get("/dashboards/")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    dash_app = context.of(dashboards_app).dashboards
    for digest in dash_app.csp_hashes():
        assert digest in policy
    # Each once: the policy goes with every answer, each callback's too.
    listed = [part for part in policy.split() if part.startswith("'sha256-")]
    assert len(listed) == len(set(listed)) == len(set(dash_app.csp_hashes()))


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_dashboard_forms_refuse_requests_without_the_csrf_token(dashboards_app: Flask) -> None:
    database: Database = context.of(dashboards_app).database
    users.create(
        database,
        username="viewer",
        password="correct horse battery",
        role=users.Role("manager", teams=("Alpha",)),
    )
    client = dashboards_app.test_client()
    client.get("/dashboards/login")
    forged = client.post(
        "/dashboards/login", data={"username": "viewer", "password": "correct horse battery"}
    )
    assert forged.status_code == 400
    wrong = client.post(
        "/dashboards/login",
        data={"username": "viewer", "password": "correct horse battery", "csrf_token": "x"},
    )
    assert wrong.status_code == 400
    # Signed in, logging out still needs the token; without it the session survives.
    token = _csrf(client.get("/dashboards/login").get_data(as_text=True))
    client.post("/dashboards/login", data={"username": "viewer",
                "password": "correct horse battery", "csrf_token": token})  # fmt: skip
    assert client.post("/dashboards/logout").status_code == 400
    assert client.get("/dashboards/").status_code == 200
    # Dash callbacks are JSON POSTs; without a session they are refused, not redirected.
    other = dashboards_app.test_client()
    assert other.post("/dashboards/_dash-update-component", json={}).status_code == 401


def test_the_test_credential_still_works(client: FlaskClient) -> None:
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "2.0.0")
    assert xapi.get("statements").status_code == 200
