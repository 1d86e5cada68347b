"""The xAPI data model: validation, identity, formats, enrichment and signatures.

Pure Python: no Flask, no SQLAlchemy, nothing else of ours is imported here.
"""

from .errors import StatementError
from .validate import normalise_version, validate

__all__ = ["StatementError", "normalise_version", "validate"]
