"""The benchmark's data: N recordings of one organization as callvault's jsonl,
loaded through callvault's own bulk import, cached by size and seed.

Spreads meant to look like a real tenant: ~500 customer accounts of skewed
size, matched by participant domain; a fifth of the calls with nobody from a
known account; every recorder of the contract; titles drawn from a Zipf-like
vocabulary, so that some words are in one title of ten and others in one of
thousands; two years of start times; a few utterances a call at most.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

ORG_NAME = "bench"
OWN_DOMAIN = "callvault-bench.io"
SOURCES = (
    ("gong", 30),
    ("zoom", 25),
    ("fathom", 12),
    ("grain", 10),
    ("granola", 8),
    ("fireflies", 10),
    ("custom_call_recorder", 5),
)
ACCOUNTS = 500
NO_ACCOUNT_SHARE = 0.2
END = datetime(2026, 11, 30, tzinfo=UTC)
SPAN = timedelta(days=730)
# The words the title scenarios look for, and how often the generator puts
# them in a title: "review" about one in ten, "zeppelin" about one in 5,000.
COMMON_WORD = "review"
RARE_WORD = "zeppelin"
COMMON_SHARE = 0.10
RARE_SHARE = 0.0002

TOPICS = [
    "sync",
    "weekly",
    "kickoff",
    "demo",
    "onboarding",
    "renewal",
    "pricing",
    "roadmap",
    "planning",
    "standup",
    "retro",
    "escalation",
    "integration",
    "security",
    "procurement",
    "discovery",
    "qbr",
    "handoff",
    "training",
    "support",
    "migration",
    "rollout",
    "pilot",
    "expansion",
    "contract",
    "legal",
    "billing",
    "feedback",
    "interview",
    "workshop",
    "check-in",
]
WORDS = [
    "api",
    "dashboard",
    "export",
    "alerts",
    "sso",
    "webhook",
    "analytics",
    "mobile",
    "reporting",
    "permissions",
    "sandbox",
    "latency",
    "outage",
    "invoice",
    "budget",
    "forecast",
    "timeline",
    "stakeholders",
    "champion",
    "blocker",
    "requirements",
    "architecture",
    "compliance",
    "audit",
    "gdpr",
    "soc2",
    "uptime",
    "sla",
    "backlog",
    "sprint",
    "release",
    "beta",
    "launch",
    "scope",
    "metrics",
    "churn",
    "adoption",
    "usage",
    "seats",
    "tier",
    "upgrade",
    "downgrade",
    "discount",
]
FIRST = [
    "ana",
    "ben",
    "carla",
    "dev",
    "eli",
    "fatima",
    "gus",
    "hana",
    "ivan",
    "jo",
    "kai",
    "lena",
    "max",
    "nora",
    "omar",
    "pia",
    "quinn",
    "raj",
    "sara",
    "tom",
]
LAST = [
    "lee",
    "park",
    "diaz",
    "khan",
    "smith",
    "novak",
    "rossi",
    "berg",
    "ito",
    "silva",
    "moreau",
    "chen",
    "okafor",
    "weber",
]
PHRASES = (
    "Thanks everyone for joining today.",
    "Can you share your screen so we can walk through it?",
    "The main blocker is the export to the data warehouse.",
    "We need SSO before the rollout to the wider team.",
    "Let's follow up on pricing next week.",
    "I'll send the recording and the notes after the call.",
)


@dataclass
class Dataset:
    """What the benchmark needs to know of a generated database."""

    db: str
    records: int
    seed: int
    organization_id: str
    token: str
    account_ids: list[str]
    big_account_ids: list[str]
    sample_ids: list[str]
    common_word: str
    rare_word: str
    generated_seconds: float
    imported_seconds: float

    @property
    def path(self) -> Path:
        return Path(self.db)


def cache_paths(cache: Path, records: int, seed: int) -> tuple[Path, Path]:
    stem = f"callvault-{records}-s{seed}"
    return cache / f"{stem}.db", cache / f"{stem}.json"


def prepare(cache: Path, records: int, seed: int, reuse: bool, log) -> Dataset:
    cache.mkdir(parents=True, exist_ok=True)
    db, meta = cache_paths(cache, records, seed)
    if reuse and db.exists() and meta.exists():
        log(f"reusing {db}")
        return Dataset(**json.loads(meta.read_text()))
    for stale in (db, meta, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    dataset = build(db, records, seed, log)
    meta.write_text(json.dumps(asdict(dataset), indent=1))
    return dataset


def build(db: Path, records: int, seed: int, log) -> Dataset:
    rng = random.Random(seed)
    organization_id, token, accounts = _create_tenant(db, rng)
    jsonl = db.with_suffix(".jsonl")
    started = time.perf_counter()
    _write_jsonl(jsonl, records, rng, [domain for _, domain in accounts])
    generated = time.perf_counter() - started
    log(f"generated {records} recordings in {generated:.1f}s ({jsonl})")
    started = time.perf_counter()
    subprocess.run(
        [_venv_bin("callvault"), "import", "jsonl", str(jsonl), "--org", ORG_NAME]
        + ["--db", str(db)],
        check=True,
    )
    imported = time.perf_counter() - started
    log(f"imported through `callvault import jsonl` in {imported:.1f}s")
    jsonl.unlink()
    account_ids, big, sample = _facts(db, organization_id, rng)
    return Dataset(
        db=str(db),
        records=records,
        seed=seed,
        organization_id=organization_id,
        token=token,
        account_ids=account_ids,
        big_account_ids=big,
        sample_ids=sample,
        common_word=COMMON_WORD,
        rare_word=RARE_WORD,
        generated_seconds=round(generated, 1),
        imported_seconds=round(imported, 1),
    )


def _venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _create_tenant(
    db: Path, rng: random.Random
) -> tuple[str, str, list[tuple[str, str]]]:
    """The organization, its token and its accounts, through the service layer
    (what the API's handlers call), so that domains are claimed as in use."""
    from callvault.accounts import service as accounts
    from callvault.accounts.schemas import CreateAccountRequest
    from callvault.kernel import migrate
    from callvault.kernel.db import Database
    from callvault.organizations import service as organizations

    database = Database(f"sqlite:///{db.resolve()}")
    migrate.upgrade(database)
    created: list[tuple[str, str]] = []
    with database.session(write=True) as session:
        organization = organizations.create_organization(
            session, ORG_NAME, [OWN_DOMAIN]
        )
        token = organizations.create_token(session, organization)
        for index in range(ACCOUNTS):
            name = f"{rng.choice(WORDS).title()} {rng.choice(TOPICS).title()} {index}"
            domain = f"{name.split()[0].lower()}-{index}.example.com"
            account = accounts.create_account(
                session,
                organization.id,
                CreateAccountRequest(name=name, domains=[domain]),
            )
            created.append((account.id, domain))
        organization_id = organization.id
    database.dispose()
    return organization_id, token, created


def _write_jsonl(
    path: Path, records: int, rng: random.Random, domains: list[str]
) -> None:
    # Account sizes follow a power law: a few big customers, a long tail.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(domains))]
    sources = [name for name, _ in SOURCES]
    source_weights = [weight for _, weight in SOURCES]
    span_seconds = int(SPAN.total_seconds())
    start_of_span = END - SPAN
    vocabulary = TOPICS + WORDS
    with path.open("wb") as out:
        for index in range(records):
            source = rng.choices(sources, source_weights)[0]
            start = start_of_span + timedelta(seconds=rng.randrange(span_seconds))
            duration = rng.randrange(5 * 60, 90 * 60) * 1000
            people = _participants(rng, domains, weights)
            line = {
                "source": source,
                "external_id": f"{source}-{index:08d}",
                "title": _title(rng, vocabulary),
                "start_time": start.isoformat().replace("+00:00", "Z"),
                "end_time": (start + timedelta(milliseconds=duration))
                .isoformat()
                .replace("+00:00", "Z"),
                "duration_ms": duration,
                "participant_emails": people,
                "url": f"https://{source}.example/calls/{index}",
                "summary": rng.choice(PHRASES),
                "transcript": [
                    {
                        "speaker_name": email.split("@")[0].replace(".", " ").title(),
                        "speaker_email": email,
                        "offset_ms": position * 15_000,
                        "text": rng.choice(PHRASES),
                    }
                    for position, email in enumerate(
                        rng.choices(people, k=rng.randrange(0, 4))
                    )
                ],
            }
            out.write(orjson.dumps(line))
            out.write(b"\n")


def _participants(
    rng: random.Random, domains: list[str], weights: list[float]
) -> list[str]:
    def person(domain: str) -> str:
        return f"{rng.choice(FIRST)}.{rng.choice(LAST)}@{domain}"

    people = [person(OWN_DOMAIN) for _ in range(rng.randrange(1, 3))]
    if rng.random() < NO_ACCOUNT_SHARE:
        if rng.random() < 0.5:
            people.append(person("gmail.com"))
    else:
        domain = rng.choices(domains, weights)[0]
        people += [person(domain) for _ in range(rng.randrange(1, 4))]
    return people


def _title(rng: random.Random, vocabulary: list[str]) -> str:
    words = [rng.choice(vocabulary) for _ in range(rng.randrange(2, 5))]
    if rng.random() < COMMON_SHARE:
        words.insert(rng.randrange(len(words) + 1), COMMON_WORD)
    if rng.random() < RARE_SHARE:
        words.insert(rng.randrange(len(words) + 1), RARE_WORD)
    words[0] = words[0].title()
    return " ".join(words)


def _facts(
    db: Path, organization_id: str, rng: random.Random
) -> tuple[list[str], list[str], list[str]]:
    connection = sqlite3.connect(db)
    # One file, no WAL beside it: Datasette opens it immutable.
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    accounts = [
        row[0]
        for row in connection.execute(
            "SELECT account_id, count(*) AS n FROM call_recordings "
            "WHERE organization_id = ? AND account_id IS NOT NULL "
            "GROUP BY account_id ORDER BY n DESC",
            (organization_id,),
        )
    ]
    ids = [
        row[0]
        for row in connection.execute(
            "SELECT id FROM call_recordings WHERE organization_id = ?",
            (organization_id,),
        )
    ]
    connection.close()
    return accounts, accounts[:10], rng.sample(ids, min(1000, len(ids)))
