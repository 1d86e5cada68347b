"""Signed statements (Data 2.6; XAPI-00115..00117): check the JWS in a signature attachment.

The HTTP layer finds the multipart part whose ``X-Experience-API-Hash`` equals the signature
attachment's ``sha2`` and passes its bytes here. We decode the JWS with joserfc, require an
RS256/RS384/RS512 algorithm, verify it against the ``x5c`` certificate when one is given, and
require the payload to be the same statement (:func:`statements.same_statement`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import JWSRegistry

from .canonical import same_statement
from .errors import StatementError
from .schema import SIGNATURE_CONTENT_TYPE, SIGNATURE_USAGE_TYPE

__all__ = ["ALGORITHMS", "signature_attachment_index", "verify_signature"]

ALGORITHMS = ("RS256", "RS384", "RS512")


def _registry() -> JWSRegistry:
    # joserfc's default caps the protected header at 512 bytes; an "x5c" certificate chain
    # is several kilobytes, and a statement payload can exceed the 128 kB default too.
    registry = JWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)
    registry.max_header_length = 64 * 1024
    registry.max_payload_length = 16 * 1024 * 1024
    registry.max_signature_length = 8 * 1024
    return registry


_REGISTRY = _registry()


def signature_attachment_index(statement: Mapping[str, Any]) -> int | None:
    """Index of the statement's signature attachment, or None if it is not signed."""
    for index, attachment in enumerate(statement.get("attachments") or ()):
        if isinstance(attachment, Mapping) and attachment.get("usageType") == SIGNATURE_USAGE_TYPE:
            return index
    return None


def verify_signature(statement: Mapping[str, Any], signature_part: bytes) -> None:
    """Raise :class:`StatementError` unless ``signature_part`` is a valid JWS of ``statement``."""
    index = signature_attachment_index(statement)
    if index is None:
        raise StatementError("attachments", "The statement has no signature attachment.")
    path = f"attachments[{index}]"
    content_type = str(statement["attachments"][index].get("contentType", ""))
    if content_type.split(";")[0].strip().lower() != SIGNATURE_CONTENT_TYPE:
        raise StatementError(
            f"{path}.contentType",
            f'A signature attachment must have contentType "{SIGNATURE_CONTENT_TYPE}".',
        )
    token = signature_part.strip()
    try:
        compact = jws.extract_compact(token, registry=_REGISTRY)
    except (JoseError, ValueError, binascii.Error, UnicodeError) as exc:
        raise StatementError(
            path, f"The signature is not a JWS compact serialization: {exc}"
        ) from exc
    header = compact.protected
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:  # XAPI-00117
        raise StatementError(path, f"The JWS algorithm must be one of {', '.join(ALGORITHMS)}.")
    if "x5c" in header:
        _verify_with_certificate(token, header["x5c"], str(algorithm), path)
    try:
        payload = orjson.loads(compact.payload)
    except orjson.JSONDecodeError as exc:  # XAPI-00116
        raise StatementError(path, "The JWS payload is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise StatementError(path, "The JWS payload is not a JSON object.")
    if not same_statement(payload, statement):
        raise StatementError(path, "The JWS payload does not match the statement.")


def _verify_with_certificate(token: bytes, chain: Any, algorithm: str, path: str) -> None:
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise StatementError(path, 'The JWS "x5c" header must be a non-empty array of strings.')
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (ValueError, binascii.Error) as exc:
        raise StatementError(path, 'The JWS "x5c" certificate cannot be read.') from exc
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise StatementError(path, 'The JWS "x5c" certificate does not hold an RSA key.')
    try:
        jws.deserialize_compact(
            token, RSAKey.import_key(public_key), algorithms=[algorithm], registry=_REGISTRY
        )
    except (JoseError, ValueError) as exc:
        raise StatementError(
            path, "The JWS signature does not verify against its x5c certificate."
        ) from exc
