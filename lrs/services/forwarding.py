"""Statement forwarding: rules, the transactional outbox and its delivery worker.

Ingest calls ``enqueue`` inside its own transaction: a statement that matches an active
rule gets an outbox row in the same commit, so a stored statement is never lost for
forwarding and a rolled-back one is never forwarded. The active rules are cached per
database for ``RULES_TTL`` seconds (and dropped at once when this process changes them),
so that ingest pays nothing when there are no rules.

Delivery runs outside requests: ``deliver_due`` claims due rows (one short transaction),
sends them per rule in batches — a JSON array POSTed to another xAPI LRS's statements
resource with Basic auth and the version header, or to a webhook with an HMAC-SHA256
signature — and records the outcome (a second transaction). Failures are retried with
exponential backoff; after ``max_attempts`` a delivery is ``failed`` until replayed.
``Worker`` runs ``deliver_due`` in a daemon thread, one per process and database.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from sqlalchemy.orm import Session

from lrs.errors import BadRequest, Conflict, Forbidden, NotFound
from lrs.services.principal import Principal
from lrs.store import forwarding as store
from lrs.store.engine import Database
from lrs.store.models import ForwardingDelivery, ForwardingRule

log = logging.getLogger(__name__)

KINDS = ("xapi", "webhook")
SOURCE_KINDS = ("formal", "informal", "other")
XAPI_VERSIONS = ("1.0.3", "2.0.0")
RULES_TTL = 5.0
BATCH_SIZE = 50
CLAIM_LIMIT = 200
LEASE = dt.timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0
SIGNATURE_HEADER = "X-LRS-Signature"
TIMESTAMP_HEADER = "X-LRS-Timestamp"
# Statuses that are worth another try: the target is down, overloaded or slow.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


# --- rules ---------------------------------------------------------------------------------


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


class _RuleCache:
    """Active rules per engine, for ``RULES_TTL`` seconds."""

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


_rules = _RuleCache()


def enqueue(
    session: Session,
    items: Sequence[tuple[int, Mapping[str, Any], Mapping[str, Any] | None]],
    now: dt.datetime,
) -> None:
    """Outbox rows for the (seq, statement, fact) items that match an active rule.

    Runs inside the ingest transaction (``services.statements.write_statements``).
    """
    rules = _rules.get(session)
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


def _require_admin(principal: Principal) -> None:
    if not principal.may("all"):
        raise Forbidden("forwarding is administered with a credential of scope all")


def _check_rule(fields: Mapping[str, Any]) -> None:
    if fields["kind"] not in KINDS:
        raise BadRequest("kind must be xapi or webhook", "kind")
    url = urlsplit(fields["url"])
    if url.scheme not in ("http", "https") or not url.netloc:
        raise BadRequest("url must be an absolute http(s) URL", "url")
    if fields["kind"] == "webhook" and not fields.get("secret"):
        raise BadRequest("a webhook needs a secret to sign its deliveries", "secret")
    if fields["kind"] == "xapi" and not (fields.get("username") and fields.get("password")):
        raise BadRequest("an xAPI target needs a username and a password", "username")
    if fields["xapi_version"] not in XAPI_VERSIONS:
        raise BadRequest("xapi_version must be 1.0.3 or 2.0.0", "xapi_version")
    unknown = set(fields["source_kinds"]) - set(SOURCE_KINDS)
    if unknown:
        raise BadRequest("source_kinds may hold formal, informal and other", "source_kinds")
    if not fields["name"]:
        raise BadRequest("a rule needs a name", "name")


def describe_rule(rule: ForwardingRule) -> dict[str, Any]:
    """A rule as the API and the CLI show it: never its password or secret."""
    return {
        "id": rule.id,
        "name": rule.name,
        "kind": rule.kind,
        "url": rule.url,
        "username": rule.username,
        "xapi_version": rule.xapi_version,
        "verbs": list(rule.verbs),
        "activity_types": list(rule.activity_types),
        "source_kinds": list(rule.source_kinds),
        "active": rule.active,
        "has_password": bool(rule.password),
        "has_secret": bool(rule.secret),
        "created": rule.created.isoformat(),
    }


RULE_FIELDS = (
    "name", "kind", "url", "username", "password", "secret", "xapi_version",
    "verbs", "activity_types", "source_kinds", "active",
)  # fmt: skip


def _rule_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "username": None, "password": None, "secret": None, "xapi_version": "2.0.0",
        "verbs": [], "activity_types": [], "source_kinds": [], "active": True,
    }  # fmt: skip
    fields.update({k: v for k, v in values.items() if k in RULE_FIELDS})
    for name in ("name", "kind", "url"):
        if not isinstance(fields.get(name), str):
            raise BadRequest(f"{name} is required", name)
    _check_rule(fields)
    return fields


def create_rule(db: Database, principal: Principal, values: Mapping[str, Any]) -> dict[str, Any]:
    _require_admin(principal)
    fields = _rule_fields(values)
    with db.writing() as session:
        if store.rule_by_name(session, fields["name"]) is not None:
            raise Conflict(f"a forwarding rule named {fields['name']!r} exists already", "name")
        created = describe_rule(store.add_rule(session, **fields, created=dt.datetime.now(dt.UTC)))
    _rules.clear()
    return created


def update_rule(
    db: Database, principal: Principal, rule_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Change some fields of a rule (those given); secrets are kept unless given."""
    _require_admin(principal)
    with db.writing() as session:
        rule = _rule(session, rule_id)
        current = {name: getattr(rule, name) for name in RULE_FIELDS}
        fields = _rule_fields({**current, **values})
        clash = store.rule_by_name(session, fields["name"])
        if clash is not None and clash.id != rule_id:
            raise Conflict(f"a forwarding rule named {fields['name']!r} exists already", "name")
        for name, value in fields.items():
            setattr(rule, name, value)
        session.flush()
        updated = describe_rule(rule)
    _rules.clear()
    return updated


