"""WebVTT transcripts as Zoom writes them: cues of `start --> end` and text
`Display Name: words`."""

from __future__ import annotations

import re

from callvault.importers import records, units
from callvault.importers.errors import RecordProblem
from callvault.kernel.errors import quoted
from callvault.recordings.bulk import IncomingUtterance

_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_SPEAKER = re.compile(r"^([^:]{1,200}):(?:\s+(.*))?$", re.DOTALL)
# Blocks of a WebVTT file that hold no cue.
_NOT_CUES = ("NOTE", "STYLE", "REGION")


def parse(text: str) -> list[IncomingUtterance]:
    """The file's cues as utterances. A block that is neither a cue nor a
    comment, style or region, a timing that does not read, and a cue that
    ends before it starts fail the recording: a transcript is imported
    whole or not at all, never with lines silently dropped."""
    if not text.lstrip().startswith("WEBVTT"):
        raise RecordProblem("the transcript file is not WebVTT (no WEBVTT header)")
    # The first block is the header.
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())[1:]
    lines = []
    for number, block in enumerate(blocks, start=1):
        rows = block.splitlines()
        # The keyword alone or before a space: a cue may be named "NOTES 1".
        if rows[0].split(maxsplit=1)[0] in _NOT_CUES:
            continue
        lines.append(_cue(rows, f"cue {number}"))
    return records.transcript(lines)


def _cue(rows: list[str], where: str) -> IncomingUtterance | None:
    # An identifier may come first; the timing line is the one with "-->".
    index = next((i for i, row in enumerate(rows) if "-->" in row), None)
    if index is None or index > 1:
        raise RecordProblem(
            f"`{where}`: no `start --> end` timing line in {quoted(rows[0])}"
        )
    timing = _TIMING.match(rows[index])
    if timing is None:
        raise RecordProblem(
            f"`{where}`: {quoted(rows[index])} is not a `start --> end` timing"
        )
    offset = units.clock_ms(timing.group(1), f"{where} start")
    end = units.clock_ms(timing.group(2), f"{where} end")
    if end < offset:
        raise RecordProblem(
            f"`{where}`: it ends at {timing.group(2)}, before it starts at "
            f"{timing.group(1)}"
        )
    words = " ".join(r.strip() for r in rows[index + 1 :]).strip()
    speaker = _SPEAKER.match(words)
    if speaker:
        return records.utterance(
            speaker.group(1).strip(), "", offset, (speaker.group(2) or "").strip()
        )
    return records.utterance("", "", offset, words)
