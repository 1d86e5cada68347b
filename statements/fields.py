"""Marshmallow fields for the xAPI data types.

Each field validates one spec type and returns the value *unchanged* (we never coerce: a
statement is stored exactly as sent). IRIs are matched by one regular expression written
from the ABNF of RFC 3987 (linear in the length, whatever the text); language tags are
checked by ``langcodes`` (RFC 5646), timestamps and durations by ``isodate`` (ISO 8601).
Results of the slow checks are memoised, because the same verb, activity and extension IRIs
recur in almost every statement.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from typing import Any

import isodate
import langcodes
from marshmallow import ValidationError, fields

from .errors import join_path
from .timestamps import TimestampError, parse_timestamp

__all__ = [
    "UUID_RE",
    "Duration",
    "Extensions",
    "Iri",
    "Irl",
    "LanguageMap",
    "LanguageTag",
    "MailtoIri",
    "Sha1Hex",
    "Sha2Hex",
    "StrictBoolean",
    "StrictInteger",
    "StrictNumber",
    "StrictString",
    "Timestamp",
    "TimestampError",
    "UuidString",
    "Version",
    "first_error",
    "is_iri",
    "is_language_tag",
    "is_timestamp",
    "parse_timestamp",
]

# RFC 4122 "standard string form": 8-4-4-4-12 hex digits (XAPI-00029, XAPI-00030).
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SHA1_RE = re.compile(r"[0-9a-fA-F]{40}")
# SHA-2 family digests: SHA-224/256/384/512 as hex.
_SHA2_RE = re.compile(r"[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")

# RFC 3987 section 2.2, each name as in its ABNF. An Earley parser of the grammar (the
# rfc3987-syntax package, which the tests use as an oracle) costs about half a millisecond
# per character of an IRI outside ASCII: a statement full of long IRIs held a worker for
# minutes. Every part below is a run of one character class or one choice among disjoint
# alternatives, so matching never backtracks more than once over the text.
_PCT_ENCODED = r"%[0-9A-Fa-f]{2}"
_SUB_DELIMS = re.escape("!$&'()*+,;=")
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"{chr(plane << 16)}-{chr(plane << 16 | 0xFFFD)}" for plane in range(1, 14))
    + "\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_IUNRESERVED = rf"A-Za-z0-9\-._~{_UCSCHAR}"
_IPCHAR = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:@]|{_PCT_ENCODED})"
_H16 = "[0-9A-Fa-f]{1,4}"
_DEC_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_LS32 = rf"(?:{_H16}:{_H16}|{_DEC_OCTET}(?:\.{_DEC_OCTET}){{3}})"


def _ipv6_address() -> str:
    """IPv6address: six pieces and ls32, "::" and five pieces and ls32, or at most k + 1
    pieces, "::", then 4 - k pieces and ls32 (k = 0..4), one piece (k = 5) or nothing
    (k = 6)."""
    forms = [rf"(?:{_H16}:){{6}}{_LS32}", rf"::(?:{_H16}:){{5}}{_LS32}"]
    for k in range(7):
        tail = rf"(?:{_H16}:){{{4 - k}}}{_LS32}" if k <= 4 else (_H16 if k == 5 else "")
        forms.append(rf"(?:(?:{_H16}:){{0,{k}}}{_H16})?::{tail}")
    return "(?:" + "|".join(forms) + ")"


_IP_LITERAL = rf"\[(?:{_ipv6_address()}|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~{_SUB_DELIMS}:]+)\]"
_IREG_NAME = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}]|{_PCT_ENCODED})*"  # IPv4address is one
_IUSERINFO = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:]|{_PCT_ENCODED})*"
_IAUTHORITY = rf"(?:{_IUSERINFO}@)?(?:{_IP_LITERAL}|{_IREG_NAME})(?::[0-9]*)?"
_IRI_RE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:"  # scheme
    # ihier-part: "//" iauthority ipath-abempty, or ipath-absolute / -rootless / -empty
    rf"(?://{_IAUTHORITY}(?:/{_IPCHAR}*)*|(?!//)(?:{_IPCHAR}|/)*)"
    rf"(?:\?(?:{_IPCHAR}|[{_IPRIVATE}/?])*)?"  # iquery
    rf"(?:#(?:{_IPCHAR}|[/?])*)?"  # ifragment
)


def is_iri(value: str) -> bool:
    """True if ``value`` is an absolute IRI per RFC 3987 (a scheme is required, XAPI-00011)."""
    if len(value) <= _MEMO_LENGTH:
        return _is_short_iri(value)
    return _IRI_RE.fullmatch(value) is not None


# The same verb, activity and extension IRIs recur in almost every statement: the short
# ones are remembered (a lookup costs less than a match).
_MEMO_LENGTH = 512


@functools.lru_cache(maxsize=65536)
def _is_short_iri(value: str) -> bool:
    return _IRI_RE.fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def is_language_tag(value: str) -> bool:
    """True if ``value`` is a well-formed, valid RFC 5646 language tag (XAPI-00013)."""
    try:
        return bool(langcodes.tag_is_valid(value))
    except (ValueError, LookupError):
        return False


def is_timestamp(value: str) -> bool:
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


_WEEKS = re.compile(r"P\d+(?:[.,]\d+)?W")


def _is_duration(value: str) -> bool:
    # XAPI-00124: only the ISO 8601:2004 4.4.3.2 format (PnYnMnDTnHnMnS / PnW); the
    # "alternative format" (P0001-02-03T...) and signed durations are not allowed.
    if not value.startswith("P") or "-" in value or ":" in value or value.endswith("T"):
        return False
    if "W" in value and not _WEEKS.fullmatch(value):
        return False  # weeks stand alone (PnW); isodate also accepts P4W1D
    try:
        isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError, TypeError, OverflowError):
        return False
    return True


class StrictString(fields.String):
    """A JSON string; never coerced from other types."""

    default_error_messages = {"invalid": "Must be a string."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return value


class _FormattedString(StrictString):
    """A string that must satisfy :meth:`check`; the stored value is the string as sent."""

    format_message = "Invalid value."

    def check(self, value: str) -> bool:  # pragma: no cover - always overridden
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not self.check(value):
            raise ValidationError(self.format_message)
        return value


class Iri(_FormattedString):
    """An absolute IRI (RFC 3987)."""

    format_message = "Must be an absolute IRI with a scheme (RFC 3987)."

    def check(self, value: str) -> bool:
        return is_iri(value)


class Irl(Iri):
    """An IRL: an IRI meant to be dereferenced; syntactically an absolute IRI."""

    format_message = "Must be an absolute IRL with a scheme (RFC 3987)."


class MailtoIri(_FormattedString):
    """``mailto:`` followed by one e-mail address (XAPI-00038)."""

    format_message = 'Must be a "mailto:" IRI holding an e-mail address.'

    def check(self, value: str) -> bool:
        if not value.startswith("mailto:") or not is_iri(value):
            return False
        local, at, domain = value[7:].rpartition("@")
        return bool(at and local and domain) and "," not in value and "?" not in value


class UuidString(_FormattedString):
    format_message = "Must be a UUID in standard string form (RFC 4122)."

    def check(self, value: str) -> bool:
        return UUID_RE.fullmatch(value) is not None


class Sha1Hex(_FormattedString):
    format_message = "Must be a hex-encoded SHA-1 digest (40 hex digits)."

    def check(self, value: str) -> bool:
        return _SHA1_RE.fullmatch(value) is not None


class Sha2Hex(_FormattedString):
    format_message = "Must be a hex-encoded SHA-2 digest."

    def check(self, value: str) -> bool:
        return _SHA2_RE.fullmatch(value) is not None


class Timestamp(StrictString):
    """An ISO 8601 date and time (see :func:`parse_timestamp`); the error says what is wrong."""

    def __init__(self, *, zone_required: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._zone_required = zone_required

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_timestamp(text, zone_required=self._zone_required)
        except TimestampError as error:
            raise ValidationError(str(error)) from None
        return text


class Duration(_FormattedString):
    format_message = "Must be an ISO 8601 duration such as PT1H30M or P1DT2.5S."

    def check(self, value: str) -> bool:
        return _is_duration(value)


class LanguageTag(_FormattedString):
    format_message = "Must be an RFC 5646 language tag."

    def check(self, value: str) -> bool:
        return is_language_tag(value)


class Version(_FormattedString):
    """The statement ``version`` property; ``pattern`` lists the acceptable versions."""

    def __init__(self, pattern: str, allowed: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pattern = re.compile(pattern)
        self.format_message = f"Must be {allowed}."

    def check(self, value: str) -> bool:
        return self._pattern.fullmatch(value) is not None


class StrictBoolean(fields.Field[bool]):
    """A JSON boolean; "true", 1 and friends are rejected (XAPI-00006)."""

    default_error_messages = {"invalid": "Must be a boolean (true or false)."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictNumber(fields.Field[float]):
    """A finite JSON number; strings holding numbers and booleans are rejected."""

    default_error_messages = {"invalid": "Must be a number."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Field[int]):
    """A JSON integer (no fraction); booleans are rejected."""

    default_error_messages = {"invalid": "Must be an integer."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class _StringKeyedObject(fields.Field[dict[str, Any]]):
    key_message = "Invalid key."
    empty_ok = True

    def check_key(self, key: str) -> bool:  # pragma: no cover - always overridden
        raise NotImplementedError

    def check_value(self, key: str, value: Any) -> None:
        """Raise ValidationError for a bad value."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError("Must be an object.")
        errors: dict[str, list[str]] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not self.check_key(key):
                errors[str(key)] = [self.key_message]
                continue
            try:
                self.check_value(key, item)
            except ValidationError as exc:
                errors[key] = exc.messages if isinstance(exc.messages, list) else [str(exc)]
        if errors:
            raise ValidationError(errors)
        return value


