"""Fixtures for the /api/ tests: a Basic-auth client for /api/ and one for /xapi/."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import TEST_KEY, TEST_SECRET
from tests.helpers import XapiClient


class ApiClient:
    """Requests to /api/ with Basic credentials already set."""

    def __init__(self, client: FlaskClient, key: str = TEST_KEY, secret: str = TEST_SECRET):
        self.client = client
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.client.get(f"/api/{path}", headers=self.headers, **kw)

    def post(self, path: str, **kw: Any) -> TestResponse:
        return self.client.post(f"/api/{path}", headers=self.headers, **kw)

    def put(self, path: str, **kw: Any) -> TestResponse:
        return self.client.put(f"/api/{path}", headers=self.headers, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.client.delete(f"/api/{path}", headers=self.headers, **kw)


@pytest.fixture
def api(client: FlaskClient) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def lrs(client: FlaskClient) -> XapiClient:
    """An xAPI 2.0 client with the test credential (scope all), to store test data."""
    return XapiClient(client, TEST_KEY, TEST_SECRET, "2.0.0")
