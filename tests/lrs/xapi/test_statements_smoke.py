"""Smoke: store and read back a statement over HTTP."""

from __future__ import annotations

from tests.factories import make_statement
from tests.helpers import XapiClient


def test_post_then_get(xapi: XapiClient) -> None:
    statement = make_statement()
    response = xapi.post("statements", json=statement)
    assert response.status_code == 200, response.get_data(as_text=True)
    [statement_id] = response.get_json()
    got = xapi.get(f"statements?statementId={statement_id}")
    assert got.status_code == 200, got.get_data(as_text=True)
    assert got.get_json()["id"] == statement_id
    page = xapi.get("statements")
    assert [s["id"] for s in page.get_json()["statements"]] == [statement_id]
