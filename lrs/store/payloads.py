"""A statement's payload as stored: its JSON text compressed, read back as text or object.

The text is compressed with zlib against a preset dictionary of xAPI's own words (the
property names of a statement, the ADL verbs and activity types, the cmi5 categories),
so that even one statement of a kilobyte, compressed alone, finds most of its words
already said: under a third of its text, where zlib alone keeps about half. The first
byte names the format, so that a later dictionary can be added beside this one and
every stored payload still read. ``encode``, ``text_of`` and ``decode`` are the only
places that know the format; the column types below apply them to ``statement.payload``.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import LargeBinary, TypeDecorator, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement

FORMAT_DEFLATE_XAPI = 1
"""Raw deflate (level ``_LEVEL``) with ``_DICTIONARY`` preset: without zlib's header and
checksum, which cost 10 bytes a statement and a quarter of the time to read it."""
_LEVEL = 6
_RAW = -15
# Words a statement repeats, the most common last (zlib reaches back the least for them).
# Never change it: stored payloads are read with it; a new dictionary is a new format.
_DICTIONARY = (
    b'"objectType":"Group","member":[{"objectType":"Agent","name":"","mbox_sha1sum":"","openid":"'
    b'"attachments":[{"usageType":"http://adlnet.gov/expapi/attachments/signature",'
    b'"display":{"en-US":""},"contentType":"application/octet-stream","length":0,"sha2":"",'
    b'"fileUrl":"https://"}],"result":{"score":{"scaled":0.,"raw":,"min":0,"max":100},'
    b'"success":false,"completion":true,"response":"","duration":"PT0H0M0S"},'
    b'"interactionType":"choice","correctResponsesPattern":[""],'
    b'"choices":[{"id":"","description":{"en-US":""}}],"moreInfo":"https://",'
    b'"extensions":{"https://w3id.org/xapi/cmi5/context/extensions/sessionid":""},'
    b'"revision":"","language":"en-US","instructor":{"objectType":"Agent",'
    b'"statement":{"objectType":"StatementRef","id":""},'
    b'"contextActivities":{"parent":[{"objectType":"Activity","id":"https://"}],'
    b'"grouping":[{"id":"https://"}],'
    b'"category":[{"id":"https://w3id.org/xapi/cmi5/context/categories/moveon"},'
    b'{"id":"https://w3id.org/xapi/cmi5/context/categories/cmi5"}],"other":[{"id":""}]},'
    b'"http://adlnet.gov/expapi/activities/course","http://adlnet.gov/expapi/activities/lesson",'
    b'"http://adlnet.gov/expapi/activities/assessment",'
    b'"http://adlnet.gov/expapi/activities/cmi.interaction",'
    b'"http://activitystrea.ms/schema/1.0/","http://id.tincanapi.com/activitytype/",'
    b'"http://id.tincanapi.com/verb/","https://w3id.org/xapi/acrossx/activities/webpage",'
    b'"http://adlnet.gov/expapi/verbs/experienced","display":{"en-US":"experienced"}'
    b'"http://adlnet.gov/expapi/verbs/attempted","display":{"en-US":"attempted"}'
    b'"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}'
    b'"http://adlnet.gov/expapi/verbs/passed","display":{"en-US":"passed"}'
    b'"http://adlnet.gov/expapi/verbs/failed","display":{"en-US":"failed"}'
    b'"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}'
    b'"http://adlnet.gov/expapi/verbs/progressed","display":{"en-US":"progressed"}'
    b'"http://adlnet.gov/expapi/verbs/registered","display":{"en-US":"registered"}'
    b'"http://adlnet.gov/expapi/verbs/launched","display":{"en-US":"launched"}'
    b'"http://adlnet.gov/expapi/verbs/initialized","display":{"en-US":"initialized"}'
    b'"http://adlnet.gov/expapi/verbs/terminated","display":{"en-US":"terminated"}'
    b'"https://w3id.org/xapi/adl/verbs/satisfied","display":{"en-US":"satisfied"}'
    b'{"id":"00000000-0000-4000-8000-000000000000",'
    b'"actor":{"objectType":"Agent","name":"","mbox":"mailto:@"},'
    b'"account":{"homePage":"https://","name":""}},'
    b'"verb":{"id":"http://adlnet.gov/expapi/verbs/","display":{"en-US":""}},'
    b'"object":{"objectType":"Activity","id":"https://","definition":{"name":{"en-US":""},'
    b'"description":{"en-US":""},"type":"http://adlnet.gov/expapi/activities/"}},'
    b'"context":{"registration":"","platform":"","timestamp":"T00:00:00.000Z",'
    b'"stored":"T00:00:00.000Z","authority":{"objectType":"Agent",'
    b'"account":{"homePage":"https://","name":""}},"version":"1.0.0"}'
)


def encode(statement: Mapping[str, Any]) -> bytes:
    """The stored form of ``statement``: its compact JSON text, compressed."""
    return encode_text(orjson.dumps(statement))


def encode_text(text: bytes) -> bytes:
    """The stored form of a statement's JSON text (UTF-8)."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, _RAW, zdict=_DICTIONARY)
    return bytes((FORMAT_DEFLATE_XAPI,)) + compressor.compress(text) + compressor.flush()


def text_of(stored: bytes) -> str:
    """The statement's JSON text, exactly as it was stored."""
    return utf8_of(stored).decode()


def decode(stored: bytes) -> dict[str, Any]:
    """The statement, as a JSON object."""
    statement: dict[str, Any] = orjson.loads(utf8_of(stored))
    return statement


def utf8_of(stored: bytes) -> bytes:
    """The statement's JSON text as UTF-8, exactly as it was stored."""
    if stored[0] != FORMAT_DEFLATE_XAPI:
        raise ValueError(f"unknown statement payload format {stored[0]}")
    decompressor = zlib.decompressobj(_RAW, zdict=_DICTIONARY)
    text = decompressor.decompress(memoryview(stored)[1:])
    if not decompressor.eof:
        raise ValueError("a statement payload ends before its compressed text does")
    return text


class Payload(TypeDecorator[dict[str, Any]]):
    """``statement.payload``: a statement in, the same statement out, stored compressed."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else encode(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else decode(value)


class PayloadText(TypeDecorator[str]):
    """The payload read as its JSON text (exports, pages that splice the text)."""

    impl = LargeBinary
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else text_of(value)


def as_text(payload: Any) -> ColumnElement[Any]:
    """``payload`` (the column, or an expression of it) selected as its JSON text."""
    return type_coerce(payload, PayloadText())


def as_stored(payload: Any) -> ColumnElement[Any]:
    """``payload`` selected as stored, for the caller to decode only the rows it keeps."""
    return type_coerce(payload, LargeBinary())
