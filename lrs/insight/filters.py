"""What to count: one frozen value shared by every question, round-tripped via the URL.

``Filters.from_query`` reads a URL query string (``?from=2026-01-01&kind=formal``)
forgivingly — a value it cannot use is left out — as the dashboards need for
hand-edited and old bookmarks; ``Filters.parse`` reads the same parameters strictly for
the API and answers a bad value with a 400 that names the parameter and what it allows.
A value holding U+0000 (which PostgreSQL keeps in no text column) or a lone surrogate
(which is not UTF-8) can match nothing stored: left out, or a 400, on both databases.
``to_query`` writes a query string, so a view can be bookmarked and shared. No Dash
imports here.

``Filters.scope`` (``lrs.insight.scope``) is never read from a URL: the server sets it
from who is signed in with ``within``, which only narrows it; the query helpers of
``lrs.insight._sql`` turn it into conditions beside the filters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from lrs.errors import BadRequest
from lrs.insight.scope import EVERYTHING, Scope
from lrs.store.dialects import storable_text
from lrs.store.facts import bounded_key

KINDS = ("formal", "informal", "other")
RANGES = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "all": 0}
PARAMETERS = ("from", "to", "range", "team", "kind", "platform", "verb", "activity", "person")
"""The query parameters of the filters, in the URL and in /api/aggregates."""
# Days far enough from the calendar's ends that a range, a recent period or the day
# after ``to`` stays a valid date.
FIRST_DAY = dt.date(1000, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


@dataclass(frozen=True)
class Filters:
    """What to count: a day range (inclusive), optional equality filters, and the scope
    of who reads (everything unless the server narrowed it with ``within``)."""

    start: dt.date | None = None
    end: dt.date | None = None
    team: str | None = None
    kind: str | None = None
    platform: str | None = None
    verb: str | None = None
    activity: str | None = None
    person: str | None = None
    scope: Scope = field(default=EVERYTHING)

    @classmethod
    def from_query(cls, search: str | None, today: dt.date | None = None) -> Filters:
        """Parse ``?range=30d&team=...`` (``from``/``to`` ISO dates win over ``range``),
        leaving out what cannot be used: an unknown range or kind, a malformed date."""
        params = {key: values[-1] for key, values in parse_qs((search or "").lstrip("?")).items()}
        return cls._read(params, today, strict=False)

    @classmethod
    def parse(cls, params: Mapping[str, str], today: dt.date | None = None) -> Filters:
        """The filters of query parameters, strictly: a malformed date, an unknown
        ``range`` or ``kind``, or ``from`` after ``to`` is a 400 naming the parameter."""
        return cls._read(params, today, strict=True)

    @classmethod
    def _read(cls, raw: Mapping[str, str], today: dt.date | None, strict: bool) -> Filters:
        params = {key: raw[key].strip() for key in PARAMETERS if raw.get(key, "").strip()}
        for key, value in list(params.items()):
            if not storable_text(value):
                if strict:
                    raise BadRequest(
                        f"{key} holds the NUL character (U+0000) or text that is not UTF-8", key
                    )
                del params[key]
        today = today or dt.datetime.now(dt.UTC).date()
        start = _date(params.get("from"), "from", strict)
        end = _date(params.get("to"), "to", strict)
        if strict and start is not None and end is not None and start > end:
            raise BadRequest(f"from ({start}) is after to ({end})", "from")
        days = RANGES.get(_choice(params.get("range"), "range", tuple(RANGES), strict) or "all")
        if start is None and end is None and days:
            start, end = today - dt.timedelta(days=days - 1), today
        # Facts keep very long identifiers under a bounded key: compare with that key.
        return cls(
            start=start,
            end=end,
            team=bounded_key(params.get("team")),
            kind=_choice(params.get("kind"), "kind", KINDS, strict),
            platform=bounded_key(params.get("platform")),
            verb=bounded_key(params.get("verb")),
            activity=bounded_key(params.get("activity")),
            person=bounded_key(params.get("person")),
        )

    def previous(self) -> Filters | None:
        """The same filters over the period of the same length just before this one
        (None when the range is open at either end, or would start before the calendar's
        first day)."""
        if self.start is None or self.end is None:
            return None
        length = self.end - self.start + dt.timedelta(days=1)
        if self.start - length < FIRST_DAY:
            return None
        return self.replace(start=self.start - length, end=self.start - dt.timedelta(days=1))

    def replace(self, **changes: object) -> Filters:
        """These filters with some values changed; the scope can only be narrowed
        (``within``), never replaced."""
        if "scope" in changes:
            raise ValueError("the scope is narrowed with Filters.within, never replaced")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def within(self, scope: Scope) -> Filters:
        """These filters limited to what ``scope`` allows as well (never widened)."""
        return dataclasses.replace(self, scope=self.scope.within(scope))

    def unfiltered(self) -> Filters:
        """No filter at all, in the same scope (what "everything" is to this reader)."""
        return Filters(scope=self.scope)

    @property
    def is_unfiltered(self) -> bool:
        return self == self.unfiltered()

    def described(self) -> dict[str, str | None]:
        """Every filter as text (dates in ISO 8601), for a JSON answer (not the scope)."""
        return {
            name.name: None if (value := getattr(self, name.name)) is None else str(value)
            for name in dataclasses.fields(self)
            if name.name != "scope"
        }

    def as_query(self) -> dict[str, str | None]:
        """The filters as the URL's query values (``PARAMETERS``, dates in ISO 8601; not
        the scope): ``to_query`` of them opens a page on exactly these filters."""
        return {
            "from": None if self.start is None else self.start.isoformat(),
            "to": None if self.end is None else self.end.isoformat(),
            "team": self.team,
            "kind": self.kind,
            "platform": self.platform,
            "verb": self.verb,
            "activity": self.activity,
            "person": self.person,
        }

    def describe(self) -> str:
        """A short human description, shown above the charts."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        else:
            parts.append("all time")
        for label, value in (
            ("team", self.team),
            ("kind", self.kind),
            ("system", self.platform),
            ("verb", self.verb),
            ("activity", self.activity),
            ("person", self.person),
        ):
            if value:
                parts.append(f"{label}: {value}")
        return " · ".join(parts)


