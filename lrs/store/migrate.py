"""Schema upgrades through alembic's API, on both databases."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from lrs.store.models import Base


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head", *, forwarding_key: str = "") -> None:
    """Bring the schema up to ``revision`` (the newest by default). ``forwarding_key``
    (LRS_FORWARDING_KEY) encrypts forwarding secrets stored before they were encrypted."""
    config = alembic_config(engine)
    config.attributes["forwarding_key"] = forwarding_key
    # Alembic opens the transactions, one per revision, so that a revision can commit
    # a data step before building indexes over it (see 0005).
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str, *, forwarding_key: str = "") -> None:
    """Take the schema back to ``revision`` (tests of data migrations)."""
    config = alembic_config(engine)
    config.attributes["forwarding_key"] = forwarding_key
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def pending_changes(engine: Engine) -> list[object]:
    """Differences between the models and the migrated schema; empty when in step."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
