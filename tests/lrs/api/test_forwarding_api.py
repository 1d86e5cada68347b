"""/api/forwarding/: rules CRUD, deliveries and replay over HTTP (scope all)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from lrs.services import forwarding
from lrs.store.engine import Database
from tests.conftest import TEST_FORWARDING_KEY
from tests.factories import make_statement
from tests.helpers import XapiClient, assert_error, scoped_client
from tests.lrs.api.conftest import ApiClient
from tests.lrs.api.receiver import receiver

RULE = {"name": "hook", "kind": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "s"}

BOX = forwarding.SecretBox(TEST_FORWARDING_KEY)


def test_rules_crud(api: ApiClient) -> None:
    created = api.post("forwarding/rules", json=RULE)
    assert created.status_code == 201, created.get_data(as_text=True)
    rule: dict[str, Any] = created.get_json()
    assert rule["has_secret"] is True and "secret" not in rule
    assert api.get("forwarding/rules").get_json() == [rule]
    assert api.get(f"forwarding/rules/{rule['id']}").get_json() == rule
    changed = api.put(f"forwarding/rules/{rule['id']}", json={"verbs": ["http://x.org/v"]})
    assert changed.get_json()["verbs"] == ["http://x.org/v"]
    assert api.delete(f"forwarding/rules/{rule['id']}").status_code == 204
    assert_error(api.get(f"forwarding/rules/{rule['id']}"), 404)
    assert_error(api.delete(f"forwarding/rules/{rule['id']}"), 404)


def test_bad_rules_are_400(api: ApiClient) -> None:
    assert_error(api.post("forwarding/rules", json={**RULE, "kind": "ftp"}), 400, "kind")
    assert_error(api.post("forwarding/rules", json={**RULE, "extra": 1}), 400, "extra")
    assert_error(api.post("forwarding/rules", json={**RULE, "secret": None}), 400, "secret")
    assert_error(api.post("forwarding/rules", json={**RULE, "url": "nope"}), 400, "url")
    assert_error(api.post("forwarding/rules", json=[RULE]), 400)
    assert_error(api.post("forwarding/rules", data="{", content_type="application/json"), 400)
    assert api.post("forwarding/rules", json=RULE).status_code == 201
    assert_error(api.post("forwarding/rules", json=RULE), 409, "name")


def test_forwarding_admin_needs_scope_all(client: FlaskClient, database: Database) -> None:
    reader = scoped_client(client, database, "2.0.0", ["all/read"])
    assert_error(client.get("/api/forwarding/rules", headers=reader.headers), 403)
    assert_error(client.get("/api/forwarding/rules"), 401)


def test_failed_deliveries_and_replay(api: ApiClient, lrs: XapiClient, database: Database) -> None:
    with receiver() as target:
        created = api.post("forwarding/rules", json={**RULE, "url": target.url})
        assert created.status_code == 201
        target.statuses = [400]
        assert lrs.post("statements", json=make_statement()).status_code == 200
        assert forwarding.deliver_due(database, BOX).failed == 1
        [failed] = api.get("forwarding/deliveries?status=failed").get_json()
        assert failed["status"] == "failed" and "400" in failed["last_error"]
        replayed = api.post(f"forwarding/deliveries/{failed['id']}/replay")
        assert replayed.get_json() == {"replayed": 1}
        assert forwarding.deliver_due(database, BOX).delivered == 1
        assert api.get("forwarding/deliveries?status=failed").get_json() == []
        assert api.get("forwarding/deliveries").get_json()[0]["status"] == "delivered"
    assert_error(api.post(f"forwarding/deliveries/{failed['id']}/replay"), 409)
    assert_error(api.post("forwarding/deliveries/424242/replay"), 404)
    assert_error(api.get("forwarding/deliveries?status=lost"), 400, "status")
