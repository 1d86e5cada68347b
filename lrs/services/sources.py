"""Sources the LRS pulls on a schedule: blogs, wikis, other LRSs and course CSVs.

Administration (scope ``all``): add, list, show, pause, resume, remove, and run now. The
scheduler keeps its whole state in the database — next run, claim and lease, cursor,
conditional-GET validators, counts — so it survives restarts and runs in every server
process on every machine: a process claims a due source in one short transaction
(``FOR UPDATE SKIP LOCKED`` plus a lease, as forwarding deliveries are claimed), reads
and stores it with no transaction open during HTTP calls, and records the outcome only
while it still holds the claim. A job library would add a second store to keep in step
(APScheduler's SQLAlchemy job store does not stop two processes running one job) or a
broker (Celery, RQ); the claim needs only the database every process already shares.

A run that fails (the source is unreachable, slow, answers garbage) is recorded with its
error and retried after a wait that doubles with each failure in a row (``backoff``);
statements it stored before failing stay stored, and its cursor is the last chunk stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lrs.errors import BadRequest, Conflict, Forbidden, LRSError, NotFound
from lrs.services import imports
from lrs.services.polling import PollingWorker
from lrs.services.principal import Principal
from lrs.services.pulls import Http, PullError, SourceConfig, pull
from lrs.services.sealing import SecretBox
from lrs.store import pulled_sources as store
from lrs.store.engine import Database
from lrs.store.models import PulledSource
from statements.sources import SourceError

log = logging.getLogger(__name__)

KINDS = ("blog", "wiki", "lrs", "courses")
DEFAULT_EVERY = 15 * 60
MIN_EVERY = 60
MAX_EVERY = 7 * 24 * 3600
MAX_BACKOFF = dt.timedelta(days=1)
LEASE = dt.timedelta(minutes=30)
OPTION_NAMES = ("base_url", "encoding", "xapi_version", "verb", "activity", "agent",
                "registration", "related_activities", "related_agents")  # fmt: skip
_EVERY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str | int) -> int:
    """Seconds of an interval such as ``15m``, ``1h``, ``2d`` or ``900``."""
    match = _EVERY.match(str(text))
    if match is None:
        raise BadRequest("every is a number of seconds or 30s, 15m, 1h, 1d", "every")
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise BadRequest(f"every must be between {MIN_EVERY} s and 7 days", "every")
    return seconds


def backoff(every_seconds: int, failures: int) -> dt.timedelta:
    """Wait after ``failures`` failed runs in a row: the interval, doubled per failure
    (from the second on), at most a day — and never less than the interval."""
    doubled = every_seconds * 2 ** max(0, min(failures - 1, 16))
    return max(dt.timedelta(seconds=every_seconds), min(dt.timedelta(seconds=doubled),
                                                          MAX_BACKOFF))  # fmt: skip


# --- administration ------------------------------------------------------------------------


def _require_admin(principal: Principal) -> None:
    if not principal.may("all"):
        raise Forbidden("sources are administered with a credential of scope all")


def describe(source: PulledSource) -> dict[str, Any]:
    """A source as the API, the CLI and the dashboards show it: never its password."""

    def moment(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": source.id,
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "every_seconds": source.every_seconds,
        "mapping": source.mapping,
        "username": source.username,
        "has_password": bool(source.password),
        "options": dict(source.options),
        "active": source.active,
        "running": source.claim is not None,
        "next_run": moment(source.next_run),
        "last_started": moment(source.last_started),
        "last_finished": moment(source.last_finished),
        "last_status": source.last_status,
        "last_error": source.last_error,
        "failures": source.failures,
        "last_run": {
            "read": source.last_read,
            "stored": source.last_stored,
            "skipped": source.last_skipped,
            "rejected": source.last_rejected,
        },
        "totals": {
            "stored": source.total_stored,
            "skipped": source.total_skipped,
            "rejected": source.total_rejected,
        },
        "created": moment(source.created),
    }


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind")
    if kind not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}", "kind")
    name = values.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise BadRequest("a source needs a name of 1 to 128 characters", "name")
    url = values.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("url must be an absolute http(s) URL", "url")
    options = {k: v for k, v in (values.get("options") or {}).items() if v not in (None, "")}
    unknown = set(options) - set(OPTION_NAMES)
    if unknown:
        raise BadRequest(f"unknown option(s): {', '.join(sorted(unknown))}", "options")
    if options.get("xapi_version", "1.0.3") not in ("1.0.3", "2.0.0"):
        raise BadRequest("xapi_version must be 1.0.3 or 2.0.0", "options.xapi_version")
    if any(not isinstance(v, str) for v in options.values()):
        raise BadRequest("options are strings", "options")
    if bool(values.get("username")) != bool(values.get("password")):
        raise BadRequest("a credential needs both a username and a password", "username")
    mapping = values.get("mapping") or None
    if mapping is not None and not isinstance(mapping, str):
        raise BadRequest("mapping is the location (path or URL) of an account mapping")
    return {
        "name": name.strip(),
        "kind": kind,
        "url": url,
        "every_seconds": parse_every(values.get("every", DEFAULT_EVERY)),
        "mapping": mapping,
        "username": values.get("username") or None,
        "password": values.get("password") or None,
        "options": options,
        "active": bool(values.get("active", True)),
    }


def add_source(
    db: Database, principal: Principal, values: Mapping[str, Any], *, box: SecretBox
) -> dict[str, Any]:
    """Add a source; its first run is due at once. Its password is stored sealed."""
    _require_admin(principal)
    fields = _fields(values)
    fields["password"] = box.seal(fields["password"], "password")
    if fields["mapping"]:
        imports.load_identities(fields["mapping"])  # a mapping that cannot be read is a 400
    now = dt.datetime.now(dt.UTC)
    with db.writing() as session:
        if store.by_name(session, fields["name"]) is not None:
            raise Conflict(f"a source named {fields['name']!r} exists already", "name")
        return describe(store.add(session, **fields, next_run=now, created=now))


def _find(session: Any, ref: int | str) -> PulledSource:
    found = store.by_id(session, ref) if isinstance(ref, int) else store.by_name(session, ref)
    if found is None and isinstance(ref, str) and ref.isdigit():
        found = store.by_id(session, int(ref))
    if found is None:
        raise NotFound(f"no source {ref!r}")
    return found


def list_sources(db: Database, principal: Principal) -> list[dict[str, Any]]:
    _require_admin(principal)
    with db.reading() as session:
        return [describe(source) for source in store.listing(session)]


def get_source(db: Database, principal: Principal, ref: int | str) -> dict[str, Any]:
    _require_admin(principal)
    with db.reading() as session:
        return describe(_find(session, ref))


def set_active(db: Database, principal: Principal, ref: int | str, active: bool) -> dict[str, Any]:
    """Pause or resume a source; a resumed source runs at once."""
    _require_admin(principal)
    with db.writing() as session:
        source = _find(session, ref)
        if active and not source.active:
            source.next_run = dt.datetime.now(dt.UTC)
        source.active = active
        session.flush()
        return describe(source)


def run_soon(db: Database, principal: Principal, ref: int | str) -> dict[str, Any]:
    """Make a source due now: the next worker round runs it (a paused one stays paused)."""
    _require_admin(principal)
    with db.writing() as session:
        source = _find(session, ref)
        source.next_run = dt.datetime.now(dt.UTC)
        session.flush()
        return describe(source)


def remove_source(db: Database, principal: Principal, ref: int | str) -> None:
    """Remove a source (the statements it stored stay)."""
    _require_admin(principal)
    with db.writing() as session:
        store.remove(session, _find(session, ref))


def rotate_key(db: Database, principal: Principal, *, box: SecretBox) -> int:
    """Encrypt every stored source password again under the first key of ``box``; how
    many were re-encrypted. One transaction: all or none."""
    _require_admin(principal)
    rotated = 0
    with db.writing() as session:
        for source in store.listing(session):
            if source.password is None:
                continue
            try:
                source.password = box.reseal(source.password)
            except ValueError:
                raise BadRequest(
                    f"the password of source {source.id} ({source.name!r}) cannot be decrypted "
                    "with any key of LRS_FORWARDING_KEY; keep its old key in the list",
                    "password",
                ) from None
            rotated += 1
    return rotated


# --- running -------------------------------------------------------------------------------


@dataclass
class RunReport:
    """What one run of one source did."""

    source: str
    status: str  # ok | error | busy
    read: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: int = 0
    error: str | None = None
    rejections: list[imports.Rejection] | None = None


def run_source(
    db: Database,
    principal: Principal,
    ref: int | str,
    *,
    box: SecretBox,
    home_page: str,
    timeout: float,
    now: dt.datetime | None = None,
) -> RunReport:
    """Run one source now (paused or not), unless another process is running it."""
    _require_admin(principal)
    with db.reading() as session:
        source_id = _find(session, ref).id
    token = str(uuid.uuid4())
    now = now or dt.datetime.now(dt.UTC)
    with db.writing() as session:
        claimed = store.claim(session, token=token, now=now, lease=LEASE, source_id=source_id)
        snapshots = [_Snapshot.of(source) for source in claimed]
    if not snapshots:
        return RunReport(str(ref), "busy", error="another process is running this source")
    return _run(db, snapshots[0], token, now, box=box, home_page=home_page, timeout=timeout)


def run_due(
    db: Database,
    *,
    box: SecretBox,
    home_page: str,
    timeout: float,
    limit: int = 10,
    now: dt.datetime | None = None,
) -> list[RunReport]:
    """Claim due sources one at a time (up to ``limit``) and run them."""
    reports = []
    for _ in range(limit):
        token = str(uuid.uuid4())
        started = now or dt.datetime.now(dt.UTC)
        with db.writing() as session:
            claimed = store.claim(session, token=token, now=started, lease=LEASE)
            snapshots = [_Snapshot.of(source) for source in claimed]
        if not snapshots:
            break
        reports.append(
            _run(db, snapshots[0], token, started, box=box, home_page=home_page, timeout=timeout)
        )
    return reports


@dataclass(frozen=True)
class _Snapshot:
    """What a run reads of its source row (the row itself stays in the database)."""

    id: int
    name: str
    kind: str
    url: str
    every_seconds: int
    mapping: str | None
    username: str | None
    password: str | None
    options: dict[str, Any]
    state: dict[str, Any]
    failures: int

    @classmethod
    def of(cls, source: PulledSource) -> _Snapshot:
        return cls(
            source.id, source.name, source.kind, source.url, source.every_seconds,
            source.mapping, source.username, source.password, dict(source.options),
            dict(source.state), source.failures,
        )  # fmt: skip


def _run(
    db: Database,
    source: _Snapshot,
    token: str,
    started: dt.datetime,
    *,
    box: SecretBox,
    home_page: str,
    timeout: float,
) -> RunReport:
    summary = imports.ImportSummary(source=source.name)
    state = source.state
    error: str | None = None
    try:
        password = _open_password(box, source)
        config = SourceConfig(
            kind=source.kind,
            url=source.url,
            identities=imports.load_identities(source.mapping),
            username=source.username,
            password=password,
            options=source.options,
        )
        principal = imports.importer_principal(db, home_page)
        version = str(source.options.get("xapi_version") or "1.0.3")
        http = Http(timeout=timeout, username=source.username, password=password)
        for chunk in pull(config, state, http):
            imports.store_items(db, chunk.items, principal, summary, xapi_version=version)
            state = chunk.state
    except (PullError, SourceError, LRSError) as failure:
        error = getattr(failure, "message", None) or str(failure)
    except Exception as failure:  # a run must record its failure, whatever it was
        log.exception("source %s: run failed", source.name)
        error = f"unexpected error: {failure.__class__.__name__}: {failure}"
    report = RunReport(
        source.name, "error" if error else "ok", summary.read, summary.stored,
        summary.skipped, len(summary.rejected), error, summary.rejected,
    )  # fmt: skip
    _record(db, source, token, started, state, report)
    return report


def _open_password(box: SecretBox, source: _Snapshot) -> str | None:
    try:
        return box.open(source.password) if source.password is not None else None
    except ValueError:
        raise PullError(
            "its password cannot be decrypted with any key of LRS_FORWARDING_KEY"
        ) from None


def _record(
    db: Database,
    source: _Snapshot,
    token: str,
    started: dt.datetime,
    state: dict[str, Any],
    report: RunReport,
) -> None:
    """Keep the outcome, while the claim is still ours (else another run took over).
    The next run is due an interval (or the backoff) after this one started."""
    now = max(dt.datetime.now(dt.UTC), started)
    with db.writing() as session:
        row = store.held(session, source.id, token)
        if row is None:
            return
        failures = row.failures + 1 if report.error else 0
        wait = (
            backoff(row.every_seconds, failures)
            if failures
            else dt.timedelta(seconds=row.every_seconds)
        )
        row.state = state
        row.failures = failures
        row.next_run = started + wait
        row.claim, row.claimed_until = None, None
        row.last_finished = now
        row.last_status = report.status
        row.last_error = report.error[:2000] if report.error else None
        row.last_read, row.last_stored = report.read, report.stored
        row.last_skipped, row.last_rejected = report.skipped, report.rejected
        row.total_stored += report.stored
        row.total_skipped += report.skipped
        row.total_rejected += report.rejected


# --- the worker ----------------------------------------------------------------------------


class Worker(PollingWorker):
    """Runs due sources every ``poll_seconds`` (at once again while some were due). The
    app factory starts one per app and keeps it with the app's context."""

    def __init__(
        self, db: Database, box: SecretBox, *, poll_seconds: float, timeout: float,
        home_page: str,
    ) -> None:  # fmt: skip
        def pull_due(database: Database) -> bool:
            return bool(run_due(database, box=box, home_page=home_page, timeout=timeout))

        super().__init__("lrs-sources", db, pull_due, poll_seconds=poll_seconds)
