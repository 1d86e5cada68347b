"""Shared bits of the source-importer tests: fixture paths and reading items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from statements.sources import SOURCES, Identities, Item, ReadOptions

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def items_of(kind: str, name: str | bytes, **options: Any) -> list[Item]:
    data = fixture(name) if isinstance(name, str) else name
    options.setdefault("identities", Identities())
    return list(SOURCES[kind].read(data, ReadOptions(**options)))


def statements_of(kind: str, name: str | bytes, **options: Any) -> list[dict[str, Any]]:
    found = items_of(kind, name, **options)
    assert all(item.statement is not None for item in found), [i.problem for i in found]
    return [item.statement for item in found if item.statement is not None]
