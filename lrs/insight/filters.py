"""What to count: one frozen value shared by every question, round-tripped via the URL.

``Filters.from_query`` reads a URL query string (``?from=2026-01-01&kind=formal``) and
``to_query`` writes one, so a view can be bookmarked and shared. No Dash imports here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from lrs.store.facts import bounded_key

KINDS = ("formal", "informal", "other")
RANGES = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "all": 0}


@dataclass(frozen=True)
class Filters:
    """What to count: a day range (inclusive) and optional equality filters."""

    start: dt.date | None = None
    end: dt.date | None = None
    team: str | None = None
    kind: str | None = None
    platform: str | None = None
    verb: str | None = None
    activity: str | None = None
    person: str | None = None

    @classmethod
    def from_query(cls, search: str | None, today: dt.date | None = None) -> Filters:
        """Parse ``?range=30d&team=...`` (``from``/``to`` ISO dates win over ``range``)."""
        params = {
            key: values[-1].strip()
            for key, values in parse_qs((search or "").lstrip("?")).items()
            if values and values[-1].strip()
        }
        today = today or dt.datetime.now(dt.UTC).date()
        start = _date(params.get("from"))
        end = _date(params.get("to"))
        days = RANGES.get(params.get("range", "all"), 0)
        if start is None and end is None and days:
            start, end = today - dt.timedelta(days=days - 1), today
        kind = params.get("kind")
        # Facts keep very long identifiers under a bounded key: compare with that key.
        return cls(
            start=start,
            end=end,
            team=bounded_key(params.get("team")),
            kind=kind if kind in KINDS else None,
            platform=bounded_key(params.get("platform")),
            verb=bounded_key(params.get("verb")),
            activity=bounded_key(params.get("activity")),
            person=bounded_key(params.get("person")),
        )

    def replace(self, **changes: object) -> Filters:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> str:
        """A short human description, shown above the charts."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        else:
            parts.append("all time")
        for label, value in (
            ("team", self.team),
            ("source", self.kind),
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
    return f"?{urlencode(kept)}" if kept else ""


def query_values(search: str | None) -> dict[str, str]:
    """The raw filter-bar values in a URL query, for filling in the controls."""
    return {
        key: values[-1]
        for key, values in parse_qs((search or "").lstrip("?")).items()
        if values and values[-1]
    }


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
