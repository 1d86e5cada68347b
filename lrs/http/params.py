"""Query parameters: unknown names refused (xAPI-Communication 3.2), booleans, UUIDs and
counts read from text, and the statement filters read once for every resource that takes
them (timestamps are read by ``lrs.services.statement_filters.timestamp``, which the
command line shares)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from lrs.errors import BadRequest
from lrs.http.context import settings
from lrs.http.json import parse_json
from lrs.services.statement_filters import StatementFilters, timestamp

# The largest integer a parameter may carry: what a BIGINT column holds.
MAX_INTEGER = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")


class RowId(IntegerConverter):
    """The ``<int:...>`` part of a URL (a rule, source, delivery or merge id): a number
    larger than a BIGINT column holds names no row, so it is 404 for every method of the
    route, instead of the database driver failing to bind it (a 500 on both databases)."""

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_INTEGER:
            raise NotFound(f"no row has the id {value[:40]}")
        return number


def reject_unknown(params: Iterable[str], allowed: Iterable[str]) -> None:
    """xAPI-Communication 3.2: parameters the LRS does not recognise are a 400."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadRequest(f"unexpected parameter(s): {', '.join(unknown)}", unknown[0])


def boolean(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value in ("true", "false"):
        return value == "true"
    raise BadRequest(f"{name} must be true or false", name)


def uuid_value(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadRequest(f"{name} must be a UUID", name) from None


def non_negative(value: str | None, name: str, maximum: int = MAX_INTEGER) -> int | None:
    """A whole number written in ASCII digits, at most ``maximum``; 400 otherwise (Python's
    ``int`` would also take "²", "٣" or " 7 ")."""
    if value is None:
        return None
    if not _DIGITS.fullmatch(value):
        raise BadRequest(
            f"{name} must be a non-negative integer written in the digits 0-9, not {value[:40]!r}",
            name,
        )
    number = int(value[:40])
    if len(value) > 40 or number > maximum:
        raise BadRequest(f"{name} must be at most {maximum}", name)
    return number


def statement_filters(args: Mapping[str, str], *, ascending: bool = False) -> StatementFilters:
    """The statement filters among ``args``; ``ascending`` when the parameter is absent."""
    agent = None
    if "agent" in args:
        agent = parse_json(
            args["agent"], "the agent parameter", settings().max_json_depth, path="agent"
        )
    return StatementFilters(
        agent=agent,
        verb=args.get("verb"),
        activity=args.get("activity"),
        registration=uuid_value(args.get("registration"), "registration"),
        related_activities=boolean(args.get("related_activities"), "related_activities"),
        related_agents=boolean(args.get("related_agents"), "related_agents"),
        since=timestamp(args.get("since"), "since"),
        until=timestamp(args.get("until"), "until"),
        ascending=boolean(args["ascending"], "ascending") if "ascending" in args else ascending,
    )