class LanguageMap(_StringKeyedObject):
    """A Language Map: RFC 5646 tag -> string (XAPI-00121)."""

    key_message = "Language map keys must be RFC 5646 language tags."

    def check_key(self, key: str) -> bool:
        return is_language_tag(key)

    def check_value(self, key: str, value: Any) -> None:
        if not isinstance(value, str):
            raise ValidationError("Language map values must be strings.")


class Extensions(_StringKeyedObject):
    """Extensions: IRI -> any JSON value, null included (XAPI-00118, XAPI-00119)."""

    key_message = "Extension keys must be absolute IRIs."

    def check_key(self, key: str) -> bool:
        return is_iri(key)


# marshmallow's texts for a key the schema does not know (unknown=RAISE) and for a
# required one that is missing, said in xAPI's words.
_UNKNOWN_FIELD = "Unknown field."
_MISSING_FIELD = "Missing data for required field."


def first_error(messages: Mapping[Any, Any] | list[Any] | str, prefix: str = "") -> tuple[str, str]:
    """The JSON path and text of the first error in a marshmallow error structure."""
    node: Any = messages
    path = prefix
    key: Any = None
    while True:
        if isinstance(node, str):
            if node == _UNKNOWN_FIELD and key is not None:
                return path, f'"{key}" is not a property xAPI defines for this object.'
            if node == _MISSING_FIELD and key is not None:
                return path, f'"{key}" is required here and missing.'
            return path, node
        if isinstance(node, list):
            if not node:
                return path, "Invalid value."
            node = node[0]
            continue
        if isinstance(node, Mapping):
            if not node:
                return path, "Invalid value."
            key, node = next(iter(node.items()))
            if key != "_schema":
                path = join_path(path, key)
            continue
        return path, str(node)
