"""Backoff after failed sign-ins, shared by every worker through the database.

A subject is a credential key (``key:…``), a dashboard user (``user:…``) or a client
address (``address:…``). Each failure adds one to the subject's count; from the
``allowed``-th failure on, the subject is refused for 1, 2, 4, … seconds (at most
``max_block_seconds``) before anything is checked, with ``429`` and ``Retry-After``.
A subject quiet for ``quiet_seconds`` starts again from zero. Unknown keys and user names
are counted only against the address, so that guessing names cannot fill the table.

The counters live in the database rather than in a rate-limiting library's store:
Flask-Limiter (through ``limits``) shares counts only through Redis, Memcached, MongoDB
or etcd, none of which the LRS runs, and counts requests rather than failed checks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from lrs.errors import TooManyRequests
from lrs.services import passwords
from lrs.store import sign_in as failure_store
from lrs.store.engine import Database

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """How many failures each kind of subject is allowed before it backs off."""

    per_subject: int = 5  # per credential key or dashboard user
    per_address: int = 20  # per client address (many people may share one)
    quiet_seconds: int = 900
    max_block_seconds: int = 900


# The address of callers inside the server's own processes (CLI, scripts, tests).
LOCAL = "local"
DEFAULT_LIMITS = Limits()


def key_subject(key: str) -> str:
    return f"key:{key}"


def user_subject(username: str) -> str:
    return f"user:{username}"


def address_subject(address: str) -> str:
    return f"address:{address}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def refusal(session: Session, subjects: list[str]) -> TooManyRequests | None:
    """The 429 to answer when any of ``subjects`` is backing off now (one indexed read
    inside the caller's transaction), else None."""
    now = _now()
    return refusal_until(failure_store.blocked_until(session, subjects, now), now)


def refusal_until(until: dt.datetime | None, now: dt.datetime) -> TooManyRequests | None:
    """The 429 to answer at ``now`` for a subject refused until ``until`` (None: not
    refused), else None."""
    if until is None or until <= now:
        return None
    return TooManyRequests(
        "too many failed sign-ins; try again later",
        retry_after=math.ceil((until - now).total_seconds()),
    )


def now() -> dt.datetime:
    """The instant backoff is measured at."""
    return _now()


def attempt(
    db: Database,
    limits: Limits,
    *,
    subject: str,
    address: str,
    secret: str,
    lookup: Callable[[Session], tuple[str, T] | None],
) -> T | None:
    """One sign-in of ``subject`` from ``address`` with ``secret``; None when it fails.

    Refused with 429 while the address backs off, or the subject when it exists. Else
    ``lookup`` finds the stored hash and what a success returns; an unknown or disabled
    name (``lookup`` gives None) never reaches bcrypt. Failures are counted.
    """
    counted = {address_subject(address): limits.per_address}
    with db.reading() as session:
        refused = refusal(session, list(counted))
        if refused is not None:
            raise refused
        found = lookup(session)
        refused = refusal(session, [subject]) if found is not None else None
    if refused is not None:  # the name backs off: refused before bcrypt, counted for the address
        record_failure(db, limits, counted)
        raise refused
    if found is None:
        record_failure(db, limits, counted)
        return None
    stored, value = found
    if not passwords.verify(secret, stored):
        record_failure(db, limits, {subject: limits.per_subject, **counted})
        return None
    record_success(db, subject)
    return value


def record_failure(db: Database, limits: Limits, subjects: dict[str, int]) -> None:
    """Count one failure for each subject (subject -> failures allowed), starting backoff
    where the allowance is used up."""
    now = _now()
    with db.writing() as session:
        for subject, allowed in subjects.items():
            row = failure_store.failure(session, subject) or failure_store.add(
                session, subject, now
            )
            if (now - row.last_failed).total_seconds() > limits.quiet_seconds:
                row.failures = 0
            row.failures += 1
            row.last_failed = now
            if row.failures >= allowed:
                seconds = min(2 ** min(row.failures - allowed, 30), limits.max_block_seconds)
                row.blocked_until = now + dt.timedelta(seconds=seconds)
        failure_store.prune(session, now - dt.timedelta(seconds=limits.quiet_seconds), now)


def record_success(db: Database, subject: str) -> None:
    """A correct secret clears the subject's failures (the address keeps its count)."""
    with db.writing() as session:
        failure_store.clear(session, subject)
