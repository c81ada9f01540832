"""First start: an organization, a token shown once, and optional demo data."""

from __future__ import annotations

import random
from datetime import timedelta

from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callvault.accounts.matching import match_account
from callvault.accounts.models import Account, AccountDomain
from callvault.custom_fields.models import CustomField
from callvault.kernel.db import Database, new_id
from callvault.kernel.times import utcnow
from callvault.organizations import repository as organizations
from callvault.organizations import service as org_service
from callvault.organizations.models import Organization
from callvault.recordings.models import CallRecording, RecordingFieldValue, Utterance

DEMO_ORG = "demo"
OWN_DOMAIN = "callvault.example"
SOURCES = (
    "gong",
    "fathom",
    "grain",
    "granola",
    "zoom",
    "fireflies",
    "custom_call_recorder",
)
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Wonka",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Vandelay",
    "Pied Piper",
    "Dunder Mifflin",
    "Aperture",
    "Black Mesa",
    "Oscorp",
    "Gringotts",
    "Monsters Inc",
    "Nakatomi",
    "Duff",
    "Krusty Krab",
    "Los Pollos",
    "Prestige",
    "Sirius",
    "Virtucon",
    "Weyland",
    "Zorg",
    "Massive Dynamic",
    "Blue Sun",
    "Rekall",
    "Ollivanders",
    "Buy n Large",
    "Gekko",
    "Bluth",
    "Sterling Cooper",
    "Wernham Hogg",
    "Paddy's",
    "Central Perk",
    "Strickland Propane",
)
TOPICS = (
    "Quarterly business review",
    "Onboarding kickoff",
    "Renewal discussion",
    "Escalation: login failures",
    "Pricing questions",
    "Feature request sync",
    "Implementation check-in",
    "Security review",
    "Churn risk call",
    "Expansion demo",
    "Support follow-up",
    "Integration troubleshooting",
    "Executive sponsor intro",
)
LINES = (
    "Thanks for making the time today.",
    "We've seen the error again since Tuesday's release.",
    "Can you share the logs from the affected workspace?",
    "Our team would like SSO enforced for all users.",
    "The renewal is coming up at the end of the quarter.",
    "Let's schedule a follow-up with engineering.",
    "The dashboard export is what finance relies on.",
    "I'll send a summary and next steps after the call.",
)


def first_run(
    database: Database, *, demo: bool, base_url: str, console: Console
) -> None:
    # Exclusive: processes starting together on an empty database create
    # the first organization once.
    with database.session(write=True, exclusive=True) as session:
        has_orgs = session.scalar(select(func.count()).select_from(Organization)) or 0
        if has_orgs:
            _say_existing(session, demo, console)
            return
        organization = org_service.create_organization(session, DEMO_ORG, [OWN_DOMAIN])
        token = org_service.create_token(session, organization)
        example = None
        if demo:
            count = fill_demo(session, organization)
            example = _newest_recording_id(session, organization)
            console.print(
                f"Demo data: {count} call recordings in organization {DEMO_ORG!r}."
            )
    _print_token(console, token, base_url, example)


def _newest_recording_id(session: Session, organization: Organization) -> str | None:
    return session.scalar(
        select(CallRecording.id)
        .where(CallRecording.organization_id == organization.id)
        .order_by(CallRecording.start_time.desc(), CallRecording.id.desc())
        .limit(1)
    )


def _say_existing(session: Session, demo: bool, console: Console) -> None:
    names = ", ".join(o.name for o in organizations.list_all(session))
    if demo:
        console.print("The database holds data already: demo data was not added.")
    console.print(
        f"Organizations: {names}. New token: `callvault tokens create --org NAME`.",
        highlight=False,
        soft_wrap=True,
    )


def _print_token(
    console: Console, token: str, base_url: str, recording_id: str | None
) -> None:
    console.print(
        f"Created organization {DEMO_ORG!r}. Its API token, shown only this once:"
    )
    console.print(f"\n  {token}\n", highlight=False, soft_wrap=True)
    console.print("Try it:", highlight=False)
    paths = ["/me"] + ([f"/call-recordings/{recording_id}"] if recording_id else [])
    for path in paths:
        console.print(
            f"  curl -s {base_url}{path} -H 'Authorization: Bearer {token}'",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"  curl -s {base_url}/call-recordings/search "
        f"-H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' "
        """-d '{"limit": 2}'""",
        highlight=False,
        soft_wrap=True,
    )
    console.print()


