"""The filter bar's activity picker: the most used activities come with the page, the
others are found on the server by name as the reader types, and an activity chosen in
the URL is always among the choices, under its name."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboards import shell
from lrs.insight import activity
from lrs.services import users
from lrs.store.engine import Database
from tests.helpers import dashboards_sign_in
from tests.lrs.insight.data import POST

PASSWORD = "correct horse"


@pytest.fixture
def dependencies(client: FlaskClient, database: Database, seeded: Any) -> list[dict[str, Any]]:
    users.create(database, username="admin", password=PASSWORD, role="admin")
    dashboards_sign_in(client, "admin", PASSWORD)
    found: list[dict[str, Any]] = client.get("/dashboards/_dash-dependencies").get_json()
    return found


def _call(client: FlaskClient, dependency: dict[str, Any], values: dict[str, Any]) -> Any:
    def item(spec: dict[str, Any]) -> dict[str, Any]:
        return {**spec, "value": values.get(f"{spec['id']}.{spec['property']}")}

    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in dependency["output"].strip(".").split("...")]  # fmt: skip
    body = {
        "output": dependency["output"],
        "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
        "inputs": [item(spec) for spec in dependency["inputs"]],
        "state": [item(spec) for spec in dependency["state"]],
        "changedPropIds": [],
    }
    response = client.post("/dashboards/_dash-update-component", data=json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def _with_input(dependencies: list[dict[str, Any]], spec: str) -> dict[str, Any]:
    [found] = [d for d in dependencies
               if spec in [f"{i['id']}.{i['property']}" for i in d["inputs"]]
               and "filter-activity.options" in d["output"]]  # fmt: skip
    return found


def test_typing_finds_activities_on_the_server(
    client: FlaskClient, dependencies: list[dict[str, Any]]
) -> None:
    search = _with_input(dependencies, "filter-activity.search_value")
    answer = _call(client, search, {"filter-activity.search_value": "SAFETY"})
    options = answer["filter-activity"]["options"]
    assert options[0] == {"label": "All", "value": "all"}
    assert POST in [option["value"] for option in options[1:]]
    assert all("safety" in (o["label"] + o["value"]).lower() for o in options[1:])
    # The chosen activity stays a choice whatever is typed, or the picker would clear it.
    answer = _call(client, search, {"filter-activity.search_value": "python",
                                    "filter-activity.value": POST})  # fmt: skip
    values = [option["value"] for option in answer["filter-activity"]["options"]]
    assert values[:2] == ["all", POST] and len(values) > 2


def test_a_page_load_sends_the_most_used_and_the_chosen_one(
    client: FlaskClient, database: Database, dependencies: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    two = functools.partial(activity.filter_options, limit=2)
    monkeypatch.setattr(shell, "filter_options", two)
    fill = _with_input(dependencies, "_pages_location.pathname")
    with database.reading() as session:
        every = activity.activity_choices(session, limit=1000)
    most_used, (rare, rare_name) = [value for value, _ in every[:2]], every[-1]
    answer = _call(client, fill, {"_pages_location.pathname": "/dashboards/",
                                  "_pages_location.search": f"?activity={rare}"})  # fmt: skip
    options = answer["filter-activity"]["options"]
    assert [option["value"] for option in options] == ["all", rare, *most_used]
    assert options[1]["label"] == rare_name
