"""Dashboards fixtures: the app with dashboards on, and a database holding known data."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lrs.config import Settings
from lrs.store.engine import Database
from tests.dashboards.data import seed


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, dashboards=True)


@pytest.fixture
def seeded(database: Database) -> dict[str, Any]:
    return seed(database)


@pytest.fixture
def session(database: Database, seeded: dict[str, Any]) -> Iterator[Session]:
    with database.reading() as reading:
        yield reading
