"""The quick check of ``validate`` (``valid_at_once``) agrees with the schemas' full load:
it accepts exactly what marshmallow accepts among statements of every shape, and leaves
every broken one to marshmallow, which names the path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements.schema import statement_schema, valid_at_once
from tests.statements import test_validate_invalid as invalid
from tests.statements.test_properties import _json, _statement
from tests.statements.test_validate_valid import VERSIONS, _shapes

BROKEN = [
    pytest.param(*case.values, version, id=f"{case.id}-{version}")
    for cases, versions in ((invalid.STRUCTURE + invalid.ACTORS + invalid.OBJECTS
                             + invalid.RESULTS + invalid.ATTACHMENTS, VERSIONS),
                            (invalid.IDS + invalid.VERBS + invalid.SUB_STATEMENTS
                             + invalid.CONTEXTS + invalid.STATEMENT_LEVEL, ["1.0.3"]),
                            (invalid.V2_CASES, ["2.0.0"]))
    for case in cases
    for version in versions
    if isinstance(case.values[0], dict)
]  # fmt: skip


def _agrees(statement: dict[str, Any], version: str) -> bool:
    schema = statement_schema(version)
    quick = valid_at_once(schema, statement)
    assert quick == (schema.validate(statement) == {})
    return quick


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("statement", _shapes())
def test_every_valid_shape_is_accepted_at_once(statement: dict[str, Any], version: str) -> None:
    """Valid statements of every shape (sub-statements, groups, attachments, results)
    pass the quick check: the full load is not needed for them."""
    assert _agrees(statement, version)


@pytest.mark.parametrize(("statement", "path", "version"), BROKEN)
def test_every_broken_statement_is_left_to_the_full_load(
    statement: Any, path: str, version: str
) -> None:
    """Each rule broken once (the cases of test_validate_invalid, in the versions they are
    checked in) fails the quick check, so the error and its path come from the schemas
    as before."""
    assert not _agrees(statement, version), path


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(_statement, st.sampled_from(VERSIONS))
def test_generated_statements_agree(statement: dict[str, Any], version: str) -> None:
    assert _agrees(statement, version)


@settings(max_examples=300)
@given(_statement, st.sampled_from(["actor", "verb", "object", "context", "result", "id"]),
       _json, st.sampled_from(VERSIONS))  # fmt: skip
def test_corrupted_statements_agree(
    statement: dict[str, Any], key: str, junk: Any, version: str
) -> None:
    _agrees({**statement, key: junk}, version)
