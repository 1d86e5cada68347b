"""The OpenAPI description: complete, served, readable, and fuzzed with schemathesis."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from lrs.http import context
from lrs.services import forwarding
from lrs.services.principal import OPERATOR
from lrs.store.engine import Database
from tests.lrs.api.conftest import ApiClient


def test_every_route_is_described(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    described = {
        (path, method) for path, item in spec["paths"].items() for method in item
        if method != "parameters"
    }  # fmt: skip
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/xapi/", "/api/")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (path, method)


def test_api_schemas_come_from_marshmallow(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    rule = spec["components"]["schemas"]["RuleInput"]
    assert set(rule["required"]) == {"name", "kind", "url"}
    assert rule["properties"]["kind"]["enum"] == ["xapi", "webhook"]
    assert spec["components"]["securitySchemes"]["basicAuth"]["scheme"] == "basic"


def test_docs_page_lists_paths_parameters_and_responses(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for expected in ("/api/export/statements", "/xapi/statements", "include_voided",
                     "source_kind", "X-Experience-API-Version", "412"):  # fmt: skip
        assert expected in html
    assert "<script" not in html and "http://cdn" not in html and "https://" not in html


def test_spec_is_public(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").status_code == 200


@pytest.fixture
def api_schema(app: Flask, database: Database, api: ApiClient) -> Any:
    forwarding.create_rule(
        database, OPERATOR, {"name": "hook", "kind": "webhook", "url": "http://127.0.0.1:9",
                             "secret": "s", "active": False},
        box=context.of(app).secret_box,
    )  # fmt: skip
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    # Fuzz /api/; the xAPI resources have their own conformance tests.
    return loaded.include(path_regex="^/api/")


def test_no_server_errors(api_schema: Any, api: ApiClient) -> None:
    """Generated requests for every /api/ operation never get a 5xx (bounded run)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(operation.as_strategy())
        @settings(
            max_examples=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=api.headers, checks=[not_a_server_error])

        check()
