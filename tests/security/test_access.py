"""Keys and sessions can be cut off: secrets of any length, revocation on every worker at
once, server-side dashboard sessions, backoff after failed sign-ins (429), CORS that
never pairs a wildcard with credentials, and one authentication hook for /xapi/ and /api/.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.app import create_app
from lrs.cli import main
from lrs.config import Settings
from lrs.errors import BadRequest
from lrs.http import context
from lrs.services import credentials, passwords, users
from lrs.store import credentials as credential_store
from lrs.store.engine import Database
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.e2e.server import KEY, LRS, serve

VERSION = {"X-Experience-API-Version": "2.0.0"}
_EXAMPLES = itertools.count()
SLOW_HASHES = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Secrets around and far beyond bcrypt's 72 bytes, in one- to four-byte characters; any
# but NUL, which no credential may hold (tested below).
SECRETS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=300),
    st.builds(lambda n, c: c * n, st.integers(60, 400), st.sampled_from(["a", "é", "€", "😀"])),
)


def _basic(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", **VERSION}


def _get(client: FlaskClient, key: str, secret: str, address: str = "127.0.0.1") -> int:
    response = client.get(
        "/xapi/statements", headers=_basic(key, secret), environ_base={"REMOTE_ADDR": address}
    )
    return response.status_code


def _assert_429(response: object) -> int:
    assert getattr(response, "status_code", None) == 429
    body = response.get_json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "too_many_requests"
    assert set(body["error"]) == {"code", "message", "path"}
    retry_after = int(response.headers["Retry-After"])  # type: ignore[attr-defined]
    assert retry_after >= 1
    return retry_after


# --- secrets of any length -----------------------------------------------------------------


@SLOW_HASHES
@given(secret=SECRETS)
def test_a_secret_of_any_length_signs_in_and_a_longer_one_does_not(
    client: FlaskClient, database: Database, secret: str
) -> None:
    made = credentials.create(
        database, name="long", scopes=["all"], home_page="http://t", secret=secret
    )
    # An address of its own per example: hypothesis runs the examples (and replays the
    # failing ones it remembers) in one app, whose failed sign-ins from one address back
    # that address off (429) after a few.
    n = next(_EXAMPLES)
    address = f"10.7.{n // 250 % 250}.{n % 250}"
    assert _get(client, made.key, secret, address) == 200
    assert _get(client, made.key, secret + "x", address) == 401
    assert _get(client, made.key, secret[:-1] or "?", address) == 401


@pytest.mark.parametrize(
    ("key", "secret", "refused"),
    [
        (None, "before\x00after", "NUL"),
        ("key\x00", "fine", "NUL"),
        ("key:with-colon", "fine", "colon"),
    ],
)
def test_a_credential_that_could_never_sign_in_is_not_created(
    database: Database, key: str | None, secret: str, refused: str
) -> None:
    before = len(credentials.listing(database))
    with pytest.raises(BadRequest, match=refused):
        credentials.create(
            database, name="x", scopes=["all"], home_page="http://t", key=key, secret=secret
        )
    with pytest.raises(BadRequest, match=refused):
        credentials.ensure(database, key=key or "k", secret=secret, home_page="http://t")
    assert len(credentials.listing(database)) == before


def test_the_cli_says_why_a_key_is_refused(database_url: str) -> None:
    result = CliRunner(env={"LRS_DATABASE_URL": database_url}).invoke(
        main, ["credentials", "create", "--name", "x", "--key", "a:b"]
    )
    assert result.exit_code == 1
    assert "colon" in result.output and "Traceback" not in result.output


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(secret=SECRETS)
def test_unknown_keys_with_any_secret_are_401(client: FlaskClient, secret: str) -> None:
    response = client.get(
        "/xapi/statements",
        headers=_basic("no-such-key", secret),
        environ_base={"REMOTE_ADDR": f"10.0.{len(secret) % 250}.{len(secret) // 250}"},
    )
    assert response.status_code in (401, 429)  # many examples share an address
    assert response.get_json()["error"]["code"] in ("unauthorized", "too_many_requests")


def test_hashes_written_before_the_length_scheme_still_verify(database: Database) -> None:
    """A plain bcrypt hash (no ``sha256+`` mark) keeps working; a secret bcrypt could
    never have taken is simply wrong for it."""
    legacy = bcrypt.hashpw(b"an old secret", bcrypt.gensalt(rounds=4)).decode()
    assert passwords.verify("an old secret", legacy)
    assert not passwords.verify("an old secret!", legacy)
    assert not passwords.verify("x" * 100, legacy)
    assert not passwords.verify("nul\0byte", legacy)
    assert not passwords.verify("anything", "not a hash")
    made = credentials.create(database, name="old", scopes=["all"], home_page="http://t")
    with database.writing() as session:
        row = credential_store.by_key(session, made.key)
        assert row is not None
        row.secret_hash = bcrypt.hashpw(made.secret.encode(), bcrypt.gensalt(rounds=4)).decode()
    assert credentials.authenticate(database, made.key, made.secret) is not None


@SLOW_HASHES
@given(password=SECRETS.filter(lambda p: len(p) >= 8 and "\n" not in p and "\r" not in p))
def test_dashboard_passwords_of_any_length(
    database: Database, database_url: str, password: str
) -> None:
    name = f"u{time.monotonic_ns()}"
    result = CliRunner().invoke(
        main,
        ["users", "create", "--username", name, "--role", "admin", "--password-stdin"],
        input=password + "\n",
        env={"LRS_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    assert users.authenticate(database, name, password) is not None
    assert users.authenticate(database, name, password + password) is None


def test_an_over_long_password_at_the_login_form_is_a_wrong_password(
    dashboards_client: FlaskClient, database: Database
) -> None:
    users.create(database, username="long", password="p" * 200, role="admin")
    assert _login(dashboards_client, "long", "q" * 5000) == 401
    assert _login(dashboards_client, "nobody", "q" * 5000) == 401
    assert _login(dashboards_client, "long", "p" * 200) == 303


# --- dashboards sessions ------------------------------------------------------------------


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., Flask]]:
    """Apps over the test database with some settings changed; disposed at the end."""
    made: list[Flask] = []

    def make(**changes: Any) -> Flask:
        app = create_app(dataclasses.replace(settings, **changes))
        app.config["TESTING"] = True
        made.append(app)
        return app

    yield make
    for app in made:
        context.of(app).database.dispose()


@pytest.fixture
def dashboards_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(dashboards=True)


@pytest.fixture
def dashboards_client(dashboards_app: Flask) -> FlaskClient:
    return dashboards_app.test_client()


def _csrf(client: FlaskClient) -> str:
    page = client.get("/dashboards/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _login(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1") -> int:
    csrf = _csrf(client)
    response = client.post(
        "/dashboards/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_logout_ends_the_session_on_the_server(
    dashboards_app: Flask, dashboards_client: FlaskClient, database: Database
) -> None:
    users.create(database, username="pat", password="correct horse", role="admin")
    assert _login(dashboards_client, "pat", "correct horse") == 303
    assert dashboards_client.get("/dashboards/").status_code == 200
    captured = _session_cookie(dashboards_client)
    with dashboards_client.session_transaction() as flask_session:
        csrf = flask_session["csrf_token"]
    assert (
        dashboards_client.post("/dashboards/logout", data={"csrf_token": csrf}).status_code == 303
    )
    replay = dashboards_app.test_client()
    replay.set_cookie("session", captured)
    assert replay.get("/dashboards/").status_code == 303  # back to the login page
    assert replay.get("/dashboards/export.csv").status_code == 401


def test_an_administrator_ends_every_session_of_a_user(
    dashboards_app: Flask, database: Database, database_url: str
) -> None:
    users.create(database, username="sam", password="correct horse", role="admin")
    users.create(database, username="kim", password="correct horse", role="admin")
    browsers = [dashboards_app.test_client() for _ in range(3)]
    for browser, name in zip(browsers, ["sam", "sam", "kim"], strict=True):
        assert _login(browser, name, "correct horse") == 303
    result = CliRunner().invoke(
        main, ["users", "end-sessions", "sam"], env={"LRS_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert "ended 2 session(s)" in result.output
    assert [b.get("/dashboards/").status_code for b in browsers] == [303, 303, 200]
    missing = CliRunner().invoke(
        main, ["users", "end-sessions", "nobody"], env={"LRS_DATABASE_URL": database_url}
    )
    assert missing.exit_code != 0 and "no dashboard user 'nobody'" in missing.output


def test_a_new_password_ends_the_old_sessions(
    dashboards_client: FlaskClient, database: Database
) -> None:
    users.create(database, username="lee", password="correct horse", role="admin")
    assert _login(dashboards_client, "lee", "correct horse") == 303
    users.set_password(database, username="lee", password="battery staple")
    assert dashboards_client.get("/dashboards/").status_code == 303


@pytest.mark.parametrize("secure", [True, False])
def test_the_session_cookie_is_secure_when_configured(
    make_app: Callable[..., Flask], database: Database, secure: bool
) -> None:
    app = make_app(dashboards=True, session_cookie_secure=secure)
    users.create(database, username="tls", password="correct horse", role="admin")
    client = app.test_client()
    csrf = _csrf(client)
    response = client.post(
        "/dashboards/login",
        data={"username": "tls", "password": "correct horse", "csrf_token": csrf},
    )
    assert response.status_code == 303
    assert ("; Secure" in response.headers["Set-Cookie"]) is secure


# --- backoff after failed sign-ins --------------------------------------------------------


def test_failed_secrets_back_off_per_key_with_429(client: FlaskClient) -> None:
    assert _get(client, TEST_KEY, TEST_SECRET) == 200  # verified before the attack
    assert [_get(client, TEST_KEY, f"guess-{i}", "10.1.0.1") for i in range(5)] == [401] * 5
    refused = client.get(
        "/xapi/statements",
        headers=_basic(TEST_KEY, "guess-6"),
        environ_base={"REMOTE_ADDR": "10.1.0.2"},  # another address: the key backs off
    )
    first_wait = _assert_429(refused)
    assert refused.headers["X-Experience-API-Version"] == "2.0.0"
    # The client that proved its secret before is not locked out by the guesses.
    assert _get(client, TEST_KEY, TEST_SECRET) == 200
    time.sleep(first_wait + 0.1)
    assert _get(client, TEST_KEY, "guess-7", "10.1.0.3") == 401  # one more try, then longer
    again = client.get(
        "/xapi/statements",
        headers=_basic(TEST_KEY, "guess-8"),
        environ_base={"REMOTE_ADDR": "10.1.0.3"},
    )
    assert _assert_429(again) >= 2 * first_wait


def test_failed_sign_ins_back_off_per_address(client: FlaskClient) -> None:
    statuses = [_get(client, f"unknown-{i}", "x", "10.2.0.1") for i in range(20)]
    assert statuses == [401] * 20  # unknown keys: counted for the address only
    response = client.get(
        "/xapi/statements",
        headers=_basic(TEST_KEY, TEST_SECRET),
        environ_base={"REMOTE_ADDR": "10.2.0.1"},
    )
    _assert_429(response)  # even a right secret, from an address that backs off
    assert _get(client, TEST_KEY, TEST_SECRET, "10.2.0.2") == 200  # other addresses are fine


def test_backoff_is_shared_by_every_worker(
    make_app: Callable[..., Flask], client: FlaskClient
) -> None:
    """A second app (another worker or machine) on the same database refuses too."""
    other = make_app().test_client()
    for i in range(5):
        assert _get(client, TEST_KEY, f"guess-{i}", "10.3.0.1") == 401
    _assert_429(
        other.get(
            "/xapi/statements",
            headers=_basic(TEST_KEY, "guess-5"),
            environ_base={"REMOTE_ADDR": "10.3.0.2"},
        )
    )


def test_dashboard_logins_back_off_with_429(
    dashboards_client: FlaskClient, database: Database
) -> None:
    users.create(database, username="ana", password="correct horse", role="admin")
    assert [_login(dashboards_client, "ana", f"wrong {i}", "10.4.0.1") for i in range(5)] == [
        401
    ] * 5
    csrf = _csrf(dashboards_client)
    response = dashboards_client.post(
        "/dashboards/login",
        data={"username": "ana", "password": "correct horse", "csrf_token": csrf},
        headers={"Accept": "application/json"},
        environ_base={"REMOTE_ADDR": "10.4.0.2"},
    )
    _assert_429(response)
    # A browser gets the form again, with the same wait.
    response = dashboards_client.post(
        "/dashboards/login",
        data={"username": "ana", "password": "correct horse", "csrf_token": csrf},
        headers={"Accept": "text/html,*/*;q=0.8"},
        environ_base={"REMOTE_ADDR": "10.4.0.2"},
    )
    assert (response.status_code, response.mimetype) == (429, "text/html")
    assert int(response.headers["Retry-After"]) >= 1
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_the_limits_are_settings(make_app: Callable[..., Flask]) -> None:
    strict = make_app(sign_in_failures_per_address=2)
    client = strict.test_client()
    assert [_get(client, "nobody", "x", "10.5.0.1") for _ in range(2)] == [401, 401]
    _assert_429(
        client.get(
            "/xapi/statements",
            headers=_basic("nobody", "x"),
            environ_base={"REMOTE_ADDR": "10.5.0.1"},
        )
    )


# --- revocation on every worker -----------------------------------------------------------


def test_revocation_holds_at_once_in_another_process(
    client: FlaskClient, database: Database, database_url: str
) -> None:
    """The app here verified the secret and remembers it; `lrs credentials revoke` runs in
    another process, whose memory this one never sees. (A credential of its own: the
    test credential outlives the test on PostgreSQL.)"""
    made = credentials.create(database, name="revoked", scopes=["all"], home_page="http://t")
    assert _get(client, made.key, made.secret) == 200
    subprocess.run(
        [LRS, "credentials", "revoke", made.key],
        env={"LRS_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    assert _get(client, made.key, made.secret) == 401
    assert _get(client, TEST_KEY, TEST_SECRET) == 200


def test_a_secret_reset_elsewhere_holds_at_once_for_a_remembered_secret(
    client: FlaskClient, database: Database
) -> None:
    """The app remembers a verified secret; the secret is then reset through another
    Database (as another worker would), whose cache this app never sees."""
    made = credentials.create(database, name="reset", scopes=["all"], home_page="http://t")
    assert _get(client, made.key, made.secret) == 200
    assert _get(client, made.key, made.secret) == 200  # remembered now
    other = Database(database.url)
    try:
        with other.writing() as session:
            row = credential_store.by_key(session, made.key)
            assert row is not None
            row.secret_hash = passwords.hash_secret("the new secret")
    finally:
        other.dispose()
    assert _get(client, made.key, made.secret) == 401
    assert _get(client, made.key, "the new secret") == 200


def test_a_remembered_secret_is_refused_while_its_address_backs_off(
    make_app: Callable[..., Flask],
) -> None:
    """The one read of a remembered sign-in checks the address's backoff too."""
    client = make_app(sign_in_failures_per_address=2).test_client()
    assert _get(client, TEST_KEY, TEST_SECRET, "10.6.0.1") == 200
    assert _get(client, TEST_KEY, TEST_SECRET, "10.6.0.1") == 200  # remembered now
    assert [_get(client, "nobody", "x", "10.6.0.1") for _ in range(2)] == [401, 401]
    _assert_429(
        client.get(
            "/xapi/statements",
            headers=_basic(TEST_KEY, TEST_SECRET),
            environ_base={"REMOTE_ADDR": "10.6.0.1"},
        )
    )
    assert _get(client, TEST_KEY, TEST_SECRET, "10.6.0.2") == 200


