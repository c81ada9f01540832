"""Files and folders as the user points at them: each folder is one group of
responses that belong together (a calls page with its transcripts answer, a
meeting with its `.vtt`), each file given by name a group of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callvault.importers.errors import UnreadableDocument
from callvault.importers.records import Document, Failed

JSON_SUFFIXES = {".json"}
TEXT_SUFFIXES = {".vtt"}
DOCUMENTS = JSON_SUFFIXES | TEXT_SUFFIXES
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
        except OSError as error:
            failures.append(Failed(str(path), "file", f"cannot be read: {error}"))
        except UnreadableDocument as error:
            failures.append(Failed(str(path), "file", error.message))
    return documents, failures


def _document(path: Path) -> Document:
    raw = path.read_bytes()
    if path.suffix.lower() in TEXT_SUFFIXES:
        return Document(str(path), decode(raw))
    return Document(str(path), parse_json(raw))


def decode(raw: bytes) -> str:
    """UTF-8 text (a byte-order mark allowed), or where it is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise UnreadableDocument(
            f"not UTF-8 text: byte {raw[error.start]:#04x} at line {line}, "
            f"column {column} (save the file as UTF-8)"
        ) from None


def parse_json(raw: bytes) -> Any:
    """A JSON document with integers kept exact: ids beyond 64 bits must not
    become floats (orjson reads them as floats), so the standard parser."""
    text = decode(raw)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise UnreadableDocument(f"not valid JSON: {error}") from None
    except RecursionError:
        raise UnreadableDocument("not valid JSON: nested too deeply") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