def _rule(session: Session, rule_id: int) -> ForwardingRule:
    rule = store.rule(session, rule_id)
    if rule is None:
        raise NotFound(f"no forwarding rule with id {rule_id}")
    return rule


def get_rule(db: Database, principal: Principal, rule_id: int) -> dict[str, Any]:
    _require_admin(principal)
    with db.reading() as session:
        return describe_rule(_rule(session, rule_id))


def list_rules(db: Database, principal: Principal) -> list[dict[str, Any]]:
    _require_admin(principal)
    with db.reading() as session:
        return [describe_rule(rule) for rule in store.rules(session)]


def remove_rule(db: Database, principal: Principal, rule_id: int) -> None:
    """Remove a rule and its deliveries."""
    _require_admin(principal)
    with db.writing() as session:
        _rule(session, rule_id)
        store.remove_rule(session, rule_id)
    _rules.clear()


# --- deliveries ----------------------------------------------------------------------------


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
    _require_admin(principal)
    if status is not None and status not in store.STATUSES:
        raise BadRequest(f"status must be one of {', '.join(store.STATUSES)}", "status")
    with db.reading() as session:
        found = store.deliveries(session, status=status, rule_id=rule_id, limit=limit)
        return [describe_delivery(d) for d in found]


def replay(db: Database, principal: Principal, delivery_id: int | None = None) -> int:
    """Queue a failed delivery (or every failed one) again, from attempt one."""
    _require_admin(principal)
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
    _require_admin(principal)
    with db.reading() as session:
        found = store.delivery(session, delivery_id)
        if found is None:
            raise NotFound(f"no delivery with id {delivery_id}")
        return describe_delivery(found)


# --- sending -------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body): what a webhook
    receiver recomputes (and compares in constant time) to trust a delivery."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed


class _SendError(Exception):
    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def backoff(attempts: int, base: float = BACKOFF_BASE_SECONDS) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: base, 2·base, 4·base, ... capped at an hour."""
    return dt.timedelta(seconds=min(BACKOFF_CAP_SECONDS, base * 2 ** max(0, attempts - 1)))


def deliver_due(
    db: Database,
    *,
    now: dt.datetime | None = None,
    timeout: float = 10.0,
    max_attempts: int = 8,
    backoff_base: float = BACKOFF_BASE_SECONDS,
    limit: int = CLAIM_LIMIT,
) -> DeliveryReport:
    """Claim the due deliveries, send them, record the outcome; what happened.

    Two short transactions (claim, then record) around the HTTP calls, so that no
    database transaction waits on a remote server.
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
                _send(by_id[rule_id], batch, timeout)
                outcomes.append((batch, None, False))
            except _SendError as failure:
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


def _send(rule: ForwardingRule, batch: Sequence[store.Claimed], timeout: float) -> None:
    body = ("[" + ",".join(item.payload for item in batch) + "]").encode()
    headers = {"Content-Type": "application/json", "User-Agent": "lrs-forwarding/1"}
    url = rule.url
    if rule.kind == "xapi":
        url = urljoin(url if url.endswith("/") else url + "/", "statements")
        token = base64.b64encode(f"{rule.username}:{rule.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
        headers["X-Experience-API-Version"] = rule.xapi_version
    else:
        stamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = stamp
        headers[SIGNATURE_HEADER] = sign(rule.secret or "", stamp, body)
        headers["X-LRS-Rule"] = rule.name
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        retry = error.code >= 500 or error.code in RETRYABLE_STATUSES
        raise _SendError(f"{url} answered {error.code} {error.reason}", retry=retry) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise _SendError(f"{url} could not be reached: {reason}", retry=True) from None


# --- the worker ------------------------------------------------------------------------------


class Worker:
    """A daemon thread that runs ``deliver_due`` every ``poll_seconds`` (at once again
    while there is work). It holds its database weakly and stops when it is gone."""

    def __init__(
        self, db: Database, *, poll_seconds: float, timeout: float, max_attempts: int
    ) -> None:
        self._db = weakref.ref(db)
        self._poll = poll_seconds
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lrs-forwarding", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._poll):
            db = self._db()
            if db is None:
                return
            try:
                while deliver_due(
                    db, timeout=self._timeout, max_attempts=self._max_attempts
                ).attempted:
                    if self._stop.is_set():
                        return
            except Exception:  # the worker must survive a database or network hiccup
                log.exception("forwarding worker: delivery round failed")
            del db


_workers: weakref.WeakKeyDictionary[Database, Worker] = weakref.WeakKeyDictionary()
_workers_lock = threading.Lock()


def start_worker(db: Database, *, poll_seconds: float, timeout: float, max_attempts: int) -> Worker:
    """The forwarding worker of ``db`` in this process, started once."""
    with _workers_lock:
        worker = _workers.get(db)
        if worker is None:
            worker = Worker(
                db, poll_seconds=poll_seconds, timeout=timeout, max_attempts=max_attempts
            )
            _workers[db] = worker
            worker.start()
        return worker
