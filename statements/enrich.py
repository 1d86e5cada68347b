"""Pure fill-ins the LRS makes when it stores a statement: id, timestamp, stored, authority,
version. The clock and the credential's authority are passed in, so this is deterministic.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, cast

from .errors import StatementError
from .fields import parse_timestamp
from .types import Actor, Statement

__all__ = ["DEFAULT_VERSION", "STORED_CLOCK_SKEW", "check_restored", "enrich", "format_timestamp"]

# How far a restored statement's `stored` may lie ahead of this LRS's clock: the clocks of
# the LRS that stored it and of this one may disagree by as much.
STORED_CLOCK_SKEW = dt.timedelta(minutes=5)

# Data 2.4.10: "If not provided, the LRS SHOULD set this to 1.0.0" (1.0.3); 2.0 says 2.0.0.
DEFAULT_VERSION = {"1.0.3": "1.0.0", "2.0.0": "2.0.0"}


def format_timestamp(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with millisecond precision and a "Z": ``2024-05-01T12:00:00.123Z``.

    A naive datetime is taken to be UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def enrich(
    statement: Mapping[str, Any],
    *,
    statement_id: str | None,
    stored: dt.datetime,
    authority: Actor | Mapping[str, Any],
    version: str,
) -> Statement:
    """Return a copy of a validated statement with the LRS-assigned properties set.

    * ``id``: kept if present; else ``statement_id`` (PUT's parameter); else a new UUID4
      (XAPI-00026). A statement id differing from ``statement_id`` is a StatementError.
    * ``stored``: always ``stored`` (XAPI-00023, XAPI-00097), millisecond UTC.
    * ``timestamp``: kept if present, else equal to ``stored``.
    * ``authority``: always the credential's authority (Data 2.4.9: the LRS SHOULD* overwrite).
    * ``version``: kept if present (XAPI-00332), else "1.0.0" (1.0.3) or "2.0.0" (2.0).
    """
    out: dict[str, Any] = dict(statement)
    given = out.get("id")
    if given is None:
        out["id"] = statement_id if statement_id is not None else str(uuid.uuid4())
    elif statement_id is not None and given.lower() != statement_id.lower():
        raise StatementError("id", "The statement id does not match the statementId parameter.")
    out["stored"] = format_timestamp(stored)
    out.setdefault("timestamp", out["stored"])
    out["authority"] = dict(authority)
    if "version" not in out:
        out["version"] = DEFAULT_VERSION.get(version, "1.0.0")
    return cast(Statement, out)


def check_restored(statement: Mapping[str, Any], now: dt.datetime) -> None:
    """Refuse a statement restored from an export whose ``stored`` is later than ``now``
    plus :data:`STORED_CLOCK_SKEW`.

    ``stored`` is the instant an LRS stored the statement (XAPI-00023); a restore keeps it,
    but no LRS stored anything in the future. Kept, such a statement would also sit at the
    end of every ``since``/``until`` window for years, ahead of statements stored after
    it. The statement is validated already, so ``stored`` is a timestamp.
    """
    stored = parse_timestamp(str(statement["stored"]))
    if stored > now + STORED_CLOCK_SKEW:
        minutes = int(STORED_CLOCK_SKEW.total_seconds() // 60)
        raise StatementError(
            "stored",
            f"{statement['stored']} is later than this LRS's clock ({format_timestamp(now)}) "
            f"by more than {minutes} minutes; an LRS sets stored when it stores a statement, "
            "so no export holds one from the future",
        )
