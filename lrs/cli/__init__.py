"""The `lrs` command: one module per command group, each command thin (parse its
options, call a service, print). ``main`` is the console script's entry point."""

from __future__ import annotations

from lrs.cli import (  # noqa: F401  (each module registers its commands on ``main``)
    credentials,
    database,
    export,
    forwarding,
    importing,
    persons,
    privacy,
    rules,
    server,
    sources,
    users,
)
from lrs.cli.common import main

__all__ = ["main"]
