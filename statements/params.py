"""Checks of xAPI values that arrive outside a statement: the ``agent`` and ``verb`` /
``activity`` query parameters of the Statement and document resources.

They go through the same schemas as statements, so one set of rules decides what an
Agent or an IRI is everywhere.
"""

from __future__ import annotations

from typing import Any

from .errors import StatementError
from .fields import is_iri
from .ifi import agent_key
from .validate import validate

_PLACEHOLDER_VERB = {"id": "http://adlnet.gov/expapi/verbs/experienced"}
_PLACEHOLDER_ACTIVITY = {"id": "http://example.com/activity"}


def validate_agent(data: Any, version: str, name: str = "agent") -> str:
    """The identity key of an Agent or identified Group given as a parameter.

    Raises StatementError (path ``name``...) when it is not a valid Agent or Group, or
    when it is an anonymous Group, which no query can match.
    """
    if not isinstance(data, dict):
        raise StatementError(name, f"{name} must be a JSON object (an Agent or Group)")
    try:
        validate(
            {"actor": data, "verb": _PLACEHOLDER_VERB, "object": _PLACEHOLDER_ACTIVITY}, version
        )
    except StatementError as error:
        path = error.path.replace("actor", name, 1) if error.path.startswith("actor") else name
        raise StatementError(path, error.message) from None
    key = agent_key(data)
    if key is None:
        raise StatementError(name, f"{name} must have an inverse functional identifier")
    return key


def validate_iri(value: str, name: str) -> str:
    """``value`` when it is an absolute IRI; StatementError naming ``name`` otherwise."""
    if not is_iri(value):
        raise StatementError(name, f"{name} must be an absolute IRI")
    return value
