"""xAPI timestamps (ISO 8601 date and time) read as instants: what the data model,
the vocabulary and the HTTP filters (``since``, ``until``) share, without the schemas.
"""

from __future__ import annotations

import datetime as dt
import re

import isodate

__all__ = ["TIMESTAMP_FORMAT_MESSAGE", "TimestampError", "parse_timestamp"]

# ISO 8601 allows "-00:00" but RFC 3339 gives it the meaning "offset unknown"; the ADL suite
# expects "-00", "-0000" and "-00:00" to be rejected.
_NEGATIVE_ZERO_OFFSET_RE = re.compile(r"-00(?::?00)?$")
# RFC 3339 5.7: a leap second is second 60 of the last minute of a UTC day, in the extended
# (23:59:60) or basic (235960) form.
# The everyday RFC 3339 form, which the standard library parses fastest.
_RFC3339_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:[0-5]\d(?:\.\d+)?(?:Z|[+\-]\d\d:\d\d)")
_LEAP_SECOND_RE = re.compile(r"(T\d\d:?\d\d:?)60(?=[.,]\d|[Z+\-]|$)")

TIMESTAMP_FORMAT_MESSAGE = "Must be an ISO 8601 date and time, e.g. 2024-05-01T12:00:00.000Z."
_OUT_OF_RANGE = "Must lie between the years 0001 and 9999 once converted to UTC."


class TimestampError(ValueError):
    """Why a string is not an acceptable xAPI timestamp (the message says it to a client)."""


def parse_timestamp(value: str, *, zone_required: bool = False) -> dt.datetime:
    """The instant an xAPI timestamp (ISO 8601 date and time) names, as an aware UTC datetime.

    Without a time zone the value is taken as UTC (xAPI 1.0.3 Data 4.5: a Timestamp SHOULD*
    include one), or refused when ``zone_required`` (xAPI 2.0). Refused with a
    :class:`TimestampError` saying why: not ISO 8601, the offset -00:00 ("unknown" in RFC
    3339), an offset of 24 hours or more, a leap second anywhere but at 23:59:60 UTC, and
    instants outside the years 1 to 9999 once converted to UTC (0001-01-01T00:00:00+14:00).
    A leap second counts as the first instant of the next second, as in POSIX time.
    """
    if _NEGATIVE_ZERO_OFFSET_RE.search(value):
        raise TimestampError(
            'The UTC offset "-00:00" means an unknown offset (RFC 3339); send Z or +00:00.'
        )
    if _RFC3339_RE.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        except (ValueError, OverflowError):
            pass  # the general path below says what is wrong
    text, leap = _LEAP_SECOND_RE.subn(r"\g<1>59", value, count=1)
    try:
        parsed: dt.datetime = isodate.parse_datetime(text)
    except (isodate.ISO8601Error, ValueError, TypeError, OverflowError):
        raise TimestampError(TIMESTAMP_FORMAT_MESSAGE) from None
    if parsed.tzinfo is None:
        if zone_required:
            raise TimestampError(
                "Must include a time zone: Z or a UTC offset such as +01:00 (xAPI 2.0)."
            )
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        instant = parsed.astimezone(dt.UTC)
    except ValueError:  # isodate keeps any offset; datetime refuses 24 hours or more
        raise TimestampError("The UTC offset must lie between -23:59 and +23:59.") from None
    except OverflowError:
        raise TimestampError(_OUT_OF_RANGE) from None
    if leap:
        if (instant.hour, instant.minute) != (23, 59):
            raise TimestampError("A leap second (second 60) is only valid at 23:59:60 UTC.")
        try:
            instant += dt.timedelta(seconds=1)
        except OverflowError:
            raise TimestampError(_OUT_OF_RANGE) from None
    return instant
