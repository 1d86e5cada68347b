"""The Sources page: per source its state, last and next run, the counts of its last run
and in all, and its last error — for administrators only."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from lrs.services import sources, users
from lrs.services.principal import OPERATOR
from lrs.services.sealing import SecretBox
from lrs.store.engine import Database
from tests.conftest import TEST_FORWARDING_KEY
from tests.helpers import dashboards_sign_in
from tests.sources.feedserver import Route, fixture_server
from tests.sources.helpers import fixture

PASSWORD = "correct horse"
BOX = SecretBox(TEST_FORWARDING_KEY)


def _sign_in(client: FlaskClient, username: str) -> None:
    dashboards_sign_in(client, username, PASSWORD)


def _refresh(client: FlaskClient) -> Any:
    response = client.post("/dashboards/_dash-update-component", json={
        "output": "sources-body.children",
        "outputs": {"id": "sources-body", "property": "children"},
        "inputs": [{"id": "sources-refresh", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["sources-refresh.n_intervals"], "state": [],
    })  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_sources_page_shows_runs_to_admins(client: FlaskClient, database: Database) -> None:
    users.create(database, username="admin", password=PASSWORD, role="admin")
    users.create(
        database, username="viewer", password=PASSWORD, role=users.Role("manager", teams=("Alpha",))
    )
    with fixture_server() as server:
        server.routes["/feed.atom"] = Route(fixture("engineering.atom"))
        server.routes["/down"] = Route(b"", status=503)
        for name, path in (("engineering", "/feed.atom"), ("down", "/down")):
            sources.add_source(database, OPERATOR, {"name": name, "kind": "blog",
                                                "url": server.url(path)}, box=BOX)  # fmt: skip
            sources.run_source(database, OPERATOR, name, box=BOX, home_page="http://lrs.test",
                               timeout=5)  # fmt: skip
    _sign_in(client, "admin")
    assert client.get("/dashboards/sources").status_code == 200
    body = _refresh(client)
    for expected in ("engineering", "down", "answered 503", "stored in all", "next run"):
        assert expected in body
    assert '"children":"3"' in body.replace(" ", "")  # engineering stored 3 statements
    client.post("/dashboards/logout", data={"csrf_token": "x"})
    with client.session_transaction() as flask_session:
        flask_session.clear()
    _sign_in(client, "viewer")
    shown = _refresh(client)
    assert "administrators only" in shown and "engineering" not in shown
