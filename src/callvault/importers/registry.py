"""The recorders callvault reads, by the `source` name their calls get."""

from __future__ import annotations

from callvault.importers import fathom, fireflies, gong, grain, granola, jsonl, zoom
from callvault.importers.errors import UnknownSource
from callvault.importers.records import Converter

CONVERTERS: dict[str, Converter] = {
    gong.SOURCE: gong.convert,
    fathom.SOURCE: fathom.convert,
    grain.SOURCE: grain.convert,
    granola.SOURCE: granola.convert,
    zoom.SOURCE: zoom.convert,
    fireflies.SOURCE: fireflies.convert,
    jsonl.SOURCE: jsonl.convert,
}

SOURCES = tuple(CONVERTERS)


def converter(source: str) -> Converter:
    found = CONVERTERS.get(source)
    if found is None:
        raise UnknownSource(f"No importer for {source!r}; known: {', '.join(SOURCES)}.")
    return found
