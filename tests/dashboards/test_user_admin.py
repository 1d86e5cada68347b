"""The users page (/dashboards/users): admins only, every change a CSRF-checked POST."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from lrs.services import users
from lrs.store.engine import Database
from tests.helpers import dashboards_sign_in

PASSWORD = "correct horse"


def _token(client: FlaskClient) -> str:
    page = client.get("/dashboards/users").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_admins_manage_users_and_no_one_else_may(
    client: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    users.create(database, username="root", password=PASSWORD, role="admin")
    users.create(database, username="ann", password=PASSWORD,
                 role=users.Role("member", person="ann@example.com"))  # fmt: skip
    assert client.get("/dashboards/users").status_code == 303  # to the login form
    dashboards_sign_in(client, "ann", PASSWORD)
    assert client.get("/dashboards/users").status_code == 403
    refused = client.post("/dashboards/users/create", data={"username": "x"})
    assert refused.status_code == 403
    assert [u.username for u in users.listing(database)] == ["ann", "root"]

    client.post("/dashboards/logout", data={"csrf_token": "none"})
    other = client.application.test_client()
    dashboards_sign_in(other, "root", PASSWORD)
    token = _token(other)
    page = other.get("/dashboards/users").get_data(as_text=True)
    assert "Ann (mbox:mailto:ann@example.com)" in page
    # No CSRF token, no change.
    assert other.post("/dashboards/users/create", data={"username": "bob"}).status_code == 400
    made = other.post("/dashboards/users/create", data={
        "csrf_token": token, "username": "bob", "password": PASSWORD, "role": "manager",
        "teams": "Alpha, Beta"})  # fmt: skip
    assert made.status_code == 200 and "Created bob (manager)." in made.get_data(as_text=True)
    bob = users.authenticate(database, "bob", PASSWORD)
    assert bob is not None and bob.teams == ("Alpha", "Beta")
    wrong = other.post("/dashboards/users/create", data={
        "csrf_token": token, "username": "eve", "password": PASSWORD, "role": "member",
        "person": "nobody"})  # fmt: skip
    assert wrong.status_code == 400 and "no person is known as" in wrong.get_data(as_text=True)
    # ann's session ends with the change of role.
    again = client.application.test_client()
    dashboards_sign_in(again, "ann", PASSWORD)
    changed = other.post("/dashboards/users/role", data={
        "csrf_token": token, "username": "ann", "role": "manager", "teams": "Beta"})  # fmt: skip
    assert changed.status_code == 200
    assert again.get("/dashboards/users").status_code == 303
    ann = users.authenticate(database, "ann", PASSWORD)
    assert ann is not None and (ann.role, ann.teams) == ("manager", ("Beta",))
    ended = other.post("/dashboards/users/end-sessions",
                       data={"csrf_token": token, "username": "bob"})  # fmt: skip
    assert "Ended 0 session(s) of bob." in ended.get_data(as_text=True)
    removed = other.post("/dashboards/users/delete", data={"csrf_token": token, "username": "bob"})
    assert "Removed bob." in removed.get_data(as_text=True)
    myself = other.post("/dashboards/users/delete", data={"csrf_token": token, "username": "root"})
    assert myself.status_code == 400
    assert [u.username for u in users.listing(database)] == ["ann", "root"]
