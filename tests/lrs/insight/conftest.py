"""Read-side fixtures: a read session on the database holding the known data set."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lrs.store.engine import Database


@pytest.fixture
def session(database: Database, seeded: dict[str, Any]) -> Iterator[Session]:
    with database.reading() as reading:
        yield reading
