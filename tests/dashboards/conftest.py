"""Dashboards fixtures: the app with dashboards on (the known data set is ``seeded``)."""

from __future__ import annotations

import dataclasses

import pytest

from lrs.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, dashboards=True)
