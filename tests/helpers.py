"""Test helpers: an xAPI client around Flask's test client, and error-shape assertions."""

from __future__ import annotations

import base64
import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lrs.services import credentials
from lrs.store.engine import Database


class XapiClient:
    """Sends requests with the version header and Basic credentials already set."""

    def __init__(self, client: FlaskClient, key: str, secret: str, version: str) -> None:
        self.client = client
        self.version = version
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {**self.headers, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.get(f"/xapi/{path}", headers=self._headers(headers), **kw)

    def head(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.head(f"/xapi/{path}", headers=self._headers(headers), **kw)

    def post(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.post(f"/xapi/{path}", headers=self._headers(headers), **kw)

    def put(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.put(f"/xapi/{path}", headers=self._headers(headers), **kw)

    def delete(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> TestResponse:
        return self.client.delete(f"/xapi/{path}", headers=self._headers(headers), **kw)


def assert_error(response: TestResponse, status: int, path: str | None = None) -> dict[str, Any]:
    """The response is the canonical error shape with ``status`` (and ``path``, if given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "path"}
    assert error["message"]
    if path is not None:
        assert error["path"] == path
    return error


def scoped_client(
    client: FlaskClient, database: Database, version: str, scopes: list[str]
) -> XapiClient:
    """An xAPI client whose fresh credential holds only ``scopes``."""
    made = credentials.create(database, name="scoped", scopes=scopes, home_page="http://lrs.test")
    return XapiClient(client, made.key, made.secret, version)


def dashboards_sign_in(client: FlaskClient, username: str, password: str) -> None:
    """Sign ``client`` in to the dashboards through the login form (with its CSRF token)."""
    page = client.get("/dashboards/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post("/dashboards/login", data={
        "username": username, "password": password, "csrf_token": token.group(1)})  # fmt: skip
    assert response.status_code == 303
