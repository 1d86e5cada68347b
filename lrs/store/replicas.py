"""PostgreSQL read replicas: which server answers a read, and how fresh its answer is.

Reads that may lag a little (statement queries, exports, aggregates, dashboards) go to
the replicas of ``LRS_READ_DATABASE_URL`` in turn; everything else stays on the primary.
A replica answers with the instant its data is complete through, so that the
``X-Experience-API-Consistent-Through`` header stays a true promise under lag:

- the primary's clock and its WAL insert position are read first (at most once a
  second, ``MARK_SECONDS``; an older mark only makes the promise earlier, never false);
- when the replica has replayed the WAL up to that position, every transaction
  committed before that instant is visible on it: it is complete through that instant,
  as the primary itself would be;
- otherwise it is complete through the commit time of the last transaction it
  replayed (``pg_last_xact_replay_timestamp()``): replay follows commit order.

A replica that lags more than ``max_lag`` seconds, or that cannot say how far it has
replayed, is skipped for that read. A replica that cannot be reached is skipped for
``retry_seconds`` and then tried again; when no replica can answer, the primary does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# How long the primary's (clock, WAL position) mark is reused, in seconds.
MARK_SECONDS = 1.0
# The name replica connections carry in pg_stat_activity.
APPLICATION_NAME = "lrs-read"

_PRIMARY_MARK = text("SELECT now(), pg_current_wal_insert_lsn()")
_REPLICA_STATE = text(
    "SELECT now(), pg_is_in_recovery(), pg_last_xact_replay_timestamp(), "
    "CASE WHEN pg_is_in_recovery() "
    "THEN pg_last_wal_replay_lsn() >= CAST(:mark AS pg_lsn) ELSE true END"
)


@dataclass(frozen=True)
class _Mark:
    at: dt.datetime
    lsn: str
    taken: float


class Replica:
    """One read replica: its sessions and when it may be tried again after a failure."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.down_until = 0.0


class Replicas:
    """The read replicas of one primary, tried in turn."""

    def __init__(
        self,
        primary: Engine,
        engines: Sequence[Engine],
        *,
        max_lag: float,
        retry_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._primary = primary
        self.replicas = [Replica(engine) for engine in engines]
        self.max_lag = max_lag
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self._mark: _Mark | None = None

    def open(self) -> tuple[Session, dt.datetime] | None:
        """A session in a transaction on a replica fit to answer, with the instant its data
        is complete through; None when no replica is (the primary answers then)."""
        if not self.replicas:
            return None
        start = next(self._turn)
        for step in range(len(self.replicas)):
            replica = self.replicas[(start + step) % len(self.replicas)]
            if replica.down_until > self._clock():
                continue
            opened = self._try(replica)
            if opened is not None:
                return opened
        return None

    def _try(self, replica: Replica) -> tuple[Session, dt.datetime] | None:
        try:
            mark = self._primary_mark()
        except DBAPIError:
            return None  # the primary answers (and reports) the read itself
        session = replica.sessions()
        try:
            session.begin()
            now, recovering, replayed, caught_up = session.execute(
                _REPLICA_STATE, {"mark": mark.lsn}
            ).one()
        except DBAPIError as error:
            session.close()
            replica.down_until = self._clock() + self.retry_seconds
            log.warning("read replica %s unreachable: %s", _name(replica), error.orig)
            return None
        if not recovering:
            return session, now  # a promoted replica is a primary of its own
        if caught_up:
            return session, mark.at
        if replayed is None or (mark.at - replayed).total_seconds() > self.max_lag:
            session.close()
            return None
        return session, replayed

    def _primary_mark(self) -> _Mark:
        with self._lock:
            mark = self._mark
            if mark is not None and self._clock() - mark.taken < MARK_SECONDS:
                return mark
        with self._primary.connect() as connection:
            at, lsn = connection.execute(_PRIMARY_MARK).one()
            connection.rollback()
        mark = _Mark(at=at, lsn=str(lsn), taken=self._clock())
        with self._lock:
            self._mark = mark
        return mark

    def dispose(self) -> None:
        for replica in self.replicas:
            replica.engine.dispose()


def _name(replica: Replica) -> str:
    return replica.engine.url.render_as_string(hide_password=True)
