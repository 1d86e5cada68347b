"""The application `lrs serve` hands each of its workers: built from the environment,
with the objects that built it frozen out of the garbage collector, so that a full
collection set off by a request walks only what requests made."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from lrs.cli.server import served_app
from lrs.store import migrate
from lrs.store.engine import Database


def test_a_worker_serves_its_app_with_what_built_it_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    migrate.upgrade(Database(url).engine)
    monkeypatch.setenv("LRS_DATABASE_URL", url)
    frozen_before = gc.get_freeze_count()
    try:
        app = served_app()
        frozen = gc.get_freeze_count() - frozen_before
        tracked = len(gc.get_objects())  # what a full collection still walks
        # The dashboards' pages, plotly, pandas and the application itself.
        assert frozen > 100_000, frozen
        assert tracked < frozen, (tracked, frozen)
        assert app.test_client().get("/xapi/about").status_code == 200
        to_sign_in = app.test_client().get("/dashboards/")
        assert to_sign_in.status_code == 303 and "login" in to_sign_in.location
    finally:
        gc.unfreeze()
