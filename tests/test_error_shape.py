"""Every error leaves the server in one shape: {"error": {"code", "message", "path"}}."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers import XapiClient, assert_error


def test_unknown_route_is_404_in_our_shape(client: FlaskClient) -> None:
    assert_error(client.get("/xapi/nothing-here"), 404)


def test_wrong_method_is_405_in_our_shape(xapi: XapiClient) -> None:
    assert_error(xapi.client.patch("/xapi/statements", headers=xapi.headers), 405)


def test_body_over_the_limit_is_413_in_our_shape(xapi: XapiClient) -> None:
    limit = xapi.client.application.config["MAX_CONTENT_LENGTH"]
    response = xapi.post(
        "statements", data=b"[" + b" " * limit + b"]", content_type="application/json"
    )
    assert_error(response, 413)


def test_unexpected_failure_is_500_in_our_shape(client: FlaskClient) -> None:
    app = client.application

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    error = assert_error(response, 500)
    assert "kaboom" not in error["message"]  # internals never leak


def test_auth_and_validation_errors_share_the_shape(xapi: XapiClient) -> None:
    assert_error(xapi.client.get("/xapi/statements"), 400)
    assert_error(xapi.get("statements", headers={"Authorization": "Basic eDp5"}), 401)
    assert_error(xapi.post("statements", json={"actor": {}}), 400)
