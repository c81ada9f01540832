"""Running an import: documents converted one group at a time, records
written in batches, one transaction a batch, so that an interrupted import
leaves whole records and running it again finishes it."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from callvault.importers import files, jsonl, registry
from callvault.importers.records import Converter, Failed, Imported, Outcome
from callvault.kernel.db import Database
from callvault.organizations import service as org_service
from callvault.recordings import bulk
from callvault.recordings.bulk import IncomingRecording, Rejected, Written

log = structlog.get_logger("callvault.importers")

BATCH_RECORDS = 1000
BATCH_UTTERANCES = 30_000

Progress = Callable[[int], None]


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Failed] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def count(self, written: Written) -> None:
        setattr(self, written.value, getattr(self, written.value) + 1)


@dataclass(frozen=True)
class Target:
    organization_id: str
    own_domains: tuple[str, ...]


def target(database: Database, organization_name: str) -> Target:
    with database.session(write=False) as session:
        organization = org_service.require_organization(session, organization_name)
        return Target(organization.id, tuple(organization.domains or ()))


class Writer:
    """Collects converted records and writes them a batch at a time."""

    def __init__(self, database: Database, into: Target) -> None:
        self.database = database
        self.into = into
        self.summary = Summary()
        # Each with its place among the outcomes added, so that failures
        # are listed in the order of their input, whenever they were found.
        self._pending: list[tuple[int, Imported]] = []
        self._failures: list[tuple[int, Failed]] = []
        self._added = 0
        self._keys: set[tuple[str, str]] = set()
        self._lines = 0

    def add(self, outcome: Outcome) -> None:
        self._added += 1
        if isinstance(outcome, Failed):
            self._failures.append((self._added, outcome))
            return
        key = (outcome.recording.source, outcome.recording.external_id)
        # A call listed twice (a page and a webhook body) is written in order.
        if key in self._keys:
            self.flush()
        self._pending.append((self._added, outcome))
        self._keys.add(key)
        self._lines += len(outcome.recording.transcript or ())
        if len(self._pending) >= BATCH_RECORDS or self._lines >= BATCH_UTTERANCES:
            self.flush()

    def flush(self) -> None:
        batch, self._pending, self._lines = self._pending, [], 0
        self._keys.clear()
        if not batch:
            return
        try:
            results = self._write([item.recording for _, item in batch])
        except bulk.TRANSIENT:
            raise
        except Exception:  # one record must not cost the batch
            # Something in the batch the database refuses, or a concurrent
            # writer got there first: write record by record to tell which.
            results = [self._write_alone(item) for _, item in batch]
        for (place, item), result in zip(batch, results, strict=True):
            if isinstance(result, Rejected):
                failed = Failed(item.file, item.record, result.reason)
                self._failures.append((place, failed))
            else:
                self.summary.count(result)

    def finish(self) -> Summary:
        """Writes what is pending; the summary, failures in input order."""
        self.flush()
        self._failures.sort(key=lambda pair: pair[0])
        self.summary.failures = [failed for _, failed in self._failures]
        return self.summary

    def _write(self, recordings: Sequence[IncomingRecording]) -> list[bulk.Result]:
        with self.database.session(write=True) as session:
            return bulk.upsert(
                session, self.into.organization_id, self.into.own_domains, recordings
            )

    def _write_alone(self, item: Imported) -> bulk.Result:
        try:
            return self._write([item.recording])[0]
        except bulk.TRANSIENT:
            raise
        except Exception as error:  # the record fails, not the import
            return Rejected(bulk.refusal(error))


def import_paths(
    database: Database,
    organization_name: str,
    source: str,
    paths: Sequence[Path],
    *,
    on_start: Callable[[int], None] | None = None,
    on_progress: Progress | None = None,
) -> Summary:
    """Import files and folders of one recorder's responses."""
    convert = registry.converter(source)
    into = target(database, organization_name)
    by_line = source == jsonl.SOURCE
    groups = files.groups(paths, files.LINES_SUFFIXES if by_line else files.DOCUMENTS)
    if on_start is not None:
        on_start(sum(group.size for group in groups))
    advance = on_progress or (lambda _: None)

    writer = Writer(database, into)
    for group in groups:
        if by_line:
            _import_lines(writer, group, advance)
        else:
            _import_documents(writer, group, convert)
            advance(group.size)
    summary = writer.finish()
    log.info(
        "importers.import_finished",
        organization_id=into.organization_id,
        source=source,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        failed=summary.failed,
    )
    return summary


def _import_documents(writer: Writer, group: files.Group, convert: Converter) -> None:
    documents, unreadable = files.read(group)
    _feed(writer, unreadable)
    _feed(writer, convert(documents))


def _feed(writer: Writer, outcomes: Iterable[Outcome]) -> None:
    for outcome in outcomes:
        writer.add(outcome)


def _import_lines(writer: Writer, group: files.Group, advance: Progress) -> None:
    for path in group.files:
        with path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                advance(len(line))
                if number == 1:
                    # A byte-order mark, as a document's is (files.decode).
                    line = line.removeprefix(codecs.BOM_UTF8)
                if line.strip():
                    writer.add(jsonl.convert_line(line, str(path), number))
