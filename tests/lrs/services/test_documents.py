"""The documents service directly: transactions, clock handling and set operations."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from lrs.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed
from lrs.services import documents as service
from lrs.services.documents import Preconditions, Upload
from lrs.services.principal import Principal
from lrs.store import documents as store
from lrs.store.documents import DocumentKey
from lrs.store.engine import Database

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
KEY = DocumentKey(
    kind="state",
    activity_id="http://example.com/a",
    agent_key="mbox:mailto:alice@example.com",
    document_id="s1",
)
JSON = "application/json"


def principal(*scopes: str) -> Principal:
    return Principal(
        credential_id=0, key="k", name="test", scopes=frozenset(scopes),
        authority={}, authority_key="",
    )  # fmt: skip


ALL = principal("all")


def test_last_modified_moves_forward_within_one_clock_tick(database: Database) -> None:
    """Last-Modified must increase on every update even if the clock did not move."""
    upload = Upload(b'{"a": 1}', JSON)
    service.post_document(database, ALL, KEY, upload, Preconditions(), now=NOW)
    service.post_document(database, ALL, KEY, Upload(b'{"b": 1}', JSON), Preconditions(), now=NOW)
    document = service.get_document(database, ALL, KEY)
    assert document.updated > NOW
    assert document.content == b'{"a":1,"b":1}'
    assert document.content_type == JSON


def test_put_rules_by_kind_and_version(database: Database) -> None:
    put = service.put_document
    profile = DocumentKey(kind="agent_profile", agent_key=KEY.agent_key, document_id="p")
    # Communication 3.1: 409 only for a document that exists; without the headers an
    # absent profile is created (400 only when the operator asks for the stricter rule).
    with pytest.raises(BadRequest):
        put(database, ALL, profile, Upload(b"x", None), Preconditions(), version="1.0.3",
            require_precondition=True)  # fmt: skip
    put(database, ALL, profile, Upload(b"x", None), Preconditions(), version="1.0.3")
    assert service.get_document(database, ALL, profile).content_type == "application/octet-stream"
    with pytest.raises(Conflict):
        put(database, ALL, profile, Upload(b"y", None), Preconditions(), version="1.0.3")
    put(database, ALL, KEY, Upload(b"1", "text/plain"), Preconditions(), version="1.0.3")
    put(database, ALL, KEY, Upload(b"2", "text/plain"), Preconditions(), version="1.0.3")
    with pytest.raises(Conflict):
        put(database, ALL, KEY, Upload(b"3", "text/plain"), Preconditions(), version="2.0.0")
    assert service.get_document(database, ALL, KEY).content == b"2"


def test_preconditions(database: Database) -> None:
    upload = Upload(b"{}", JSON)
    service.post_document(database, ALL, KEY, upload, Preconditions())
    etag = service.get_document(database, ALL, KEY).etag
    assert etag == service.etag_of(b"{}")
    with pytest.raises(PreconditionFailed):
        service.delete_document(database, ALL, KEY, Preconditions(if_match=frozenset({"x"})))
    with pytest.raises(PreconditionFailed):
        service.post_document(
            database, ALL, KEY, upload, Preconditions(if_none_match=frozenset({etag}))
        )
    service.delete_document(database, ALL, KEY, Preconditions(if_match=frozenset({etag})))
    with pytest.raises(NotFound):
        service.get_document(database, ALL, KEY)


def test_sets_span_registrations_unless_one_is_given(database: Database) -> None:
    registered = DocumentKey(**{**vars(KEY), "registration": "r1", "document_id": "s2"})
    service.post_document(database, ALL, KEY, Upload(b"{}", JSON), Preconditions(), now=NOW)
    later = NOW + dt.timedelta(minutes=1)
    service.post_document(
        database, ALL, registered, Upload(b"{}", JSON), Preconditions(), now=later
    )
    every = DocumentKey(kind="state", activity_id=KEY.activity_id, agent_key=KEY.agent_key)
    listing = service.list_documents(database, ALL, every, None)
    assert sorted(listing.ids) == ["s1", "s2"]
    assert listing.updated == later
    assert service.list_documents(database, ALL, every, NOW).ids == ["s2"]
    service.delete_documents(database, ALL, DocumentKey(**{**vars(every), "registration": "r1"}))
    assert service.list_documents(database, ALL, every, None).ids == ["s1"]


def test_scopes(database: Database) -> None:
    upload = Upload(b"{}", JSON)
    with pytest.raises(Forbidden):
        service.post_document(database, principal("profile"), KEY, upload, Preconditions())
    with pytest.raises(Forbidden):
        service.list_documents(database, principal("statements/read"), KEY, None)
    service.post_document(database, principal("state"), KEY, upload, Preconditions())
    assert service.get_document(database, principal("all/read"), KEY).content == b"{}"


def test_losing_a_race_to_create_the_same_document_is_a_conflict(database: Database) -> None:
    """Another transaction creates the document while this PUT runs: 409, never a 500
    (PostgreSQL meets at the unique key, SQLite waits for the writer and then sees it)."""
    created = threading.Event()

    def create_elsewhere() -> None:
        with database.writing() as session:
            store.save(
                session, KEY, None, content=b"{}", content_type=JSON,
                etag=service.etag_of(b"{}"), updated=NOW,
            )  # fmt: skip
            created.set()
            time.sleep(0.5)

    other = threading.Thread(target=create_elsewhere)
    other.start()
    assert created.wait(10)
    try:
        with pytest.raises(Conflict):
            service.put_document(
                database, ALL, KEY, Upload(b"x", None), Preconditions(), version="2.0.0"
            )
    finally:
        other.join()
    assert service.get_document(database, ALL, KEY).content == b"{}"
