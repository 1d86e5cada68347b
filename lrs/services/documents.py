"""State, activity profile and agent profile documents: the use cases behind the three
document resources, with ETag concurrency control and JSON merge.

Each public function is one transaction. The rules (xAPI-Communication 2.2 and 3.1,
IEEE 9274.1.1 4.1.6):
- every document has an ETag: the SHA-1 hex digest of its content (XAPI-00322, the 1.0.3
  conformance suite checks the 40 hex digits);
- ``If-Match`` must name the current ETag (or ``*`` with a document present) and
  ``If-None-Match: *`` must find no document, otherwise 412 and nothing changes;
- a PUT without either header on an existing document is a 409 — for the State
  resource only from 2.0 on, 1.0.3 lets state documents be overwritten freely. A PUT
  without either header to a document that does not exist yet creates it in both
  versions: the LRS requirement is a 409 "for a resource that already exists"
  (Communication 3.1); the client's duty to send a header is the client's. Operators who
  want the ADL 1.0.3 test suite's stricter reading (400 for such a profile PUT) set
  ``require_precondition`` (``LRS_PROFILE_PUT_NEEDS_PRECONDITION``);
- POST merges JSON objects one level deep (XAPI-00183/00184); either side not being a
  JSON object is a 400; a POST to an absent document stores it as a PUT would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed
from lrs.services.principal import Principal
from lrs.store import documents as store
from lrs.store.documents import DocumentKey, Kind
from lrs.store.engine import Database
from lrs.store.models import Document

JSON_TYPE = "application/json"
DEFAULT_TYPE = "application/octet-stream"
_WRITE_SCOPE: dict[Kind, str] = {
    "state": "state",
    "activity_profile": "profile",
    "agent_profile": "profile",
}


@dataclass(frozen=True)
class Preconditions:
    """The ETags of ``If-Match`` / ``If-None-Match`` (``"*"`` for any); None when absent."""

    if_match: frozenset[str] | None = None
    if_none_match: frozenset[str] | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class StoredDocument:
    content: bytes
    content_type: str
    etag: str
    updated: dt.datetime


@dataclass(frozen=True)
class DocumentIds:
    """The ids of a set of documents and when the newest of them changed."""

    ids: list[str]
    updated: dt.datetime | None


@dataclass(frozen=True)
class Upload:
    """A document as sent: its bytes and Content-Type."""

    content: bytes
    content_type: str | None

    @property
    def media_type(self) -> str:
        return _media_type(self.content_type or DEFAULT_TYPE)


def get_document(db: Database, principal: Principal, key: DocumentKey) -> StoredDocument:
    """The document at ``key``; 404 when there is none."""
    _require(principal, key.kind, reading=True)
    with db.reading() as session:
        row = store.get(session, key)
        if row is None:
            raise NotFound(f"no document with id {key.document_id!r} here")
        return StoredDocument(row.content, row.content_type, row.etag, row.updated)


def list_documents(
    db: Database, principal: Principal, key: DocumentKey, since: dt.datetime | None
) -> DocumentIds:
    """Ids of the documents of a set, those changed after ``since`` (exclusive) if given."""
    _require(principal, key.kind, reading=True)
    with db.reading() as session:
        rows = store.list_ids(session, key, since)
    return DocumentIds([i for i, _ in rows], max((u for _, u in rows), default=None))


def put_document(
    db: Database,
    principal: Principal,
    key: DocumentKey,
    upload: Upload,
    preconditions: Preconditions,
    *,
    version: str,
    require_precondition: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """Store ``upload`` at ``key``, replacing what is there (subject to preconditions).

    ``require_precondition`` refuses a profile PUT without If-Match / If-None-Match even
    when there is no document yet (400).
    """
    _require(principal, key.kind, reading=False)

    def write(session: Session) -> None:
        existing = store.get(session, key, for_update=True)
        _check(existing, preconditions)
        if not preconditions.given:
            _check_unconditional_put(key.kind, existing, version, require_precondition)
        _save(session, key, existing, upload.content, upload.content_type or DEFAULT_TYPE, now)

    _write_racing(db, write)


def post_document(
    db: Database,
    principal: Principal,
    key: DocumentKey,
    upload: Upload,
    preconditions: Preconditions,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Merge a JSON object into the document at ``key``, or store it when there is none."""
    _require(principal, key.kind, reading=False)
    is_json = upload.media_type == JSON_TYPE
    posted = _json_object(upload.content, "the posted document") if is_json else None

    def write(session: Session) -> None:
        existing = store.get(session, key, for_update=True)
        _check(existing, preconditions)
        if existing is None:
            content_type = upload.content_type or DEFAULT_TYPE
            _save(session, key, None, upload.content, content_type, now)
            return
        if posted is None or _media_type(existing.content_type) != JSON_TYPE:
            raise BadRequest(
                "a POST merges JSON documents only: both the stored and the posted document "
                "must be application/json; use PUT to replace the document"
            )
        stored = _json_object(existing.content, "the stored document")
        # Python's json writes integers of any size; ASCII escapes keep any text encodable.
        merged = json.dumps({**stored, **posted}, separators=(",", ":")).encode()
        _save(session, key, existing, merged, existing.content_type, now)

    _write_racing(db, write)


