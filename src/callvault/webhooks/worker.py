"""One background thread per server process importing stored deliveries:
new ones as they are answered, and at start-up every delivery still pending
(accepted, but the process stopped before importing it)."""

from __future__ import annotations

import queue
import threading

import structlog
from sqlalchemy.exc import DBAPIError, IntegrityError

from callvault.kernel.db import Database
from callvault.kernel.errors import CallvaultError
from callvault.recordings.bulk import TRANSIENT, refusal
from callvault.webhooks import repository, service

log = structlog.get_logger("callvault.webhooks")

_STOP = ""
# A concurrent writer twice over, or the database unavailable: not the
# delivery's doing, so it is left pending.
DEFERRED: tuple[type[Exception], ...] = (IntegrityError, *TRANSIENT)


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
        except DEFERRED:
            # The database, not the delivery: it stays pending and is
            # imported again at the next start.
            log.exception("webhooks.delivery_deferred", delivery=delivery)
        except Exception as error:  # a delivery never stays pending for its content
            self._fail(delivery, error)

    def _fail(self, delivery: str, error: Exception) -> None:
        log.exception("webhooks.delivery_import_raised", delivery=delivery)
        try:
            service.fail(self.database, delivery, _reason(error))
        except Exception:  # the worker goes on with the next
            log.exception("webhooks.delivery_deferred", delivery=delivery)


def _reason(error: Exception) -> str:
    if isinstance(error, DBAPIError):
        return refusal(error)
    if isinstance(error, CallvaultError):
        return error.message
    return f"the import failed: {error or type(error).__name__}"
