"""The background worker every server process runs per job (forwarding deliveries,
pulled sources): a daemon thread that runs one round of its job every ``poll_seconds``
and at once again while a round found work. It holds its database weakly and stops when
the database is gone, or when the app context stops it."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable

from lrs.store.engine import Database

log = logging.getLogger(__name__)

Round = Callable[[Database], bool]


class PollingWorker:
    """Runs ``run_round(db)`` (true when it found work) in a daemon thread ``name``."""

    def __init__(self, name: str, db: Database, run_round: Round, *, poll_seconds: float):
        self._db = weakref.ref(db)
        self._round = run_round
        self._poll = poll_seconds
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> PollingWorker:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._poll):
            db = self._db()
            if db is None:
                return
            try:
                while self._round(db) and not self._stop.is_set():
                    pass
            except Exception:  # the worker must survive a database or network hiccup
                log.exception("%s: round failed", self.thread.name)
            del db
