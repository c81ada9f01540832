"""What `callvault import` shows: a progress bar while it reads, then the
counts and every failure with its file, record and reason."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from callvault.importers import service
from callvault.importers.service import Summary
from callvault.kernel.db import Database


def run(
    database: Database,
    organization_name: str,
    source: str,
    paths: Sequence[Path],
    console: Console,
) -> Summary:
    progress = Progress(
        TextColumn("[bold]importing {task.fields[source]}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task: TaskID | None = None

    def start(total: int) -> None:
        nonlocal task
        task = progress.add_task("import", total=total, source=source)

    def advance(done: int) -> None:
        if task is not None:
            progress.advance(task, done)

    with progress:
        return service.import_paths(
            database,
            organization_name,
            source,
            paths,
            on_start=start,
            on_progress=advance,
        )


def show(summary: Summary, console: Console) -> None:
    counts = Table(show_header=False, box=None)
    for label, value in (
        ("created", summary.created),
        ("updated", summary.updated),
        ("unchanged", summary.unchanged),
        ("failed", summary.failed),
    ):
        counts.add_row(label, str(value))
    console.print(counts)
    if summary.failures:
        failures = Table("file", "record", "reason", title="Failures")
        for failure in summary.failures:
            failures.add_row(failure.file, failure.record, failure.reason)
        console.print(failures)
