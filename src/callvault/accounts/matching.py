"""Which account a call belongs to, from its participants' email domains
(contract section 3, create): the account that most participants match wins,
ties go to the account created first; the organization's own domains never
count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from callvault.accounts import repository
from callvault.accounts.domains import email_domain

Claims = dict[str, tuple[str, datetime]]


def match_account(
    session: Session,
    organization_id: str,
    participant_emails: Iterable[str],
    own_domains: Iterable[str],
) -> str | None:
    matched = match_accounts(
        session, organization_id, [participant_emails], own_domains
    )
    return matched[0]


def match_accounts(
    session: Session,
    organization_id: str,
    participant_lists: Sequence[Iterable[str]],
    own_domains: Iterable[str],
) -> list[str | None]:
    """One account (or none) per list of participants, with one query for all
    of them: imports match thousands of calls at a time."""
    ignored = {domain.lower() for domain in own_domains}
    counts = [_domain_counts(emails, ignored) for emails in participant_lists]
    wanted = set().union(*counts) if counts else set()
    if not wanted:
        return [None] * len(counts)
    claims: Claims = {
        domain: (account_id, created_at)
        for domain, account_id, created_at in repository.claims(
            session, organization_id, wanted
        )
    }
    return [_winner(counted, claims) for counted in counts]


def _domain_counts(emails: Iterable[str], ignored: set[str]) -> Counter[str]:
    domains = (email_domain(email) for email in emails)
    return Counter(domain for domain in domains if domain and domain not in ignored)


def _winner(counted: Counter[str], claims: Claims) -> str | None:
    votes: Counter[str] = Counter()
    created: dict[str, tuple[datetime, str]] = {}
    for domain, count in counted.items():
        claim = claims.get(domain)
        if claim is not None:
            account_id, created_at = claim
            votes[account_id] += count
            created[account_id] = (created_at, account_id)
    if not votes:
        return None
    return min(votes, key=lambda account_id: (-votes[account_id], created[account_id]))
