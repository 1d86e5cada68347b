"""The stored form of a statement's payload: its JSON text, compressed, given back exactly."""

from __future__ import annotations

import orjson
import pytest

from lrs.store import payloads
from tests.factories import make_statement


@pytest.mark.parametrize(
    "text",
    [
        b"{}",
        '{"a": "say \\"hi\\" \\\\ \\u0001", "b": "\u00e9 \u6f22\u5b57 \U0001f393"}'.encode(),
        b'{\n\t"id": "x",\r\n "n": [1, 2.5e3, null, true]}',
    ],
)
def test_the_text_comes_back_byte_for_byte(text: bytes) -> None:
    stored = payloads.encode_text(text)
    assert payloads.utf8_of(stored) == text
    assert payloads.text_of(stored) == text.decode()
    assert payloads.decode(stored) == orjson.loads(text)


def test_a_statement_is_stored_in_under_half_its_text() -> None:
    statement = make_statement()
    stored = payloads.encode(statement)
    assert payloads.decode(stored) == statement
    assert len(stored) < len(orjson.dumps(statement)) / 2


def test_an_unknown_format_or_a_cut_payload_is_refused() -> None:
    stored = payloads.encode(make_statement())
    with pytest.raises(ValueError, match="format"):
        payloads.decode(b"\x00" + stored[1:])
    with pytest.raises(ValueError, match="ends before"):
        payloads.decode(stored[:-4])
