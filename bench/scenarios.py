"""The scenarios, each said three ways: a callvault request, the same question
as Datasette table filters (or n/a where they cannot say it), and the SQL
callvault's own search code builds for it (the floor).

A scenario is a list of variants sent in turn (different ids, accounts,
months), so that a run is not one cached answer repeated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import orjson

from bench.dataset import Dataset

PAGE_DEPTH = 50


@dataclass
class Variant:
    filter: dict[str, Any] | None = None
    limit: int = 100
    # Table filters for Datasette; None: it has no way to say this filter.
    datasette: dict[str, str] | None = field(default_factory=dict)
    get_id: str | None = None
    # Filled in per system for the deep-page scenario.
    cursor: str | None = None
    datasette_next: str | None = None


@dataclass
class Scenario:
    name: str
    description: str
    variants: list[Variant]
    deep: bool = False

    @property
    def datasette_can(self) -> bool:
        return any(v.datasette is not None for v in self.variants)


def leaf(field_name: str, operator: str, value: Any = None) -> dict[str, Any]:
    node: dict[str, Any] = {"field": field_name, "operator": operator}
    if isinstance(value, list):
        node["values"] = value
    elif value is not None:
        node["value"] = value
    return node


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _stored(moment: datetime) -> str:
    # How callvault stores instants in SQLite: naive UTC text.
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _months() -> list[tuple[datetime, datetime]]:
    months = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(22):
        end = (start + timedelta(days=32)).replace(day=1)
        months.append((start, end))
        start = end
    return months


def build(dataset: Dataset) -> list[Scenario]:
    rng = random.Random(7)
    accounts = dataset.account_ids[:50]
    ids = dataset.sample_ids[:500]
    months = _months()
    pairs = [["gong", "zoom"], ["fathom", "grain"], ["granola", "fireflies"]]

    get_by_id = Scenario(
        "get by id",
        "GET one recording (500 ids in turn)",
        [Variant(get_id=i, datasette={"id": i, "_size": "1"}) for i in ids],
    )
    account = Scenario(
        "account equals",
        "account_id equals (the 50 biggest accounts in turn), 100 a page",
        [
            Variant(leaf("account_id", "equals", a), datasette={"account_id": a})
            for a in accounts
        ],
    )
    source = Scenario(
        "source in",
        "source in two values, 100 a page",
        [
            Variant(
                leaf("source", "in", pair), datasette={"source__in": ",".join(pair)}
            )
            for pair in pairs
        ],
    )
    month = Scenario(
        "one month",
        "start_time time_range of one month (22 months in turn), 100 a page",
        [
            Variant(
                leaf("start_time", "time_range", [_stamp(a), _stamp(b)]),
                datasette={
                    "start_time__gte": _stored(a),
                    "start_time__lt": _stored(b),
                },
            )
            for a, b in months
        ],
    )
    common = Scenario(
        "title common",
        f"title string_contains {dataset.common_word!r} (~1 title in 10)",
        [
            Variant(
                leaf("title", "string_contains", dataset.common_word),
                datasette={"title__contains": dataset.common_word},
            )
        ],
    )
    rare = Scenario(
        "title rare",
        f"title string_contains {dataset.rare_word!r} (~1 title in 5,000)",
        [
            Variant(
                leaf("title", "string_contains", dataset.rare_word),
                datasette={"title__contains": dataset.rare_word},
            )
        ],
    )
    nested = Scenario(
        "nested and/or",
        "and(or(account a, account b), or(source gong, title contains 'demo'))",
        [
            Variant(
                {
                    "operator": "and",
                    "subfilters": [
                        {
                            "operator": "or",
                            "subfilters": [
                                leaf("account_id", "equals", a),
                                leaf("account_id", "equals", b),
                            ],
                        },
                        {
                            "operator": "or",
                            "subfilters": [
                                leaf("source", "equals", "gong"),
                                leaf("title", "string_contains", "demo"),
                            ],
                        },
                    ],
                },
                datasette=None,
            )
            for a, b in zip(accounts[::2], accounts[1::2], strict=True)
        ],
    )
    page100 = Scenario("page 100", "no filter, 100 a page", [Variant()])
    page1000 = Scenario("page 1000", "no filter, 1,000 a page", [Variant(limit=1000)])
    deep = Scenario(
        "page 50 of 100s",
        f"no filter, 100 a page: page {PAGE_DEPTH} alone (keyset cursor / _next)",
        [Variant()],
        deep=True,
    )
    weights = [
        (get_by_id, 40),
        (account, 15),
        (source, 10),
        (month, 10),
        (common, 10),
        (rare, 5),
        (nested, 10),
    ]
    mixed_variants = []
    for _ in range(400):
        scenario = rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
        mixed_variants.append(rng.choice(scenario.variants))
    mixed = Scenario(
        "mixed",
        "get 40%, account 15%, source 10%, month 10%, title common 10% / rare 5%, "
        "nested 10% (Datasette: the same mix without nested)",
        mixed_variants,
    )
    return [
        get_by_id,
        account,
        source,
        month,
        common,
        rare,
        nested,
        page100,
        page1000,
        deep,
        mixed,
    ]


# --- callvault over HTTP -------------------------------------------------


def deep_enough(dataset: Dataset) -> bool:
    """Whether the tenant has a page PAGE_DEPTH of 100 and one after it,
    so that the deep scenario reads that page and not the last or the first
    again (a last page's cursor is "", which starts over)."""
    return dataset.records > PAGE_DEPTH * 100


def search_body(variant: Variant) -> dict[str, Any]:
    body: dict[str, Any] = {"limit": variant.limit}
    if variant.filter is not None:
        body["filter"] = variant.filter
    if variant.cursor:
        body["cursor"] = variant.cursor
    return body


def callvault_request(dataset: Dataset, variant: Variant):
    from bench.load import Request

    auth = (("Authorization", f"Bearer {dataset.token}"),)
    if variant.get_id is not None:
        return Request("GET", f"/call-recordings/{variant.get_id}", headers=auth)
    return Request(
        "POST",
        "/call-recordings/search",
        orjson.dumps(search_body(variant)),
        headers=auth,
    )


def callvault_rows(payload: bytes) -> int:
    data = orjson.loads(payload)["data"]
    return 1 if isinstance(data, dict) else len(data)


# --- Datasette over HTTP -------------------------------------------------


def datasette_path(database: str, dataset: Dataset, variant: Variant) -> str | None:
    if variant.datasette is None:
        return None
    params = {
        "organization_id": dataset.organization_id,
        "_sort_desc": "start_time",
        "_size": str(variant.limit),
        "_nocount": "1",
        "_nofacet": "1",
        "_nosuggest": "1",
        # The recording's columns, as the table held them before callvault
        # kept each response's JSON in it (migration 0005), so that Datasette
        # does not read and encode that text too; it made no difference
        # beyond noise (page 100: 160 rps with it, 164 without).
        "_nocol": "document",
        **variant.datasette,
    }
    if variant.datasette_next:
        params["_next"] = variant.datasette_next
    return f"/{database}/call_recordings.json?{urlencode(params)}"


def datasette_rows(payload: bytes) -> int:
    return len(orjson.loads(payload)["rows"])
