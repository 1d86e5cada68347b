"""The xAPI data model: validation, identity, formats, enrichment and signatures.

Pure Python: no Flask, no SQLAlchemy, nothing else of ours is imported here.
"""

from .attachments import check_attachments
from .canonical import Format, best_language, format_statement, same_statement
from .enrich import check_restored, enrich, format_timestamp
from .errors import StatementError
from .fields import TimestampError, parse_timestamp
from .ifi import activity_ids_in, actors_by_key, agent_key, agent_keys_in, object_identity
from .params import validate_agent, validate_iri
from .refs import is_voiding, statement_refs
from .signature import signature_attachment_index, verify_signature
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
