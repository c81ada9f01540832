"""One background thread per server process importing stored deliveries:
new ones as they are answered, and at start-up every delivery still pending
(accepted, but the process stopped before importing it)."""

from __future__ import annotations

import queue
import threading

import structlog
from sqlalchemy.exc import IntegrityError

from callvault.kernel.db import Database
from callvault.webhooks import repository, service

log = structlog.get_logger("callvault.webhooks")

_STOP = ""


class DeliveryWorker:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(
            target=self._run, name="callvault-webhooks", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def submit(self, delivery_row_id: str) -> None:
        self._queue.put(delivery_row_id)

    def stop(self, timeout: float = 10) -> None:
        """Finish the delivery at hand; what is left stays pending for the
        next start."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        with self.database.session(write=False) as session:
            pending = repository.pending_ids(session)
        for delivery in pending:
            self._queue.put(delivery)
        while (delivery := self._queue.get()) != _STOP:
            self._process(delivery)

    def _process(self, delivery: str) -> None:
        try:
            try:
                service.process(self.database, delivery)
            except IntegrityError:
                # Another process wrote the same call at the same moment:
                # once more, and the call is found stored.
                service.process(self.database, delivery)
        except Exception:
            log.exception("webhooks.delivery_failed", delivery=delivery)
