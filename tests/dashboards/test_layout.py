"""Every graph the dashboards lay out, on every page and in every panel's output, keeps
its numbers on the server (no cloud, no Chart Studio) and has a box of explicit height."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dash
from dash import dcc
from flask import Flask

from dashboards import panels
from dashboards.components import GRAPH_CONFIG
from lrs.insight.filters import Filters
from lrs.store.engine import Database
from tests.lrs.insight.data import actor_key

NO_CLOUD = {"showSendToCloud": False, "showEditInChartStudio": False, "plotlyServerURL": ""}


def _graphs(component: Any) -> Iterator[dcc.Graph]:
    if isinstance(component, dcc.Graph):
        yield component
    if isinstance(component, list | tuple):
        for child in component:
            yield from _graphs(child)
    children = getattr(component, "children", None)
    if children is not None:
        yield from _graphs(children)


def _check(graph: dcc.Graph) -> None:
    config = graph.config
    assert {key: config.get(key) for key in NO_CLOUD} == NO_CLOUD, graph.id
    assert "sendDataToCloud" in config["modeBarButtonsToRemove"]
    assert graph.responsive is True
    assert graph.style["height"].endswith("px") and int(graph.style["height"][:-2]) >= 200


def test_no_graph_can_leave_the_server(app: Flask, database: Database, seeded: Any) -> None:
    """REQ-DASH-PRIVATE: no graph config offers Chart Studio or a cloud upload."""
    assert {key: GRAPH_CONFIG[key] for key in NO_CLOUD} == NO_CLOUD
    checked = 0
    with app.test_request_context("/dashboards/"), database.reading() as session:
        for page in dash.page_registry.values():
            for graph in _graphs(page["layout"]()):
                _check(graph)
                checked += 1
        for page_panels in panels.PANELS.values():
            for panel in page_panels.values():
                for output in panel(session, Filters(person=actor_key("ann"))):
                    for graph in _graphs(output):
                        _check(graph)
                        checked += 1
    assert checked >= 20
