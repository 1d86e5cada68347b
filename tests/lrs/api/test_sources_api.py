"""/api/sources: the sources administration over HTTP (scope all), validated, with the
one error shape; runs are left to the sources worker (POST …/run makes a source due)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from lrs.store.engine import Database
from tests.helpers import assert_error, scoped_client
from tests.lrs.api.conftest import ApiClient

BLOG = {"name": "team blog", "kind": "blog", "url": "http://127.0.0.1:9/feed/", "every": "1h"}


def test_add_list_show_pause_resume_run_remove(api: ApiClient) -> None:
    created = api.post("sources", json=BLOG)
    assert created.status_code == 201, created.get_data(as_text=True)
    source = created.get_json()
    assert source["every_seconds"] == 3600 and source["active"] is True
    assert source["last_run"] == {"read": 0, "stored": 0, "skipped": 0, "rejected": 0}
    assert [s["name"] for s in api.get("sources").get_json()] == ["team blog"]
    path = f"sources/{source['id']}"
    assert api.get(path).get_json()["url"] == BLOG["url"]
    assert api.post(f"{path}/pause").get_json()["active"] is False
    assert api.post(f"{path}/resume").get_json()["active"] is True
    queued = api.post(f"{path}/run")
    assert queued.status_code == 202
    assert queued.get_json()["next_run"] <= api.get(path).get_json()["next_run"]
    assert api.delete(path).status_code == 204
    assert_error(api.get(path), 404)
    assert_error(api.post(f"{path}/run"), 404)


def test_passwords_are_never_returned(api: ApiClient) -> None:
    lrs = {
        "name": "upstream", "kind": "lrs", "url": "http://127.0.0.1:9/xapi/",
        "username": "key", "password": "s3cret", "options": {"xapi_version": "2.0.0"},
    }  # fmt: skip
    body = api.post("sources", json=lrs).get_data(as_text=True)
    assert "s3cret" not in body and '"has_password":true' in body.replace(" ", "")
    assert "s3cret" not in api.get("sources").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"kind": "gopher"}, "kind"),
        ({"url": "ftp://example.org/feed"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"every": "soon"}, "every"),
        ({"every": "5s"}, "every"),
        ({"name": ""}, "name"),
        ({"surprise": 1}, "surprise"),
        ({"options": {"xapi_version": "0.9"}}, "options.xapi_version"),
        ({"options": {"colour": "red"}}, "options.colour"),
        ({"username": "only-a-user"}, "username"),
        ({"mapping": "/nowhere/mapping.csv"}, ""),
    ],
)
def test_bad_input_is_a_400(api: ApiClient, change: dict[str, Any], path: str) -> None:
    response = api.post("sources", json={**BLOG, **change})
    assert_error(response, 400, path or None)
    assert api.get("sources").get_json() == []


def test_not_json_and_duplicates(api: ApiClient) -> None:
    assert_error(api.post("sources", data="{", content_type="application/json"), 400)
    assert_error(api.post("sources", json=[BLOG]), 400)
    assert api.post("sources", json=BLOG).status_code == 201
    assert_error(api.post("sources", json=BLOG), 409, "name")


def test_scope_all_is_needed(client: FlaskClient, database: Database) -> None:
    reader = scoped_client(client, database, "2.0.0", ["all/read", "statements/write"])
    assert_error(reader.client.get("/api/sources", headers=reader.headers), 403)
    assert_error(reader.client.post("/api/sources", json=BLOG, headers=reader.headers), 403)
    assert_error(client.get("/api/sources"), 401)
