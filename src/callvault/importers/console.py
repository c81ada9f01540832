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

# Smaller imports finish before a bar would tell anything.
PROGRESS_FROM_BYTES = 4 * 1024 * 1024


def run(
    database: Database,
    organization_name: str,
    source: str,
    paths: Sequence[Path],
    console: Console,
) -> Summary:
    """Import, with a progress bar on a terminal for a large import only: it
    is erased when done, and a log or a pipe gets no trace of it."""
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
        if console.is_terminal and total >= PROGRESS_FROM_BYTES:
            task = progress.add_task("import", total=total, source=source)
            progress.start()

    def advance(done: int) -> None:
        if task is not None:
            progress.advance(task, done)

    try:
        return service.import_paths(
            database,
            organization_name,
            source,
            paths,
            on_start=start,
            on_progress=advance,
        )
    finally:
        # Stopping a display never started still prints a blank line.
        if task is not None:
            progress.stop()


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
        console.print("[bold red]Failures[/bold red] (file, record: reason)")
    for failure in summary.failures:
        # One line each, never wrapped, so that the list can be grepped.
        console.print(
            f"{failure.file}, {failure.record}: {failure.reason}",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
