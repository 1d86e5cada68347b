"""Dashboards fixtures: the app with dashboards on (the known data set is ``seeded``)."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from lrs.config import Settings
from lrs.services import users
from lrs.store.engine import Database
from tests.helpers import dashboards_sign_in

PASSWORD = "correct horse"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, dashboards=True)


@pytest.fixture
def signed_in(client: FlaskClient, database: Database) -> FlaskClient:
    """The test client signed in to the dashboards as an admin."""
    users.create(database, username="reader", password=PASSWORD, role="admin")
    dashboards_sign_in(client, "reader", PASSWORD)
    return client
