"""Plain factory functions returning valid xAPI JSON (dicts), shared by every test package.

Each returns a fresh object; keyword overrides replace top-level keys (``None`` removes one).
"""

from __future__ import annotations

import uuid
from typing import Any

VERB_ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _apply(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def make_agent(handle: str = "alice", **overrides: Any) -> dict[str, Any]:
    """An Agent identified by ``mailto:<handle>@example.com``."""
    return _apply(
        {"objectType": "Agent", "name": handle.title(), "mbox": f"mailto:{handle}@example.com"},
        overrides,
    )


def make_group(*members: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """An anonymous Group of ``members`` (default: two Agents); pass an IFI to identify it."""
    group = {
        "objectType": "Group",
        "name": "Team",
        "member": list(members) or [make_agent("bob"), make_agent("carol")],
    }
    return _apply(group, overrides)


def make_verb(verb_id: str = VERB_ATTEMPTED, **overrides: Any) -> dict[str, Any]:
    return _apply({"id": verb_id, "display": {"en-US": verb_id.rsplit("/", 1)[-1]}}, overrides)


def make_activity(
    activity_id: str = "http://example.com/activities/1", **overrides: Any
) -> dict[str, Any]:
    activity = {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {
            "name": {"en-US": "Example activity", "fr-FR": "Activité exemple"},
            "description": {"en-US": "An example"},
            "type": "http://adlnet.gov/expapi/activities/course",
        },
    }
    return _apply(activity, overrides)


def make_statement_ref(statement_id: str | None = None) -> dict[str, Any]:
    return {"objectType": "StatementRef", "id": statement_id or str(uuid.uuid4())}


def make_sub_statement(**overrides: Any) -> dict[str, Any]:
    return _apply(
        {
            "objectType": "SubStatement",
            "actor": make_agent("dave"),
            "verb": make_verb("http://adlnet.gov/expapi/verbs/experienced"),
            "object": make_activity("http://example.com/activities/sub"),
        },
        overrides,
    )


def make_attachment(**overrides: Any) -> dict[str, Any]:
    return _apply(
        {
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "description": {"en-US": "A test attachment (description)"},
            "contentType": "text/plain; charset=ascii",
            "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
            "fileUrl": "http://over.there.com/file.txt",
        },
        overrides,
    )


def make_statement(**overrides: Any) -> dict[str, Any]:
    """A minimal valid statement (actor, verb, object) with a fresh id."""
    return _apply(
        {
            "id": str(uuid.uuid4()),
            "actor": make_agent(),
            "verb": make_verb(),
            "object": make_activity(),
        },
        overrides,
    )
