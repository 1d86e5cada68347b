"""Every CSV the product makes is safe to open in a spreadsheet (CSV injection).

One writer (``lrs.csvfile``) owns the rule; each CSV endpoint is tried with statements
whose names, labels and context carry cells a spreadsheet would run as formulas:
``/api/export/statements?format=csv``, ``lrs export --format csv`` and the dashboards
Explorer's ``/dashboards/export.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from lrs import csvfile
from lrs.app import create_app
from lrs.cli import main
from lrs.config import Settings
from lrs.http import context
from lrs.services import users
from tests.conftest import TEST_KEY, TEST_SECRET
from tests.factories import make_activity, make_agent, make_statement
from tests.helpers import XapiClient

HOSTILE = [
    "=1+2",
    '=HYPERLINK("http://evil.example.com","x")',
    "+SUM(A1:A2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1+2",
    "\r=1+2",
]
PASSWORD = "correct horse battery"
# A negative number is a number to a spreadsheet, not a formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _assert_safe(text: str) -> list[list[str]]:
    """Every cell of a CSV text is safe: none but a number starts with a formula character."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) > 1
    for row in rows:
        for value in row:
            safe = not value.startswith(csvfile.FORMULA_START) or NUMBER.fullmatch(value)
            assert safe, (value, row)
    return rows


def _hostile_statements() -> list[dict[str, Any]]:
    statements = []
    for number, text in enumerate(HOSTILE):
        activity = make_activity(f"http://example.com/activities/hostile-{number}")
        activity["definition"]["name"] = {"en-US": text}
        statement = make_statement(
            actor=make_agent(f"hostile{number}", name=text),
            object=activity,
            context={"platform": text, "team": {"objectType": "Group", "name": text,
                     "member": [make_agent("teammate")]}},
            result={"score": {"scaled": -0.5, "raw": -5, "min": -10, "max": 10}},
        )  # fmt: skip
        statement["verb"]["display"] = {"en-US": text}
        statements.append(statement)
    return statements


@pytest.fixture
def dashboards_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(dataclasses.replace(settings, dashboards=True))
    app.config["TESTING"] = True
    yield app
    context.of(app).database.dispose()


@pytest.fixture
def hostile_client(dashboards_app: Flask) -> FlaskClient:
    client = dashboards_app.test_client()
    xapi = XapiClient(client, TEST_KEY, TEST_SECRET, "2.0.0")
    assert xapi.post("statements", json=_hostile_statements()).status_code == 200
    return client


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
def test_no_cell_starts_a_formula_and_text_survives(value: Any) -> None:
    text = csvfile.rows([[value, "after"]]).decode()
    (row,) = list(csv.reader(io.StringIO(text, newline="")))
    assert row[1] == "after"
    if isinstance(value, str):
        assert not row[0].startswith(csvfile.FORMULA_START)
        assert row[0] in (value, "'" + value)


def test_numbers_stay_numbers() -> None:
    assert csvfile.rows([[-5, -0.5, True, None, "-5"]]) == b"-5,-0.5,true,,'-5\r\n"


def test_api_export_csv(hostile_client: FlaskClient) -> None:
    xapi = XapiClient(hostile_client, TEST_KEY, TEST_SECRET, "2.0.0")
    response = hostile_client.get("/api/export/statements?format=csv", headers=xapi.headers)
    assert response.status_code == 200
    rows = _assert_safe(response.get_data(as_text=True))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["actor_name"] for r in records} == {"'" + text for text in HOSTILE}
    assert {r["object_name"] for r in records} == {"'" + text for text in HOSTILE}
    assert {r["score_raw"] for r in records} == {"-5"}


def test_cli_export_csv(hostile_client: FlaskClient, database_url: str) -> None:
    result = CliRunner().invoke(
        main, ["export", "--format", "csv"], env={"LRS_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    rows = _assert_safe(result.stdout)
    assert len(rows) == 1 + len(HOSTILE)


def test_dashboards_explorer_csv(hostile_client: FlaskClient, dashboards_app: Flask) -> None:
    users.create(
        context.of(dashboards_app).database, username="manager", password=PASSWORD, role="admin"
    )
    page = hostile_client.get("/dashboards/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    login = hostile_client.post(
        "/dashboards/login",
        data={"username": "manager", "password": PASSWORD, "csrf_token": match.group(1)},
    )
    assert login.status_code == 303
    response = hostile_client.get("/dashboards/export.csv")
    assert response.status_code == 200
    rows = _assert_safe(response.get_data(as_text=True))
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(records) == len(HOSTILE)
    assert {r["actor_name"] for r in records} == {"'" + text for text in HOSTILE}
    assert {r["score_scaled"] for r in records} == {"-0.5"}
