"""The transactional outbox: delivery rows written in the ingest transaction, and their
administration (list, get, replay).

Ingest calls ``enqueue`` inside its own transaction: a statement that matches an active
rule gets an outbox row in the same commit, so a stored statement is never lost for
forwarding and a rolled-back one is never forwarded. The active rules are cached per
database for ``RULES_TTL`` seconds (and dropped at once when this process changes them),
so that ingest pays nothing when there are no rules.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Conflict, Forbidden, NotFound
from lrs.services.principal import Principal
from lrs.store import forwarding as store
from lrs.store.engine import Database
from lrs.store.models import ForwardingDelivery

RULES_TTL = 5.0


@dataclass(frozen=True)
class _Rule:
    id: int
    verbs: frozenset[str]
    activity_types: frozenset[str]
    source_kinds: frozenset[str]

    def matches(self, statement: Mapping[str, Any], fact: Mapping[str, Any] | None) -> bool:
        if self.verbs and statement["verb"]["id"] not in self.verbs:
            return False
        if self.activity_types:
            target = statement["object"]
            kind = (fact or {}).get("activity_type") or (target.get("definition") or {}).get("type")
            if kind not in self.activity_types:
                return False
        return not self.source_kinds or (fact or {}).get("source_kind", "other") in (
            self.source_kinds
        )


class ActiveRules:
    """Active rules per engine, for ``RULES_TTL`` seconds.

    Keyed by the session's engine (weakly, so a disposed database leaves nothing
    behind): ingest is handed a session, not the app, and must not read the rules table
    on every statement.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[Any, tuple[float, list[_Rule]]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, session: Session) -> list[_Rule]:
        bind = session.get_bind()
        with self._lock:
            entry = self._entries.get(bind)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        loaded = [
            _Rule(r.id, frozenset(r.verbs), frozenset(r.activity_types), frozenset(r.source_kinds))
            for r in store.rules(session, active_only=True)
        ]
        with self._lock:
            self._entries[bind] = (time.monotonic() + RULES_TTL, loaded)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


active_rules = ActiveRules()


def enqueue(
    session: Session,
    items: Sequence[tuple[int, Mapping[str, Any], Mapping[str, Any] | None]],
    now: dt.datetime,
) -> None:
    """Outbox rows for the (seq, statement, fact) items that match an active rule.

    Runs inside the ingest transaction (``services.statements.write_statements``).
    """
    rules = active_rules.get(session)
    if not rules:
        return
    rows = [
        {
            "rule_id": rule.id,
            "statement_seq": seq,
            "statement_id": statement["id"],
            "created": now,
            "next_attempt": now,
        }
        for seq, statement, fact in items
        for rule in rules
        if rule.matches(statement, fact)
    ]
    store.enqueue(session, rows)


def require_admin(principal: Principal) -> None:
    if not principal.may("all"):
        raise Forbidden("forwarding is administered with a credential of scope all")


def describe_delivery(delivery: ForwardingDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "rule_id": delivery.rule_id,
        "statement_id": delivery.statement_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt": delivery.next_attempt.isoformat(),
        "last_error": delivery.last_error,
        "created": delivery.created.isoformat(),
        "delivered": delivery.delivered.isoformat() if delivery.delivered else None,
    }


def list_deliveries(
    db: Database,
    principal: Principal,
    *,
    status: str | None = None,
    rule_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The newest deliveries, e.g. the failed ones (``status="failed"``)."""
    require_admin(principal)
    if status is not None and status not in store.STATUSES:
        raise BadRequest(f"status must be one of {', '.join(store.STATUSES)}", "status")
    with db.reading() as session:
        found = store.deliveries(session, status=status, rule_id=rule_id, limit=limit)
        return [describe_delivery(d) for d in found]


def replay(db: Database, principal: Principal, delivery_id: int | None = None) -> int:
    """Queue a failed delivery (or every failed one) again, from attempt one."""
    require_admin(principal)
    with db.writing() as session:
        if delivery_id is not None:
            found = store.delivery(session, delivery_id)
            if found is None:
                raise NotFound(f"no delivery with id {delivery_id}")
            if found.status != store.FAILED:
                raise Conflict(f"delivery {delivery_id} is {found.status}, not failed")
        ids = None if delivery_id is None else [delivery_id]
        return store.replay(session, ids, dt.datetime.now(dt.UTC))


def get_delivery(db: Database, principal: Principal, delivery_id: int) -> dict[str, Any]:
    require_admin(principal)
    with db.reading() as session:
        found = store.delivery(session, delivery_id)
        if found is None:
            raise NotFound(f"no delivery with id {delivery_id}")
        return describe_delivery(found)
