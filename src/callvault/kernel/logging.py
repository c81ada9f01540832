"""structlog set up once: an event name and ids as fields, never a token."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO, cast

import structlog

# C0 and C1 controls, DEL and Unicode's line and paragraph separators: in a
# text log line they end the line early, forge another, or drive the
# terminal that shows it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# structlog prints a traceback over several lines of its own.
_MULTILINE = frozenset({"exception", "stack"})


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def escape_control_characters(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Every text field written as Python writes it in a literal (`\\x00`,
    `\\n`, `\\x1b`): a caller's path or value stays within its line."""
    for key, value in event.items():
        if not isinstance(value, str):
            continue
        if key in _MULTILINE:
            event[key] = "\n".join(
                _CONTROL.sub(_escape, line) for line in value.split("\n")
            )
        else:
            event[key] = _CONTROL.sub(_escape, value)
    return event


class _LineSink:
    """The stream log lines are printed to, whose failure costs the line
    alone: a closed or broken standard error (a supervisor's pipe gone) must
    not fail the request whose line it is, which the edge middleware would
    otherwise answer with a bare 500."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            return 0

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    # JSON escapes every control character itself.
    renderer: list[structlog.typing.Processor] = (
        [structlog.processors.JSONRenderer()]
        if json
        else [escape_control_characters, structlog.dev.ConsoleRenderer(colors=False)]
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            *renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # Standard error as it is now: standard output is what the commands
        # answer (`webhooks deliveries | cut`), and logs stay off it.
        logger_factory=structlog.PrintLoggerFactory(
            cast(TextIO, _LineSink(sys.stderr))
        ),
        cache_logger_on_first_use=True,
    )
