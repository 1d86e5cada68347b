"""The benchmark data: the demo organisation's statements, through the real importers,
replicated (as more people, same rhythm) up to the size asked for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson

from statements.sources import SOURCES, ReadOptions, demo

REPLICA_NAMESPACE = uuid.UUID("6f1d2f9e-7a55-4d38-9a9e-0d2b8e5a1c10")


def demo_statements(*, people: int, days: int, seed: int) -> list[dict[str, Any]]:
    """Every statement of a demo organisation, oldest first."""
    organisation = demo.generate(people=people, days=days, seed=seed)
    identities = organisation.identities()
    found: list[dict[str, Any]] = []
    for kind, _label, data, base_url in organisation.sources():
        options = ReadOptions(identities=identities, base_url=base_url)
        found += [item.statement for item in SOURCES[kind].read(data, options) if item.statement]
    found += organisation.interactions
    found.sort(key=lambda statement: statement.get("timestamp", ""))
    return found


def scaled(statements: Sequence[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` statements: the originals, then copies acted by other people."""
    result: list[dict[str, Any]] = []
    replica = 0
    while len(result) < count:
        for statement in statements:
            if len(result) == count:
                break
            result.append(statement if replica == 0 else _replicate(statement, replica))
        replica += 1
    return result


def _replicate(statement: dict[str, Any], replica: int) -> dict[str, Any]:
    copy: dict[str, Any] = orjson.loads(orjson.dumps(statement))
    copy.pop("id", None)
    _rename(copy["actor"], replica)
    context = copy.get("context")
    if context and "registration" in context:
        context["registration"] = str(
            uuid.uuid5(REPLICA_NAMESPACE, f"{context['registration']}/{replica}")
        )
    return copy


def _rename(agent: dict[str, Any], replica: int) -> None:
    if "mbox" in agent:
        local, _, domain = agent["mbox"].partition("@")
        agent["mbox"] = f"{local}+r{replica}@{domain}"
    elif "account" in agent:
        agent["account"] = {**agent["account"], "name": f"{agent['account']['name']}-r{replica}"}
    for member in agent.get("member", []):
        _rename(member, replica)


def replicate(statement: dict[str, Any], replica: int) -> dict[str, Any]:
    """A copy of ``statement`` without its id, acted by the ``replica``-th copy of its
    people (registrations renamed alike)."""
    return _replicate(statement, replica)
