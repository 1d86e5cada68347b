"""Attachments of a batch against the parts of its request.

xAPI-Data 2.4.11 and xAPI-Communication 1.5.2: an attachment without ``fileUrl`` travels
as a multipart/mixed part whose ``X-Experience-API-Hash`` is its ``sha2``; a signature
attachment (XAPI-00115) always travels as a part, as ``application/octet-stream``, and
must verify against its statement; every part belongs to an attachment of the batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import StatementError
from .schema import SIGNATURE_CONTENT_TYPE, SIGNATURE_USAGE_TYPE
from .signature import verify_signature

__all__ = ["check_attachments"]


def _check_signature(
    statement: Mapping[str, Any], attachment: Mapping[str, Any], part: bytes | None, path: str
) -> None:
    if part is None:
        raise StatementError(path, "a signature attachment must be sent as a part")
    if attachment.get("contentType") != SIGNATURE_CONTENT_TYPE:
        raise StatementError(
            f"{path}.contentType",
            f"a signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}",
        )
    verify_signature(statement, part)


def check_attachments(
    statements: Sequence[Mapping[str, Any]], parts: Mapping[str, bytes] | None
) -> None:
    """Raise :class:`StatementError` unless attachments and parts match one to one.

    ``parts`` maps each part's hash to its content; None when the request was not
    multipart/mixed. Paths name the statement by its place in the batch.
    """
    sent = parts or {}
    declared: set[str] = set()
    for index, statement in enumerate(statements):
        for position, attachment in enumerate(statement.get("attachments", [])):
            path = f"[{index}].attachments[{position}]"
            declared.add(attachment["sha2"])
            if attachment["usageType"] == SIGNATURE_USAGE_TYPE:
                _check_signature(statement, attachment, sent.get(attachment["sha2"]), path)
            elif "fileUrl" not in attachment and (parts is None or attachment["sha2"] not in sent):
                raise StatementError(
                    f"{path}.sha2",
                    "an attachment without fileUrl must be sent as a multipart/mixed part "
                    "whose X-Experience-API-Hash is its sha2",
                )
    for sha2 in sent:
        if sha2 not in declared:
            raise StatementError(
                "", f"the part with hash {sha2} matches no attachment of the statements"
            )