@pytest.mark.slow
def test_revocation_holds_on_every_worker_of_a_live_server_within_a_second(
    database_url: str, tmp_path: Path
) -> None:
    long_secret = "s" * 40 + "é" * 60  # 160 bytes: beyond bcrypt's 72
    with serve(
        database_url, tmp_path / "serve.log", workers=2, extra_env={"LRS_API_SECRET": long_secret}
    ) as server:
        url = f"{server.xapi}/statements"
        for _ in range(12):  # fresh connections: both workers verify and remember it
            assert requests.get(url, headers=_basic(KEY, long_secret)).status_code == 200
        subprocess.run(
            [LRS, "credentials", "revoke", KEY],
            env={"LRS_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
            check=True,
            capture_output=True,
        )
        revoked_at = time.monotonic()
        first = requests.get(url, headers=_basic(KEY, long_secret)).status_code
        # The first request after the revocation is refused, within the second; the next
        # ones (fresh connections, so both workers) too, however busy the machine is.
        assert (first, time.monotonic() - revoked_at < 1.0) == (401, True)
        statuses = [
            requests.get(url, headers=_basic(KEY, long_secret)).status_code for _ in range(11)
        ]
        assert statuses == [401] * 11


# --- CORS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "origin", "allowed", "credentials_allowed"),
    [
        ("*", "http://course.example", "*", False),
        ("http://course.example", "http://course.example", "http://course.example", True),
        ("http://course.example", "http://evil.example", None, False),
        ("http://course.example, *", "http://course.example", "http://course.example", True),
        ("http://course.example, *", "http://evil.example", "*", False),
    ],
)
def test_cors_never_pairs_a_wildcard_with_credentials(
    make_app: Callable[..., Flask],
    configured: str,
    origin: str,
    allowed: str | None,
    credentials_allowed: bool,
) -> None:
    client = make_app(cors_origins=configured).test_client()
    for response in (
        client.options(
            "/xapi/statements",
            headers={"Origin": origin, "Access-Control-Request-Method": "PUT"},
        ),
        client.get("/xapi/about", headers={"Origin": origin}),
        client.get("/xapi/statements", headers={"Origin": origin, **_basic(TEST_KEY, "wrong")}),
    ):
        assert response.headers.get("Access-Control-Allow-Origin") == allowed
        assert ("Access-Control-Allow-Credentials" in response.headers) is credentials_allowed
        if allowed:
            assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


# --- one authentication hook --------------------------------------------------------------


def test_every_xapi_and_api_route_but_the_public_ones_needs_credentials(app: Flask) -> None:
    public = {"/xapi/about", "/api/openapi.json", "/api/docs"}
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        path = str(rule.rule)
        if not path.startswith(("/xapi", "/api")) or "<" in path:
            continue
        method = sorted((rule.methods or set()) - {"OPTIONS", "HEAD"})[0]
        response = client.open(path, method=method, headers=VERSION)
        if path in public:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 401, (path, method)
            assert response.get_json()["error"]["code"] == "unauthorized"
            checked += 1
    assert checked >= 10