def delete_document(
    db: Database, principal: Principal, key: DocumentKey, preconditions: Preconditions
) -> None:
    """Delete the document at ``key`` (nothing to do when there is none)."""
    _require(principal, key.kind, reading=False)
    with db.writing() as session:
        existing = store.get(session, key, for_update=True)
        _check(existing, preconditions)
        if existing is not None:
            store.remove(session, existing)


def delete_documents(db: Database, principal: Principal, key: DocumentKey) -> None:
    """Delete every document of a set: all states of an activity and agent (and
    registration, when given)."""
    _require(principal, key.kind, reading=False)
    with db.writing() as session:
        store.remove_set(session, key)


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


# --- rules -------------------------------------------------------------------------------


def _write_racing(db: Database, write: Callable[[Session], None]) -> None:
    """Run ``write`` in a write transaction; when it loses a race to create the same
    document, run it once more, so that the rules meet the document the winner created.

    The row lock of ``store.get(for_update=True)`` serialises changes to an existing
    document; two requests creating the same absent one meet at the unique key instead.
    On the second run the loser sees that document: ``If-None-Match: *`` fails (412), a
    POST merges into it, a PUT follows the rules for an existing document.
    """
    for attempt in range(2):
        try:
            with db.writing() as session:
                write(session)
            return
        except IntegrityError:
            if attempt:
                raise Conflict(
                    "another request changed this document at the same time; GET it and "
                    "retry with If-Match set to its ETag"
                ) from None


def _require(principal: Principal, kind: Kind, *, reading: bool) -> None:
    scope = _WRITE_SCOPE[kind]
    allowed: Sequence[str] = (scope, "all/read") if reading else (scope,)
    if not principal.may(*allowed):
        raise Forbidden(f"this credential may not {'read' if reading else 'write'} "
                        f"{kind.replace('_', ' ')} documents (scope {scope})")  # fmt: skip


def _check(existing: Document | None, preconditions: Preconditions) -> None:
    if preconditions.if_match is not None and (
        existing is None or not ({"*", existing.etag} & preconditions.if_match)
    ):
        raise PreconditionFailed(
            "If-Match does not name the current ETag of the document", "If-Match"
        )
    if (
        preconditions.if_none_match is not None
        and existing is not None
        and {"*", existing.etag} & preconditions.if_none_match
    ):
        raise PreconditionFailed("If-None-Match: the document already exists", "If-None-Match")


def _check_unconditional_put(
    kind: Kind, existing: Document | None, version: str, require_precondition: bool
) -> None:
    legacy_state = kind == "state" and version.startswith("1.0")
    if existing is not None and not legacy_state:
        raise Conflict(
            "the document already exists: GET it to check its current content, then PUT "
            "again with If-Match set to its ETag",
            "If-Match",
        )
    if existing is None and kind != "state" and require_precondition:
        raise BadRequest(
            "a PUT to a profile document needs If-Match (with the current ETag) or "
            "If-None-Match: * (when creating it)",
            "If-None-Match",
        )


def _save(
    session: Session,
    key: DocumentKey,
    existing: Document | None,
    content: bytes,
    content_type: str,
    now: dt.datetime | None,
) -> None:
    updated = now or dt.datetime.now(dt.UTC)
    if existing is not None and existing.updated >= updated:
        # Last-Modified must move forward on every change, even within a clock tick.
        updated = existing.updated + dt.timedelta(microseconds=1)
    store.save(
        session, key, existing, content=content, content_type=content_type,
        etag=etag_of(content), updated=updated,
    )  # fmt: skip


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    # Python's json keeps integers of any size exactly (orjson reads those beyond 64 bits
    # as floats, so a merge changed them); NaN and Infinity, which it also reads, are not
    # JSON.
    try:
        value = json.loads(content, parse_constant=_not_json)
    except ValueError:
        raise BadRequest(f"{what} is application/json but not valid JSON") from None
    if not isinstance(value, dict):
        raise BadRequest(f"{what} is not a JSON object, so it cannot be merged")
    return value
