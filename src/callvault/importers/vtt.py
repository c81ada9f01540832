"""WebVTT transcripts as Zoom writes them: cues of `start --> end` and text
`Display Name: words`."""

from __future__ import annotations

import re

from callvault.importers import records, units
from callvault.importers.errors import RecordProblem
from callvault.recordings.bulk import IncomingUtterance

_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_SPEAKER = re.compile(r"^([^:]{1,200}):(?:\s+(.*))?$", re.DOTALL)


def parse(text: str) -> list[IncomingUtterance]:
    if not text.lstrip().startswith("WEBVTT"):
        raise RecordProblem("the transcript file is not WebVTT (no WEBVTT header)")
    lines = []
    for block in re.split(r"\r?\n\s*\r?\n", text.strip()):
        cue = _cue(block.splitlines())
        if cue is not None:
            lines.append(cue)
    return records.transcript(lines)


def _cue(rows: list[str]) -> IncomingUtterance | None:
    for index, row in enumerate(rows):
        timing = _TIMING.match(row)
        if timing:
            words = " ".join(r.strip() for r in rows[index + 1 :]).strip()
            offset = units.clock_ms(timing.group(1), "cue start")
            speaker = _SPEAKER.match(words)
            if speaker:
                return records.utterance(
                    speaker.group(1).strip(),
                    "",
                    offset,
                    (speaker.group(2) or "").strip(),
                )
            return records.utterance("", "", offset, words)
    return None
