"""Assertion helpers shared by the statements tests."""

from __future__ import annotations

from typing import Any

import pytest

from statements import StatementError, validate


def assert_rejected(statement: Any, path: str, version: str = "1.0.3") -> StatementError:
    with pytest.raises(StatementError) as info:
        validate(statement, version)
    assert info.value.path == path, info.value.message
    assert info.value.message
    return info.value
