"""Statement references: which statement a statement points at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .vocabulary import VOIDED_VERB

__all__ = ["is_voiding", "statement_refs"]


def statement_refs(statement: Mapping[str, Any]) -> str | None:
    """The target id when the statement's object is a StatementRef, else None."""
    obj = statement.get("object")
    if isinstance(obj, Mapping) and obj.get("objectType") == "StatementRef":
        target = obj.get("id")
        return target if isinstance(target, str) else None
    return None


def is_voiding(statement: Mapping[str, Any]) -> bool:
    """True for a voiding statement: verb ``.../verbs/voided`` and a StatementRef object."""
    verb = statement.get("verb")
    return (
        isinstance(verb, Mapping)
        and verb.get("id") == VOIDED_VERB
        and statement_refs(statement) is not None
    )
