"""Importing outside sources (blogs, wikis, course records, NDJSON statements) into the store.

The use case behind ``lrs import`` and ``lrs demo``: read the source (a file, or an http(s)
URL fetched here with a timeout — never in ``statements/``), let its importer turn it into
statements, and store them in batches through :func:`lrs.services.statements.store_statements`
with the importer's own credential. Each batch is one transaction, so a failure never loses
what was stored before it; after each batch the source's position is saved so that the next
run resumes there. Statements already stored (same id, same content) are counted as skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lrs.errors import BadRequest, LRSError
from lrs.services import credentials, exports, users
from lrs.services.principal import Principal
from lrs.services.statements import store_statements
from lrs.store import imports as import_store
from lrs.store import statements as statement_store
from lrs.store.engine import Database
from statements import StatementError, same_statement
from statements.sources import (
    NDJSON,
    SOURCES,
    Identities,
    Item,
    ReadOptions,
    Source,
    SourceError,
    demo,
)

IMPORTER_NAME = "importer"
FETCH_TIMEOUT_SECONDS = 30.0
# Most bytes read from a URL: a larger answer is refused, not read to the end.
MAX_FETCH_BYTES = 512 * 1024 * 1024
DEFAULT_BATCH_SIZE = 500
KINDS = (*SOURCES, "statements")
_INDEXED_PATH = re.compile(r"^\[(\d+)\]\.?(.*)$")

Progress = Callable[[int], object]


@dataclass(frozen=True)
class Rejection:
    """A source record that was not stored: where it is in the source, and why."""

    where: str
    reason: str


@dataclass
class ImportSummary:
    """What one import did: records read, statements stored, skipped and rejected."""

    source: str
    read: int = 0
    stored: int = 0
    skipped: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    position: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or bool(self.rejected)

    def add(self, other: ImportSummary) -> None:
        self.read += other.read
        self.stored += other.stored
        self.skipped += other.skipped
        self.rejected += other.rejected
        self.error = self.error or other.error


def source_of(kind: str) -> Source:
    if kind == "statements":
        return NDJSON
    try:
        return SOURCES[kind]
    except KeyError:
        raise BadRequest(f"unknown source kind {kind!r} (known: {', '.join(KINDS)})") from None


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def fetch(location: str, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> bytes:
    """The bytes at ``location``: an http(s) URL (with a timeout) or a file path."""
    if is_url(location):
        request = urllib.request.Request(location, headers={"User-Agent": "lrs-importer/1"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body: bytes = response.read(MAX_FETCH_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise BadRequest(f"cannot fetch {location}: {reason}") from None
        if len(body) > MAX_FETCH_BYTES:
            raise BadRequest(f"{location} answered more than {MAX_FETCH_BYTES} bytes")
        return body
    try:
        with open(location, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise BadRequest(f"cannot read {location}: {error.strerror or error}") from None


def load_identities(location: str | None) -> Identities:
    """The account mapping in a CSV or JSON file; an empty mapping when none is given."""
    if not location:
        return Identities()
    try:
        return Identities.load(fetch(location), os.path.basename(location))
    except SourceError as error:
        raise BadRequest(f"account mapping: {error}") from None


def importer_principal(db: Database, home_page: str) -> Principal:
    """The dedicated credential every import stores with: it writes statements and, as
    the sources are the authority on their own activities and people, defines them."""
    return credentials.internal_principal(
        db, name=IMPORTER_NAME, scopes=["statements/write", "define"], home_page=home_page
    )


def import_source(
    db: Database,
    kind: str,
    location: str,
    *,
    home_page: str,
    mapping: str | None = None,
    base_url: str | None = None,
    encoding: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    restart: bool = False,
    xapi_version: str = "1.0.3",
    progress: Progress | None = None,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> ImportSummary:
    """Import one source file or URL; resumes after the position of the previous run."""
    source = source_of(kind)
    identities = load_identities(mapping)
    data = fetch(location, timeout=timeout)
    if kind == "statements" and exports.is_export(data):
        return _import_export(db, location, data, batch_size=batch_size, progress=progress)
    cursor_key = f"{kind}:{location if is_url(location) else os.path.abspath(location)}"
    with db.writing() as session:
        if restart:
            import_store.forget(session, cursor_key)
        after = import_store.position(session, cursor_key)
    options = ReadOptions(identities=identities, base_url=base_url, encoding=encoding, after=after)
    summary = ImportSummary(source=location, position=after)
    principal = importer_principal(db, home_page)
    try:
        items = source.read(data, options)
        store_items(
            db, items, principal, summary,
            batch_size=batch_size, cursor_key=cursor_key, progress=progress,
            xapi_version=xapi_version,
        )  # fmt: skip
    except SourceError as error:
        summary.error = str(error)
    return summary


def _import_export(
    db: Database, location: str, data: bytes, *, batch_size: int, progress: Progress | None
) -> ImportSummary:
    # An NDJSON export of ours goes in losslessly: same ids, stored, authority and voided
    # state (lrs.services.exports). Ids already present are skipped, so no cursor is kept.
    summary = ImportSummary(source=location)
    try:
        result = exports.import_statements(
            db, io.BytesIO(data), batch_size=batch_size, progress=progress
        )
    except LRSError as error:
        summary.error = error.message
        return summary
    summary.read = result.imported + result.skipped + len(result.rejected)
    summary.stored, summary.skipped = result.imported, result.skipped
    summary.rejected = [Rejection(f"line {number}", reason) for number, reason in result.rejected]
    return summary


def store_items(
    db: Database,
    items: Iterable[Item],
    principal: Principal,
    summary: ImportSummary,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    cursor_key: str | None = None,
    progress: Progress | None = None,
    xapi_version: str = "1.0.3",
) -> ImportSummary:
    """Store importer items in batches of ``batch_size``; rejections are collected."""
    batch: list[Item] = []
    last_position: str | None = None

    def flush() -> None:
        if batch:
            _store_batch(db, batch, principal, summary, xapi_version)
            batch.clear()
        if cursor_key is not None and last_position and last_position != summary.position:
            with db.writing() as session:
                import_store.save_position(
                    session, cursor_key, last_position, dt.datetime.now(dt.UTC)
                )
            summary.position = last_position

    try:
        for item in items:
            summary.read += 1
            if progress is not None:
                progress(1)
            if item.statement is None:
                summary.rejected.append(Rejection(item.where, item.problem or "rejected"))
            else:
                batch.append(item)
            last_position = item.position or last_position
            if len(batch) >= batch_size:
                flush()
    finally:
        # Whatever was read before a source error is still stored (and its position kept).
        flush()
    return summary


def _version_of(statement: dict[str, Any], default: str) -> str:
    declared = statement.get("version")
    return "2.0.0" if isinstance(declared, str) and declared.startswith("2.") else default


def _store_batch(
    db: Database,
    batch: Sequence[Item],
    principal: Principal,
    summary: ImportSummary,
    xapi_version: str,
) -> None:
    fresh: list[Item] = []
    seen: set[str] = set()
    ids = [str(item.statement["id"]).lower() for item in batch if item.statement and _has_id(item)]
    with db.reading() as session:
        stored = statement_store.existing(session, ids)
    for item in batch:
        assert item.statement is not None
        key = str(item.statement.get("id", "")).lower() if _has_id(item) else ""
        if key and key in seen:
            summary.skipped += 1
            continue
        if key and key in stored:
            if same_statement(stored[key], item.statement):
                summary.skipped += 1
            else:
                summary.rejected.append(
                    Rejection(
                        item.where,
                        f"a different statement with id {key} is stored already "
                        "(did the source or the account mapping change?)",
                    )
                )
            continue
        seen.add(key)
        fresh.append(item)
    by_version: dict[str, list[Item]] = {}
    for item in fresh:
        assert item.statement is not None
        by_version.setdefault(_version_of(item.statement, xapi_version), []).append(item)
    for version, items in by_version.items():
        _store_with_rejections(db, items, principal, summary, version)


def _has_id(item: Item) -> bool:
    return item.statement is not None and isinstance(item.statement.get("id"), str)


def _store_with_rejections(
    db: Database, items: list[Item], principal: Principal, summary: ImportSummary, version: str
) -> None:
    """Store ``items``; a statement the LRS refuses is rejected and the rest stored."""
    while items:
        try:
            store_statements(
                db, [item.statement for item in items], version=version, principal=principal
            )
        except (StatementError, LRSError) as error:
            message = error.message
            path = error.path
            match = _INDEXED_PATH.match(path)
            if match is None and len(items) > 1:
                # The error does not say which statement: find it one by one.
                for item in items:
                    _store_with_rejections(db, [item], principal, summary, version)
                return
            index = int(match.group(1)) if match else 0
            detail = match.group(2) if match else path
            reason = f"{detail}: {message}" if detail else message
            summary.rejected.append(Rejection(items[index].where, reason))
            items = items[:index] + items[index + 1 :]
            continue
        summary.stored += len(items)
        return


# --- the demo organisation ----------------------------------------------------------------

DEMO_KEY = "demo"
DEMO_SECRET = "demo-secret"
DEMO_LOGIN = ("demo", "demo-demo")  # dashboard passwords have 8 characters at least


@dataclass
class DemoResult:
    """What ``load_demo`` did: whether it filled the store, and how much it stored."""

    filled: bool
    statements: int
    summary: ImportSummary
    seconds: float


def load_demo(
    db: Database,
    *,
    people: int,
    days: int,
    seed: int,
    end: dt.date | None = None,
    home_page: str,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> DemoResult:
    """Fill an empty store with the demo organisation, through the importers.

    A store that holds statements already is left alone (so running it twice is harmless).
    """
    started = time.perf_counter()
    with db.reading() as session:
        count = import_store.statement_count(session)
    summary = ImportSummary(source="demo")
    if count:
        return DemoResult(False, count, summary, 0.0)
    org = demo.generate(people=people, days=days, seed=seed, end=end)
    principal = importer_principal(db, home_page)
    identities = org.identities()
    for kind, label, data, base_url in org.sources():
        part = ImportSummary(source=label)
        items = SOURCES[kind].read(data, ReadOptions(identities=identities, base_url=base_url))
        store_items(db, items, principal, part, batch_size=batch_size, progress=progress)
        summary.add(part)
    direct = (
        Item(f"demo interaction {number}", "", statement)
        for number, statement in enumerate(org.interactions, start=1)
    )
    store_items(db, direct, principal, summary, batch_size=batch_size, progress=progress)
    return DemoResult(True, summary.stored, summary, time.perf_counter() - started)


def demo_credential(db: Database, *, home_page: str, create: bool) -> tuple[str, str] | None:
    """The demo's xAPI key and secret (scope all); created when ``create`` and missing."""
    if any(principal.key == DEMO_KEY for principal, _, _ in credentials.listing(db)):
        return DEMO_KEY, DEMO_SECRET
    if not create:
        return None
    credentials.create(
        db, name="demo", scopes=["all"], home_page=home_page, key=DEMO_KEY, secret=DEMO_SECRET
    )
    return DEMO_KEY, DEMO_SECRET


def demo_login(db: Database) -> tuple[str, str]:
    """Make sure the dashboards have the demo login (an admin); returns it."""
    username, password = DEMO_LOGIN
    if not any(user.username == username for user in users.listing(db)):
        users.create(db, username=username, password=password, role="admin")
    return DEMO_LOGIN
