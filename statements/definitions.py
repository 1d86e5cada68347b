"""Merging activity definitions seen in statements into the LRS's canonical one.

xAPI-Data 2.4.4.1: the LRS keeps one canonical definition per activity id and may update
it from later statements. Later definitions win property by property; language maps are
merged language by language so that a statement in French does not erase the English name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGUAGE_MAPS = ("name", "description")


def merge_definition(
    known: Mapping[str, Any] | None, incoming: Mapping[str, Any] | None
) -> dict[str, Any] | None:
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