def fill_demo(
    session: Session, organization: Organization, *, recordings: int = 300
) -> int:
    rng = random.Random(7)
    accounts = _demo_accounts(session, organization)
    fields = _demo_fields(session, organization)
    now = utcnow().replace(microsecond=0)
    for index in range(recordings):
        account = rng.choice(accounts)
        domain = account.domains[0].domain
        people = [
            f"{rng.choice(['ana', 'ben', 'chen', 'dara'])}@{domain}",
            f"sam@{OWN_DOMAIN}",
        ]
        if index % 5 == 0:
            people = [f"guest{index}@gmail.example", f"sam@{OWN_DOMAIN}"]
        start = now - timedelta(minutes=rng.randint(60, 60 * 24 * 365))
        minutes = rng.randint(10, 60)
        title = f"{rng.choice(TOPICS)} — {account.name}"
        recording = CallRecording(
            id=new_id(),
            organization_id=organization.id,
            source=SOURCES[index % len(SOURCES)],
            external_id=f"demo-{index:04d}",
            title=title,
            title_folded=title.casefold(),
            summary=f"Discussed {title.split(' — ')[0].lower()} with {account.name}.",
            url=f"https://recordings.example/{index:04d}",
            start_time=start,
            end_time=start + timedelta(minutes=minutes),
            duration_ms=minutes * 60_000,
            account_id=match_account(session, organization.id, people, [OWN_DOMAIN]),
            participant_emails=people,
        )
        session.add(recording)
        session.flush()
        for position in range(rng.randint(4, 10)):
            speaker = people[position % 2]
            session.add(
                Utterance(
                    recording_id=recording.id,
                    position=position,
                    speaker_name=speaker.split("@")[0].title(),
                    speaker_email=speaker,
                    offset_ms=position * 20_000,
                    text=rng.choice(LINES),
                )
            )
        for field, value in _demo_values(rng, fields, start):
            session.add(
                RecordingFieldValue(
                    recording_id=recording.id, field_id=field.id, value=value
                )
            )
    session.flush()
    return recordings


def _demo_accounts(session: Session, organization: Organization) -> list[Account]:
    accounts = []
    for name in COMPANIES:
        domain = name.lower().replace(" ", "").replace("'", "") + ".example"
        account = Account(
            organization_id=organization.id, name=name, primary_domain=domain
        )
        session.add(account)
        session.flush()
        session.add(
            AccountDomain(
                organization_id=organization.id, account_id=account.id, domain=domain
            )
        )
        session.flush()
        session.refresh(account, ["domains"])
        accounts.append(account)
    return accounts


def _demo_fields(session: Session, organization: Organization) -> list[CustomField]:
    specs = [
        ("Notes", "notes", "text", None),
        ("Seats discussed", "seats_discussed", "number", None),
        ("Deal size", "deal_size", "decimal", None),
        ("Follow-up needed", "follow_up_needed", "boolean", None),
        ("Renewal date", "renewal_date", "date", None),
        ("Next meeting", "next_meeting", "datetime", None),
        ("Ticket link", "ticket_link", "url", None),
        ("Sentiment", "sentiment", "select", ["positive", "neutral", "negative"]),
        (
            "Topics",
            "topics",
            "multiselect",
            ["pricing", "security", "onboarding", "bugs"],
        ),
    ]
    fields = []
    for label, slug, kind, options in specs:
        field = CustomField(
            organization_id=organization.id,
            object_type="meeting",
            slug=slug,
            label=label,
            type=kind,
            options=[{"slug": o, "label": o.title()} for o in options]
            if options
            else None,
        )
        session.add(field)
        fields.append(field)
    session.flush()
    return fields


def _demo_values(
    rng: random.Random, fields: list[CustomField], start: object
) -> list[tuple[CustomField, object]]:
    by_slug = {field.slug: field for field in fields}
    values: list[tuple[CustomField, object]] = [
        (by_slug["sentiment"], rng.choice(["positive", "neutral", "negative"])),
        (by_slug["follow_up_needed"], rng.choice(["true", "false"])),
    ]
    if rng.random() < 0.5:
        values.append(
            (
                by_slug["topics"],
                rng.sample(["pricing", "security", "onboarding", "bugs"], 2),
            )
        )
        values.append((by_slug["seats_discussed"], str(rng.randint(5, 500))))
        values.append((by_slug["deal_size"], f"{rng.randint(1000, 90000)}.50"))
    return values
