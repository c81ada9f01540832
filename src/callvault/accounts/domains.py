"""Email domains: one bare, lower-case form everywhere they are compared."""

from __future__ import annotations

import re

from callvault.kernel.errors import InvalidRequest, quoted

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[a-z][a-z0-9-]{{0,62}}")


def normalize_domain(raw: str, *, field: str) -> str:
    """`https://WWW.Example.com/` -> `www.example.com`; a 400 when not a domain."""
    domain = raw.strip().lower()
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain).split("/")[0].rstrip(".")
    if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
        raise InvalidRequest(
            f"`{field}`: {quoted(raw)} is not a domain (for example example.com)."
        )
    return domain


def normalize_domains(raws: list[str], *, field: str) -> list[str]:
    """Normalized, in the order given, without repeats."""
    seen: dict[str, None] = {}
    for index, raw in enumerate(raws):
        seen.setdefault(normalize_domain(raw, field=f"{field}[{index}]"), None)
    return list(seen)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
