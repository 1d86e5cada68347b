"""Merging activity definitions seen in statements into the LRS's canonical one.

xAPI-Data 2.4.4.1: the LRS keeps one canonical definition per activity id and may update
it from later statements. Later definitions win property by property; language maps are
merged language by language so that a statement in French does not erase the English name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["activities_in", "changed_definitions", "latest_definitions", "merge_definition"]

LANGUAGE_MAPS = ("name", "description")

Definition = dict[str, Any]


def merge_definition(
    known: Mapping[str, Any] | None, incoming: Mapping[str, Any] | None
) -> Definition | None:
    """The canonical definition after seeing ``incoming`` on top of ``known``."""
    if incoming is None:
        return dict(known) if known is not None else None
    if known is None:
        return dict(incoming)
    merged = dict(known)
    for key, value in incoming.items():
        if (key in LANGUAGE_MAPS and isinstance(merged.get(key), dict)) or (
            key == "extensions" and isinstance(merged.get(key), dict)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def activities_in(statement: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every Activity object of a statement (object, context activities, and those of a
    SubStatement object), as sent, with its definition if any."""
    found: list[Mapping[str, Any]] = []
    target = statement["object"]
    if target.get("objectType", "Activity") == "Activity":
        found.append(target)
    elif target.get("objectType") == "SubStatement":
        found.extend(activities_in(target))
    context_activities = (statement.get("context") or {}).get("contextActivities") or {}
    for listed in context_activities.values():
        found.extend(listed)
    return found


def latest_definitions(statements: Iterable[Mapping[str, Any]]) -> dict[str, Definition | None]:
    """Each activity id of a batch with the definition the batch gives it, merged in
    statement order (None when no statement defines it)."""
    latest: dict[str, Definition | None] = {}
    for statement in statements:
        for activity in activities_in(statement):
            incoming = activity.get("definition")
            if incoming is not None or activity["id"] not in latest:
                latest[activity["id"]] = merge_definition(latest.get(activity["id"]), incoming)
    return latest


def changed_definitions(
    known: Mapping[str, Definition | None], latest: Mapping[str, Definition | None]
) -> dict[str, Definition | None]:
    """The canonical definitions that ``latest`` changes or adds to ``known``, by id in
    sorted order (concurrent writers then take row locks in the same order)."""
    changed: dict[str, Definition | None] = {}
    for activity_id in sorted(latest):
        if activity_id in known:
            merged = merge_definition(known[activity_id], latest[activity_id])
            # Most statements repeat a definition the LRS holds already: skip those.
            if merged != known[activity_id]:
                changed[activity_id] = merged
        else:
            changed[activity_id] = latest[activity_id]
    return changed
