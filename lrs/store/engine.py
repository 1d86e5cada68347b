"""Engines and sessions: one engine per app, SQLite tuned for concurrent readers, and the
PostgreSQL read replicas that answer the reads which may lag a little (``querying``)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeGuard

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from lrs.config import Settings
from lrs.store.dialects import forget_data_version
from lrs.store.replicas import APPLICATION_NAME, Replicas
from statements.vocabulary import NO_RULES, Rules

CONSISTENT_THROUGH = "lrs_consistent_through"


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# A pooled PostgreSQL connection that answered less than this long ago is handed out
# without a ping of its own; one idle longer (or new) is pinged first, and replaced when
# the server does not answer (see ``_ping_when_idle``).
PING_AFTER_IDLE_SECONDS = 1.0
_ANSWERED = "lrs_answered"


def make_engine(
    url: str, *, application_name: str = "lrs", work_mem_mb: int = 64, primary: bool = False
) -> Engine:
    """Create the engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout,
    PostgreSQL connections an ``application_name`` (what ``pg_stat_activity`` shows) and
    ``work_mem_mb`` of memory per sort or hash (0: the server's setting). The
    ``primary``'s connections are pinged when taken from the pool after a second idle,
    others' every time."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            # Pooled connections: closing the last connection of a WAL database
            # checkpoints it, which would cost milliseconds on every request.
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        event.listen(engine, "commit", forget_data_version)
        return engine
    engine = create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=not primary,
        pool_size=5,
        max_overflow=10,
        connect_args={
            "application_name": application_name,
            "connect_timeout": 5,
            **({"options": f"-c work_mem={work_mem_mb}MB"} if work_mem_mb > 0 else {}),
        },
    )
    if primary:
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection when it is taken after ``PING_AFTER_IDLE_SECONDS`` without
    use, instead of at every checkout (``pool_pre_ping``): a ping is a round trip, two per
    ingest request (its sign-in and its write). A connection that just finished a
    transaction was answered then; one idle longer (the server restarted, a firewall
    dropped it) is pinged and, when it does not answer, replaced before use (the pool
    retries the checkout on ``DisconnectionError``). A server lost within the second
    fails the request that finds it, and the pool then drops every older connection."""
    dialect = engine.dialect

    def answered(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        record.info[_ANSWERED] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_ANSWERED, 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError() from error
        record.info[_ANSWERED] = time.monotonic()

    event.listen(engine.pool, "connect", answered)
    event.listen(engine.pool, "checkin", answered)
    event.listen(engine.pool, "checkout", checkout)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE below is ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # A new file's pages are 8 KB (a file's page size is fixed once it holds a table):
    # a statement's row of 1 to 2 KB left a fifth of each 4 KB page empty.
    cursor.execute("PRAGMA page_size=8192")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.execute("PRAGMA cache_size=-65536")
    # The log is copied into the file once it holds 10,000 pages (80 MB of 8 KB pages) rather than
    # SQLite's 1,000: a batch of 100 statements writes about 2,000 pages, so every commit
    # checkpointed; later, the pages that recur across commits (rollups, the ends of
    # indexes) are copied once for several. Commit's CPU per statement, batches of 100:
    # 0.26-0.30 -> 0.21-0.22 ms; single statements: 1.3-1.4 -> 1.1-1.3 ms.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    # Reads map the file instead of copying each page through a read() call: the
    # dashboards' scans of a large store spend most of their time there otherwise.
    cursor.execute("PRAGMA mmap_size=4294967296")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # Writers take SQLite's write lock up front: a deferred transaction that later writes
    # fails with SQLITE_BUSY instead of waiting when another worker holds the lock.
    # Readers stay deferred so that they never wait for writers (WAL).
    writes = connection.get_execution_options().get("lrs_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


class Database:
    """The engine plus the ways in: a read transaction and a write transaction on the
    primary, and a read transaction that a read replica may answer (``querying``)."""

    def __init__(
        self,
        url: str,
        read_urls: Sequence[str] = (),
        *,
        read_max_lag: float = 30.0,
        read_retry_seconds: float = 5.0,
        rules: Rules = NO_RULES,
        work_mem_mb: int = 64,
    ) -> None:
        self.url = url
        self.rules = rules
        """The administrator's classification rules, applied to facts at ingest."""
        self.engine = make_engine(url, work_mem_mb=work_mem_mb, primary=True)
        self.dialect = self.engine.dialect.name
        if read_urls and self.dialect != "postgresql":
            raise ValueError("read replicas (LRS_READ_DATABASE_URL) need a PostgreSQL primary")
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(lrs_write=True), expire_on_commit=False
        )
        self._autocommit = sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        self.replicas = Replicas(
            self.engine,
            [
                make_engine(read_url, application_name=APPLICATION_NAME, work_mem_mb=work_mem_mb)
                for read_url in read_urls
            ],
            max_lag=read_max_lag,
            retry_seconds=read_retry_seconds,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The primary of LRS_DATABASE_URL with the replicas of LRS_READ_DATABASE_URL."""
        return cls(
            settings.database_url,
            settings.read_database_urls,
            read_max_lag=settings.read_max_lag_seconds,
            read_retry_seconds=settings.read_retry_seconds,
            work_mem_mb=settings.postgres_work_mem_mb,
        )

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in a read-only transaction on the primary, ended without writing: it
        sees every write that has committed (a caller's own included)."""
        with self._reader() as session, session.begin():
            if self.dialect == "postgresql":
                # BEGIN READ ONLY (no round trip of its own): ended by COMMIT below, the
                # transaction must not be able to write.
                session.connection(execution_options={"postgresql_readonly": True})
            yield session
            # PostgreSQL ends it with COMMIT, the same as a ROLLBACK for a transaction that
            # wrote nothing: psycopg forgets the connection's prepared statements at every
            # ROLLBACK and sends DEALLOCATE ALL, a round trip, so that every request's
            # statements (its sign-in is read first) would be parsed and planned again.
            if self.dialect != "postgresql":
                session.rollback()

    @contextmanager
    def reading_once(self) -> Iterator[Session]:
        """A session for one read statement on the primary. On PostgreSQL it runs outside
        any transaction (autocommit): one round trip instead of three (BEGIN, the read,
        COMMIT), and it sees every write committed before it, as the first statement of
        a read transaction does. Several statements would each see their own moment:
        use ``reading`` for those. On SQLite (in process), a read transaction."""
        if self.dialect != "postgresql":
            with self.reading() as session:
                yield session
            return
        with self._autocommit() as session:
            yield session

    @contextmanager
    def querying(self, *, replica: bool = True) -> Iterator[Session]:
        """A read-only session that a read replica answers when one is fit (else the
        primary, and always with ``replica=False``), for reads that may lag a little.
        ``consistent_through(session)`` is the instant its data is complete through."""
        opened = self.replicas.open() if replica else None
        if opened is None:
            with self.reading() as session:
                session.info[CONSISTENT_THROUGH] = dt.datetime.now(dt.UTC)
                yield session
            return
        session, through = opened
        with session:
            session.info[CONSISTENT_THROUGH] = through
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in a write transaction: committed on success, rolled back on error."""
        with self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.replicas.dispose()
        self.engine.dispose()


def consistent_through(session: Session) -> dt.datetime:
    """The instant through which a ``querying`` session sees every committed statement."""
    through: dt.datetime = session.info[CONSISTENT_THROUGH]
    return through.astimezone(dt.UTC)


# PostgreSQL's codes for a transaction it rolled back whole so that a concurrent one could
# go on: the victim of a deadlock, or a serialization failure.
_LOST_TO_A_CONCURRENT_WRITER = frozenset({"40P01", "40001"})


def lost_to_a_concurrent_writer(error: BaseException) -> TypeGuard[DBAPIError]:
    """Whether ``error`` rolled back a transaction only because another one ran at the same
    time (a deadlock's victim, a serialization failure): the same work, run again in a new
    transaction, may succeed."""
    return isinstance(error, DBAPIError) and (
        getattr(error.orig, "sqlstate", None) in _LOST_TO_A_CONCURRENT_WRITER
    )
