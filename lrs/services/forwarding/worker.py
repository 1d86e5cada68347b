"""The forwarding worker: a daemon thread per app that runs delivery rounds."""

from __future__ import annotations

from lrs.services.forwarding.delivery import deliver_due
from lrs.services.polling import PollingWorker
from lrs.services.sealing import SecretBox
from lrs.store.engine import Database


class Worker(PollingWorker):
    """Runs ``deliver_due`` every ``poll_seconds`` (at once again while there is work).
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
        def deliver(database: Database) -> bool:
            report = deliver_due(database, box, timeout=timeout, max_attempts=max_attempts)
            return report.attempted > 0

        super().__init__("lrs-forwarding", db, deliver, poll_seconds=poll_seconds)
