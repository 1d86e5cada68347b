"""A forged Dash callback request is 400 in the error shape, never a 500, on both
databases (``dashboards/guard.py``):

* every input and state of every callback has a declared kind of value;
* an envelope that is not JSON, names no callback, or lists other inputs than the
  callback declares is 400;
* each input of each callback, alone given a value of another kind (a number, a list or
  an object for text, text for a count, a list for one choice...), is 400; given a value
  of its kind (or none) the callback answers;
* a script path Dash has not registered is 404.
"""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from dashboards.guard import UPDATE_PATH, kind_of
from lrs.http import context
from lrs.services import users
from lrs.store.engine import Database
from tests.helpers import assert_error, dashboards_sign_in

PASSWORD = "correct horse"
# Values of every kind a forged request may carry.
FORGED = [5, -1, 1e308, True, "x", "", [], ["x"], [1, 2], [None], [[1]], {}, {"a": 1}]


def _outputs(spec: str) -> Any:
    if spec.startswith(".."):
        return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                for part in spec[2:-2].split("...")]  # fmt: skip
    return dict(zip(("id", "property"), spec.rsplit(".", 1), strict=True))


def _usual(item: dict[str, Any]) -> Any:
    """A value the page itself sends for ``item``."""
    if item["property"] == "pathname":
        return "/dashboards/"
    if item["property"] in ("search", "data") and kind_of(item["id"], item["property"]):
        return "" if kind_of(item["id"], item["property"])("") else None
    return None


def _body(dependency: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    declared = dependency["inputs"] + dependency["state"]
    items = [{**item, "value": value} for item, value in zip(declared, values, strict=True)]
    return {
        "output": dependency["output"],
        "outputs": _outputs(dependency["output"]),
        "inputs": items[: len(dependency["inputs"])],
        "state": items[len(dependency["inputs"]) :],
        "changedPropIds": [],
    }


def _signed_in(client: FlaskClient, database: Database) -> list[dict[str, Any]]:
    users.create(database, username="admin", password=PASSWORD, role="admin")
    dashboards_sign_in(client, "admin", PASSWORD)
    dependencies: list[dict[str, Any]] = client.get("/dashboards/_dash-dependencies").get_json()
    return [d for d in dependencies if d.get("clientside_function") is None]


def test_every_callback_input_has_a_declared_kind(app: Any) -> None:
    callbacks = context.of(app).dashboards.callback_map
    undeclared = [
        f"{item['id']}.{item['property']}"
        for callback in callbacks.values()
        for item in callback["inputs"] + callback["state"]
        if kind_of(json.loads(item["id"]) if item["id"].startswith("{") else item["id"],
                   item["property"]) is None
    ]  # fmt: skip
    assert not undeclared


def test_a_malformed_envelope_is_400(client: FlaskClient, database: Database) -> None:
    dependency = _signed_in(client, database)[0]
    usual = _body(dependency, [_usual(i) for i in dependency["inputs"] + dependency["state"]])
    forged: list[Any] = [
        None, [], 5, {}, {**usual, "output": "nowhere.children"}, {**usual, "output": 5},
        {**usual, "inputs": usual["inputs"][:-1]}, {**usual, "inputs": {}},
        {**usual, "state": [*usual["state"], usual["inputs"][0]]},
        {**usual, "inputs": [{**usual["inputs"][0], "id": "filter-team"}]},
        {**usual, "inputs": [5]}, {**usual, "outputs": "x"}, {**usual, "changedPropIds": [5]},
    ]  # fmt: skip
    for body in forged:
        assert_error(client.post(UPDATE_PATH, json=body), 400)
    for raw in (b"", b"{", b"\xff"):
        response = client.post(UPDATE_PATH, data=raw, content_type="application/json")
        assert_error(response, 400)
    for path in ("x/y.js", "dash/../../../../etc/passwd"):
        assert_error(client.get(f"/dashboards/_dash-component-suites/{path}"), 404)


def test_each_input_of_another_kind_is_400_and_of_its_kind_answers(
    client: FlaskClient, database: Database, seeded: dict[str, Any]
) -> None:
    for dependency in _signed_in(client, database):
        declared = dependency["inputs"] + dependency["state"]
        usual = [_usual(item) for item in declared]
        for index, item in enumerate(declared):
            if item["id"].startswith("{"):
                continue  # pattern-matching: tried by tests/dashboards/test_roles.py
            kind = kind_of(item["id"], item["property"])
            assert kind is not None
            inputs = len(dependency["inputs"])
            path = f"inputs[{index}]" if index < inputs else f"state[{index - inputs}]"
            for value in FORGED:
                values = [*usual[:index], value, *usual[index + 1 :]]
                response = client.post(UPDATE_PATH, json=_body(dependency, values))
                if kind(value):
                    where = (dependency["output"], item["id"], value)
                    assert response.status_code in (200, 204), where
                else:
                    assert_error(response, 400, path)


def test_a_forged_row_id_is_400(client: FlaskClient, database: Database) -> None:
    """The Explorer's row links are pattern-matching components: a forged one names a row
    by a number the store can hold, or the request is 400."""
    _signed_in(client, database)
    output = ("..explorer-statement-title.children...explorer-statement.children..."
              "explorer-statement-modal.is_open..")  # fmt: skip

    def click(component: Any, changed: Any) -> Any:
        body = {
            "output": output,
            "outputs": _outputs(output),
            "inputs": [[{"id": component, "property": "n_clicks", "value": 1}]],
            "state": [],
            "changedPropIds": [json.dumps(changed, separators=(",", ":")) + ".n_clicks"],
        }
        return client.post(UPDATE_PATH, json=body)

    good = {"seq": 1, "type": "explorer-open"}
    forged_ids: list[dict[str, Any]] = [
        {"seq": "x", "type": "explorer-open"}, {"seq": 2**63, "type": "explorer-open"},
        {"seq": ["ALL"], "type": "explorer-open"}, {"seq": True, "type": "explorer-open"},
        {"seq": 1}, {"type": "explorer-open"}, {"seq": 1, "type": "explorer-open", "x": 1},
    ]  # fmt: skip
    for forged in forged_ids:
        assert_error(click(forged, good), 400)
        assert_error(click(good, forged), 400, "changedPropIds[0]")
    assert click(good, good).status_code == 200
