"""Which account a call belongs to, from its participants' email domains
(contract section 3, create): the account that most participants match wins,
ties go to the account created first; the organization's own domains never
count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy.orm import Session

from callvault.accounts import repository
from callvault.accounts.domains import email_domain


def match_account(
    session: Session,
    organization_id: str,
    participant_emails: Iterable[str],
    own_domains: Iterable[str],
) -> str | None:
    ignored = {domain.lower() for domain in own_domains}
    domains = [email_domain(email) for email in participant_emails]
    counted = Counter(domain for domain in domains if domain and domain not in ignored)
    if not counted:
        return None
    votes: Counter[str] = Counter()
    created: dict[str, tuple[object, str]] = {}
    for domain, account_id, created_at in repository.claims(
        session, organization_id, counted
    ):
        votes[account_id] += counted[domain]
        created[account_id] = (created_at, account_id)
    if not votes:
        return None
    return min(votes, key=lambda account_id: (-votes[account_id], created[account_id]))
