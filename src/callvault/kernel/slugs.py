"""Slugs derived from labels: lower-case ASCII words joined by underscores."""

from __future__ import annotations

import re
import unicodedata

SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,199}")


def slugify(label: str) -> str:
    ascii_label = (
        unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    )
    return re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:200]
