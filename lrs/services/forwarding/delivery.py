"""Delivery rounds: claim the due outbox rows, send them per rule in batches, record the
outcome. Failures are retried with exponential backoff; after ``max_attempts`` a
delivery is ``failed`` until replayed."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from lrs.services.forwarding.sender import SendError, send
from lrs.services.sealing import SecretBox
from lrs.store import forwarding as store
from lrs.store.engine import Database

BATCH_SIZE = 50
CLAIM_LIMIT = 200
LEASE = dt.timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed


def backoff(attempts: int, base: float = BACKOFF_BASE_SECONDS) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: base, 2·base, 4·base, ... capped at an hour."""
    return dt.timedelta(seconds=min(BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempts - 1)))


def deliver_due(
    db: Database,
    box: SecretBox,
    *,
    now: dt.datetime | None = None,
    timeout: float = 10.0,
    max_attempts: int = 8,
    backoff_base: float = BACKOFF_BASE_SECONDS,
    limit: int = CLAIM_LIMIT,
) -> DeliveryReport:
    """Claim the due deliveries, send them, record the outcome; what happened.

    Two short transactions (claim, then record) around the HTTP calls, so that no
    database transaction waits on a remote server. ``box`` opens the rules' credentials.
    """
    now = now or dt.datetime.now(dt.UTC)
    token = str(uuid.uuid4())
    with db.writing() as session:
        claimed = store.claim(session, token=token, now=now, lease=LEASE, limit=limit)
        if not claimed:
            return DeliveryReport()
        by_id = {rule.id: rule for rule in store.rules(session)}
        session.expunge_all()
    report = DeliveryReport()
    outcomes: list[tuple[list[Any], str | None, bool]] = []
    by_rule: dict[int, list[store.Claimed]] = {}
    for item in claimed:
        by_rule.setdefault(item.rule_id, []).append(item)
    for rule_id, items in by_rule.items():
        for first in range(0, len(items), BATCH_SIZE):
            batch = items[first : first + BATCH_SIZE]
            try:
                send(by_id[rule_id], batch, timeout, box)
                outcomes.append((batch, None, False))
            except SendError as failure:
                outcomes.append((batch, str(failure), failure.retry))
    with db.writing() as session:
        for batch, problem, retry in outcomes:
            ids = [item.id for item in batch]
            if problem is None:
                store.mark_delivered(session, ids, token, now)
                report.delivered += len(ids)
                continue
            report.errors.append(problem)
            for item in batch:
                attempts = item.attempts + 1
                again = retry and attempts < max_attempts
                store.mark_attempt_failed(
                    session, [item.id], token, error=problem,
                    next_attempt=now + backoff(attempts, backoff_base) if again else None,
                )  # fmt: skip
                if again:
                    report.retried += 1
                else:
                    report.failed += 1
    return report
