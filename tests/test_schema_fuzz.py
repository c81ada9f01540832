"""The published contract (spec/call-recordings.openapi.json) fuzzed with
schemathesis against the live server over real HTTP: no 5xx, no undocumented
status, no response that violates the schema.

Generated path ids and custom field slugs are mostly swapped for real ones of
a prepared organization, so that updates land on recordings and fields that
exist instead of ending in 404s and 400s.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import FIELD_SPECS, field_body, recording_body
from tests.live import LiveServer

SPEC = Path(__file__).resolve().parent.parent / "spec" / "call-recordings.openapi.json"
# The contract's operations under test; each one the server implements is listed.
OPERATIONS = [
    "GetCallRecording",
    "UpdateCallRecording",
    "SearchCallRecordings",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(str(SPEC)).include(operation_id=OPERATIONS)


@dataclass
class Target:
    base_url: str
    token: str
    recording_ids: list[str]
    account_ids: list[str]
    slugs: list[str]


@pytest.fixture(scope="module")
def target(server: LiveServer) -> Target:
    org = server.new_org(domains=["vendor.example"])
    with server.client(org.token) as api:
        slugs = [
            api.post("/custom-fields", json=field_body(kind)).json()["data"]["slug"]
            for kind, *_ in FIELD_SPECS
        ]
        accounts = [
            api.post("/accounts", json={"name": f"Fuzz {i}"}).json()["data"]["id"]
            for i in range(2)
        ]
        recordings = [
            api.post("/call-recordings", json=recording_body()).json()["data"]["id"]
            for _ in range(3)
        ]
    return Target(server.base_url, org.token, recordings, accounts, slugs)


def pick(seed: int, generated: Any, real: list[Any]) -> Any:
    """A real value in n cases of n+1, the generated one otherwise."""
    index = seed % (len(real) + 1)
    return real[index] if index < len(real) else generated


def aim_at_real_objects(case: Any, target: Target) -> None:
    if case.method.upper() != case.operation.method.upper():
        # Probes of methods the contract does not list (DELETE is the
        # official client's) must not remove the prepared recordings.
        return
    # The choice follows from the generated inputs alone, so that Hypothesis
    # replays and shrinks a failing case to the same request.
    seed = zlib.crc32(repr((case.path_parameters, case.body)).encode())
    if "id" in (case.path_parameters or {}):
        generated = case.path_parameters["id"]
        case.path_parameters["id"] = pick(seed, generated, target.recording_ids)
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("account_id"), str):
        choices = [*target.account_ids, ""]
        body["account_id"] = pick(seed >> 4, body["account_id"], choices)
    entries = body.get("custom_fields")
    for position, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and "slug" in entry:
            entry["slug"] = pick(seed >> (8 + position), entry["slug"], target.slugs)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_contract_operations_conform_to_the_published_schema(
    case: Any, target: Target
) -> None:
    aim_at_real_objects(case, target)
    # Every case carries the real token, also those generated without one.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {target.token}"}

    case.call_and_validate(base_url=target.base_url, checks=CHECKS)
