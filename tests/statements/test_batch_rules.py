"""The rules about a batch as a whole, decided without a database: what it voids
(XAPI-00016), whether its attachments and parts match (Data 2.4.11, XAPI-00115), and how
the activity definitions it carries merge into the canonical ones (Data 2.4.4.1)."""

from __future__ import annotations

from typing import Any

import pytest

from statements import (
    StatementError,
    check_attachments,
    check_voiding,
    object_identity,
    voided_target,
    voided_targets,
)
from statements.definitions import changed_definitions, latest_definitions
from tests.factories import VERB_VOIDED, make_agent, make_attachment, make_statement

TARGET = "AAAAAAAA-0000-4000-8000-000000000001"
SHA = "a" * 64


def _voiding(target: str, statement_id: str) -> dict[str, Any]:
    return make_statement(
        id=statement_id,
        verb={"id": VERB_VOIDED},
        object={"objectType": "StatementRef", "id": target},
    )


def test_voided_target_is_the_lower_case_statement_ref() -> None:
    voiding = _voiding(TARGET, "00000000-0000-4000-8000-00000000000a")
    assert voided_target(voiding) == TARGET.lower()
    assert voided_target(make_statement()) is None
    assert voided_targets([make_statement(), voiding]) == [TARGET.lower()]


def test_a_voiding_statement_stored_earlier_cannot_be_voided() -> None:
    voiding = _voiding(TARGET, "00000000-0000-4000-8000-00000000000a")
    check_voiding([voiding], stored_voiding=set())
    with pytest.raises(StatementError, match="cannot be voided"):
        check_voiding([voiding], stored_voiding={TARGET.lower()})


def test_a_voiding_statement_of_the_same_batch_cannot_be_voided() -> None:
    first = _voiding(TARGET, "00000000-0000-4000-8000-00000000000a")
    second = _voiding(first["id"], "00000000-0000-4000-8000-00000000000b")
    with pytest.raises(StatementError, match=f"statement {first['id']} is a voiding"):
        check_voiding([first, second], stored_voiding=set())


def _attachment(**overrides: Any) -> dict[str, Any]:
    return make_attachment(**{"sha2": SHA, "fileUrl": None, **overrides})


def test_an_attachment_without_file_url_needs_its_part() -> None:
    statement = make_statement(attachments=[_attachment()])
    check_attachments([statement], {SHA: b"hello"})
    with pytest.raises(StatementError) as info:
        check_attachments([statement], None)
    assert info.value.path == "[0].attachments[0].sha2"
    check_attachments([make_statement(attachments=[_attachment(fileUrl="http://e.com/r")])], None)


def test_a_part_must_belong_to_an_attachment() -> None:
    with pytest.raises(StatementError, match=f"the part with hash {SHA} matches no attachment"):
        check_attachments([make_statement()], {SHA: b"hello"})


def test_a_signature_attachment_must_travel_as_a_part() -> None:
    signature = _attachment(
        usageType="http://adlnet.gov/expapi/attachments/signature",
        contentType="application/octet-stream",
    )
    with pytest.raises(StatementError, match="must be sent as a part") as info:
        check_attachments([make_statement(attachments=[signature])], {})
    assert info.value.path == "[0].attachments[0]"


def test_object_identity_names_what_a_statement_is_about() -> None:
    assert object_identity({"id": "http://e.com/a"}) == ("Activity", "http://e.com/a")
    assert object_identity({"objectType": "StatementRef", "id": TARGET}) == (
        "StatementRef",
        TARGET.lower(),
    )
    assert object_identity(make_agent("dora")) == ("Agent", "mbox:mailto:dora@example.com")
    assert object_identity({"objectType": "SubStatement"}) == ("SubStatement", None)


def _about(activity_id: str, definition: dict[str, Any] | None) -> dict[str, Any]:
    activity: dict[str, Any] = {"id": activity_id}
    if definition is not None:
        activity["definition"] = definition
    return make_statement(object=activity)


def test_later_definitions_in_a_batch_merge_language_by_language() -> None:
    latest = latest_definitions(
        [
            _about("http://e.com/a", {"name": {"en-US": "Course"}}),
            _about("http://e.com/a", None),
            _about("http://e.com/a", {"name": {"fr-FR": "Cours"}}),
            _about("http://e.com/b", None),
        ]
    )
    assert latest == {
        "http://e.com/a": {"name": {"en-US": "Course", "fr-FR": "Cours"}},
        "http://e.com/b": None,
    }


def test_only_changed_or_new_definitions_are_written() -> None:
    known = {"http://e.com/a": {"name": {"en-US": "Course"}}, "http://e.com/b": None}
    latest = {
        "http://e.com/a": {"name": {"en-US": "Course"}},
        "http://e.com/b": {"type": "http://e.com/t"},
        "http://e.com/c": None,
    }
    assert changed_definitions(known, latest) == {
        "http://e.com/b": {"type": "http://e.com/t"},
        "http://e.com/c": None,
    }