def to_query(values: Mapping[str, str | None]) -> str:
    """The URL query (with ``?``) for filter-bar values; empty values are left out."""
    kept = {key: value for key, value in values.items() if value not in (None, "", "all")}
    encoded = encode_query(kept)
    return f"?{encoded}" if encoded else ""


def to_queries(rows: Iterable[Mapping[str, str | None]]) -> list[str]:
    """``to_query`` of each of ``rows``, each distinct key and value encoded once: a long
    list names the same people and contents again and again."""
    pieces: dict[tuple[str, str | None], str] = {}
    queries = []
    for values in rows:
        parts = []
        for key, value in values.items():
            piece = pieces.get((key, value))
            if piece is None:
                piece = pieces[(key, value)] = to_query({key: value})[1:]
            if piece:
                parts.append(piece)
        queries.append("?" + "&".join(parts) if parts else "")
    return queries


def encode_query(query: Mapping[str, object]) -> str:
    """``key=value&...`` of the text values of ``query`` (a page's URL parameters), leaving
    out what ``from_query`` would leave out anyway: U+0000 and text that is not UTF-8."""
    return urlencode(
        {
            key: value
            for key, value in query.items()
            if isinstance(value, str) and storable_text(key) and storable_text(value)
        }
    )


COMPARE = "compare"
"""The parameter that adds the previous period of the same length to a chart over time
(``compare=previous``): in a page's URL, its numbers download and /api/aggregates."""
PREVIOUS = "previous"


def compares(search: str | None) -> bool:
    """Whether a URL query asks for the previous period (``compare=previous``)."""
    return query_values(search).get(COMPARE) == PREVIOUS


def query_values(search: str | None) -> dict[str, str]:
    """The raw filter-bar values in a URL query, for filling in the controls."""
    return {
        key: values[-1]
        for key, values in parse_qs((search or "").lstrip("?")).items()
        if values and values[-1] and storable_text(key) and storable_text(values[-1])
    }


def _date(text: str | None, name: str, strict: bool) -> dt.date | None:
    """An ISO 8601 date (or the date part of a date-time) within the bounds."""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text[:10])
        if strict and len(text) > 10:
            dt.datetime.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None and FIRST_DAY <= day <= LAST_DAY:
        return day
    if strict:
        raise BadRequest(
            f"{name} must be a date (YYYY-MM-DD) from {FIRST_DAY} to {LAST_DAY}, not {text!r}",
            name,
        )
    return None


def _choice(text: str | None, name: str, allowed: tuple[str, ...], strict: bool) -> str | None:
    if text is None or text in allowed:
        return text
    if strict:
        raise BadRequest(f"{name} must be one of {', '.join(allowed)}, not {text!r}", name)
    return None
