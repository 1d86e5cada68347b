"""The xAPI data model: validation, identity, formats, enrichment and signatures.

Pure Python: no Flask, no SQLAlchemy, nothing else of ours is imported here.

Each name of ``__all__`` is imported from its module when first used, not with the
package: who needs an agent's key or the vocabulary does not load the schemas, the
language tags and the signature checks (every ``lrs`` command starts faster for it).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .attachments import check_attachments
    from .canonical import Format, best_language, format_statement, same_statement
    from .enrich import check_restored, enrich, format_timestamp
    from .errors import StatementError
    from .ifi import activity_ids_in, actors_by_key, agent_key, agent_keys_in, object_identity
    from .params import validate_agent, validate_iri
    from .refs import is_voiding, statement_refs
    from .signature import signature_attachment_index, verify_signature
    from .timestamps import TimestampError, parse_timestamp
    from .types import Actor, Agent, Group, Statement
    from .validate import normalise_version, validate
    from .voiding import check_voiding, voided_target, voided_targets

__all__ = [
    "Actor",
    "Agent",
    "Format",
    "Group",
    "Statement",
    "StatementError",
    "TimestampError",
    "activity_ids_in",
    "actors_by_key",
    "agent_key",
    "agent_keys_in",
    "best_language",
    "check_attachments",
    "check_restored",
    "check_voiding",
    "enrich",
    "format_statement",
    "format_timestamp",
    "is_voiding",
    "normalise_version",
    "object_identity",
    "parse_timestamp",
    "same_statement",
    "signature_attachment_index",
    "statement_refs",
    "validate",
    "validate_agent",
    "validate_iri",
    "verify_signature",
    "voided_target",
    "voided_targets",
]

# Where each name of ``__all__`` lives.
_HOMES = {
    "check_attachments": "attachments",
    "Format": "canonical",
    "best_language": "canonical",
    "format_statement": "canonical",
    "same_statement": "canonical",
    "check_restored": "enrich",
    "enrich": "enrich",
    "format_timestamp": "enrich",
    "StatementError": "errors",
    "TimestampError": "timestamps",
    "parse_timestamp": "timestamps",
    "activity_ids_in": "ifi",
    "actors_by_key": "ifi",
    "agent_key": "ifi",
    "agent_keys_in": "ifi",
    "object_identity": "ifi",
    "validate_agent": "params",
    "validate_iri": "params",
    "is_voiding": "refs",
    "statement_refs": "refs",
    "signature_attachment_index": "signature",
    "verify_signature": "signature",
    "Actor": "types",
    "Agent": "types",
    "Group": "types",
    "Statement": "types",
    "normalise_version": "validate",
    "validate": "validate",
    "check_voiding": "voiding",
    "voided_target": "voiding",
    "voided_targets": "voiding",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """This package, whose ``validate`` and ``enrich`` stay functions: importing a module
    binds it to its package under its name, and two modules share their function's.
    (A name of its own must not be a module's: ``statements.types`` would replace it.)"""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _HOMES.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
