"""Sign-in with OpenID Connect against a real provider: npm's ``oidc-provider`` run with
Node (``tests/clients/oidc_provider.mjs``) on a free 127.0.0.1 port, the LRS on another,
and the whole authorization code flow (PKCE, state, nonce) driven over real HTTP by a
``requests`` session, as a browser would follow it. The provider's verified e-mail names
a person of the known data set; the member user made on first sign-in then reads only
that person's statements."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from flask import Flask

from lrs.cli.child import free_port
from lrs.config import Settings
from lrs.services import users
from lrs.store.engine import Database
from tests.lrs.insight.data import actor_key

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
CLIENT_ID = "lrs-dashboards"
CLIENT_SECRET = "a-client-secret-for-tests"
PORTS = {"lrs": free_port(), "provider": free_port()}
LRS = f"http://127.0.0.1:{PORTS['lrs']}"
ISSUER = f"http://127.0.0.1:{PORTS['provider']}"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (CLIENTS / "node_modules" / "oidc-provider").exists(),
    reason="needs Node and `npm ci` in tests/clients",
)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    process = subprocess.Popen(
        [
            "node",
            "oidc_provider.mjs",
            str(PORTS["provider"]),
            CLIENT_ID,
            CLIENT_SECRET,
            f"{LRS}/dashboards/login/oidc/callback",
        ],
        cwd=CLIENTS,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    yield ISSUER
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture
def settings(settings: Settings, provider: str) -> Settings:
    return dataclasses.replace(
        settings, dashboards=True, oidc_issuer=provider, oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )  # fmt: skip


@pytest.fixture
def lrs(app: Flask, seeded: dict[str, Any]) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", PORTS["lrs"], app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LRS
    server.shutdown()
    thread.join(timeout=10)


def _form(page: requests.Response) -> tuple[str, dict[str, str]]:
    """The address and the hidden fields of the page's form."""
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action is not None, page.text[:500]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return urljoin(page.url, html.unescape(action.group(1))), fields


def _sign_in(browser: requests.Session, login: str) -> requests.Response:
    """From the login page's button through the provider's login and consent forms
    back to the dashboards; the last response."""
    page = browser.get(f"{LRS}/dashboards/login?next=/dashboards/explorer")
    button = re.search(r'id="sign-in-oidc"[^>]*href="([^"]+)"', page.text)
    assert button is not None and "Sign in with\n127.0.0.1" in page.text
    at_provider = browser.get(LRS + html.unescape(button.group(1)))
    assert at_provider.url.startswith(ISSUER + "/interaction/"), at_provider.url
    action, fields = _form(at_provider)
    consent = browser.post(action, data={**fields, "login": login, "password": "any"})
    while consent.url.startswith(ISSUER + "/interaction/"):  # the consent prompt
        action, fields = _form(consent)
        consent = browser.post(action, data=fields)
    return consent


def test_a_verified_email_of_a_person_signs_in_as_that_member(lrs: str, database: Database) -> None:
    browser = requests.Session()
    landed = _sign_in(browser, "ann@example.com")
    assert landed.status_code == 200 and landed.url == f"{LRS}/dashboards/explorer"
    summary = browser.get(f"{LRS}/api/aggregates/summary").json()["records"][0]
    assert summary["statements"] == 8  # Ann's own, of 20
    (made,) = [u for u in users.listing(database) if u.username == "ann@example.com"]
    assert (made.role, made.person_key, made.person_identifier) == (
        "member", actor_key("ann"), "mbox:mailto:ann@example.com",
    )  # fmt: skip
    assert made.subject == f"{ISSUER} ann@example.com"
    # The next sign-in finds the same user; no password signs it in locally.
    again = requests.Session()
    assert _sign_in(again, "ann@example.com").status_code == 200
    assert len(users.listing(database)) == 1
    assert users.authenticate(database, "ann@example.com", "") is None


def test_an_existing_member_of_the_person_is_linked(lrs: str, database: Database) -> None:
    users.create(database, username="cat", password="correct horse",
                 role=users.Role("member", person=actor_key("cat")))  # fmt: skip
    browser = requests.Session()
    assert _sign_in(browser, "cat@example.com").status_code == 200
    (cat,) = users.listing(database)
    assert (cat.username, cat.subject) == ("cat", f"{ISSUER} cat@example.com")
    summary = browser.get(f"{LRS}/api/aggregates/summary").json()["records"][0]
    assert summary["statements"] == 3


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("nobody@example.com", "no person is known by the e-mail address nobody@example.com"),
        ("unverified:ann@example.com", "the identity provider gave no verified e-mail address"),
        ("no-email-at-all", "the identity provider gave no verified e-mail address"),
    ],
)
def test_an_identity_without_a_verified_email_of_a_person_sees_nothing(
    lrs: str, database: Database, login: str, message: str
) -> None:
    browser = requests.Session()
    refused = _sign_in(browser, login)
    assert refused.status_code == 403 and message in html.unescape(refused.text)
    assert users.listing(database) == []
    assert browser.get(f"{LRS}/api/aggregates/summary").status_code == 401


def test_a_callback_without_the_flow_state_is_refused(lrs: str) -> None:
    browser = requests.Session()
    forged = browser.get(f"{LRS}/dashboards/login/oidc/callback?code=x&state=forged")
    assert forged.status_code == 400 and "did not complete" in forged.text
    assert browser.get(f"{LRS}/dashboards/", allow_redirects=False).status_code == 303
