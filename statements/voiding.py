"""Voiding: which statements a batch voids, and which it may not.

xAPI-Data 2.3.2: a voiding statement has the verb ``.../verbs/voided`` and a StatementRef
object naming the statement it voids. XAPI-00016: a voiding statement cannot itself be
voided, whether it was stored earlier or comes in the same batch. The store answers which
of the targets are voiding statements already stored; the decision is made here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .errors import StatementError
from .refs import is_voiding, statement_refs

__all__ = ["check_voiding", "voided_target", "voided_targets"]


def voided_target(statement: Mapping[str, Any]) -> str | None:
    """The (lower-case) id a voiding statement voids; None for any other statement."""
    if not is_voiding(statement):
        return None
    target = statement_refs(statement)
    return target.lower() if target is not None else None


def voided_targets(statements: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ids the voiding statements among ``statements`` void, in order."""
    return [target for s in statements if (target := voided_target(s)) is not None]


def check_voiding(statements: Iterable[Mapping[str, Any]], stored_voiding: Collection[str]) -> None:
    """Raise :class:`StatementError` when a statement voids a voiding statement.

    ``stored_voiding`` holds the targets that are voiding statements stored already;
    targets in the batch itself are looked up in ``statements`` (XAPI-00016).
    """
    batch = list(statements)
    voiding_in_batch = {s["id"] for s in batch if is_voiding(s)}
    for target in voided_targets(batch):
        if target in stored_voiding or target in voiding_in_batch:
            raise StatementError(
                "", f"statement {target} is a voiding statement and cannot be voided"
            )
