"""Files and folders as the user points at them: each folder is one group of
responses that belong together (a calls page with its transcripts answer, a
meeting with its `.vtt`), each file given by name a group of its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from callvault.importers.errors import UnreadableDocument
from callvault.importers.records import Document, Failed

JSON_SUFFIXES = {".json"}
TEXT_SUFFIXES = {".vtt"}
LINES_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True)
class Group:
    files: list[Path]

    @property
    def size(self) -> int:
        return sum(path.stat().st_size for path in self.files)


def groups(paths: Sequence[Path], suffixes: set[str]) -> list[Group]:
    """Named files as they are; folders walked, one group per folder."""
    result: list[Group] = []
    for path in paths:
        if path.is_dir():
            result.extend(_folder_groups(path, suffixes))
        elif path.is_file():
            result.append(Group([path]))
        else:
            raise UnreadableDocument(f"{path}: no such file or folder.")
    return result


def _folder_groups(folder: Path, suffixes: set[str]) -> Iterator[Group]:
    for current in sorted([folder, *(p for p in folder.rglob("*") if p.is_dir())]):
        if any(part.startswith(".") for part in current.relative_to(folder).parts):
            continue
        files = sorted(
            path
            for path in current.iterdir()
            if path.is_file()
            and path.suffix.lower() in suffixes
            and not path.name.startswith(".")
        )
        if files:
            yield Group(files)


def read(group: Group) -> tuple[list[Document], list[Failed]]:
    """The group's documents; a file that cannot be read fails by itself."""
    documents: list[Document] = []
    failures: list[Failed] = []
    for path in group.files:
        try:
            documents.append(_document(path))
        except (OSError, UnicodeDecodeError, orjson.JSONDecodeError) as error:
            failures.append(Failed(str(path), "file", _reason(error)))
    return documents, failures


def _document(path: Path) -> Document:
    if path.suffix.lower() in TEXT_SUFFIXES:
        return Document(str(path), path.read_text(encoding="utf-8-sig"))
    return Document(str(path), orjson.loads(path.read_bytes()))


def _reason(error: Exception) -> str:
    if isinstance(error, orjson.JSONDecodeError):
        return f"not valid JSON: {error}"
    return f"cannot be read: {error}"
