"""The forwarding worker: a daemon thread per app that runs delivery rounds."""

from __future__ import annotations

import logging
import threading
import weakref

from lrs.services.forwarding.delivery import deliver_due
from lrs.services.forwarding.sealing import SecretBox
from lrs.store.engine import Database

log = logging.getLogger(__name__)


class Worker:
    """A daemon thread that runs ``deliver_due`` every ``poll_seconds`` (at once again
    while there is work). It holds its database weakly and stops when it is gone.
    The app factory starts one per app and keeps it with the app's context."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        *,
        poll_seconds: float,
        timeout: float,
        max_attempts: int,
    ) -> None:
        self._db = weakref.ref(db)
        self._box = box
        self._poll = poll_seconds
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lrs-forwarding", daemon=True)

    def start(self) -> Worker:
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
                while deliver_due(
                    db, self._box, timeout=self._timeout, max_attempts=self._max_attempts
                ).attempted:
                    if self._stop.is_set():
                        return
            except Exception:  # the worker must survive a database or network hiccup
                log.exception("forwarding worker: delivery round failed")
            del db
