"""The LRS's PostgreSQL connections sort and hash in LRS_POSTGRES_WORK_MEM_MB of memory."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from lrs.config import Settings
from lrs.store.engine import Database


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("work_mem is a PostgreSQL setting")
    return database_url


def _work_mem(database: Database) -> str:
    with database.reading() as session:
        return str(session.execute(sa.text("SHOW work_mem")).scalar_one())


def test_connections_take_the_setting(postgres_url: str, settings: Settings) -> None:
    database = Database.from_settings(dataclasses.replace(settings, postgres_work_mem_mb=96))
    try:
        assert _work_mem(database) == "96MB"
    finally:
        database.dispose()


def test_default_is_64_mb(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        assert Settings().postgres_work_mem_mb == 64
        assert _work_mem(database) == "64MB"
    finally:
        database.dispose()


def test_zero_keeps_the_servers_setting(postgres_url: str) -> None:
    server = sa.create_engine(postgres_url)
    with server.connect() as connection:
        servers = str(connection.execute(sa.text("SHOW work_mem")).scalar_one())
    server.dispose()
    database = Database(postgres_url, work_mem_mb=0)
    try:
        assert _work_mem(database) == servers
    finally:
        database.dispose()
