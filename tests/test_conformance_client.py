"""The official Pylon client (`usepylon` 0.1.0a4) against `callvault serve`
running as its own process, set up with the CLI as an operator would.

Any exception the client raises, other than the NotFoundError asked for at the
end, fails the test: a missing or mistyped field in any response is a
ParsingError or a pydantic ValidationError inside the client.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from usepylon import Pylon
from usepylon.errors import NotFoundError
from usepylon.types import CreateCallRecordingMessageRequest, CustomFieldValue
from usepylon.types.custom_field_definition_select_option import (
    CustomFieldDefinitionSelectOption,
)

from tests.factories import FIELD_SPECS
from tests.live import engine_database, run_cli, serve_process

ORG = "Conformance"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pylon]:
    with engine_database(tmp_path_factory.mktemp("conformance")) as url:
        created = run_cli(url, "orgs", "create", ORG, "--domain", "vendor.example")
        assert created.returncode == 0, created.stderr
        token = run_cli(url, "tokens", "create", "--org", ORG)
        assert token.returncode == 0, token.stderr
        with serve_process(url) as server:
            yield Pylon(
                token=token.stdout.strip(), base_url=server.base_url, max_retries=0
            )


def _options(spec: dict[str, object]) -> list[CustomFieldDefinitionSelectOption] | None:
    options = spec.get("select_options")
    if not isinstance(options, list):
        return None
    return [CustomFieldDefinitionSelectOption(label=o["label"]) for o in options]


def test_the_official_client_drives_every_operation(client: Pylon) -> None:
    me = client.me.get().data
    assert me.name == ORG
    assert me.user.email == ""

    fields = {}
    for kind, spec, _, _ in FIELD_SPECS:
        field = client.custom_fields.create(
            label=f"{kind.title()} field",
            object_type="meeting",
            type=kind,
            description=f"A {kind} field.",
            select_options=_options(spec),
        ).data
        assert (field.type, field.slug, field.source) == (kind, f"{kind}_field", "api")
        assert field.description == f"A {kind} field."
        assert field.is_read_only is False
        fields[kind] = field
    assert fields["multiselect"].select_metadata is not None
    assert [o.slug for o in fields["multiselect"].select_metadata.options or []] == [
        "pricing",
        "security",
    ]
    listed = client.custom_fields.list(object_type="meeting").data
    assert [f.id for f in listed] == [f.id for f in fields.values()]
    assert client.custom_fields.get(fields["date"].id).data == fields["date"]

    account = client.accounts.create(
        name="Customer Inc", domains=["customer.example"], account_type="customer"
    ).data
    assert account.domains == ["customer.example"]
    assert account.primary_domain == "customer.example"
    assert client.accounts.get(account.id).data == account
    assert [a.id for a in client.accounts.list(limit=1)] == [account.id]

    start = datetime(2025, 2, 3, 14, 0, tzinfo=UTC)
    end = datetime(2025, 2, 3, 14, 45, 30, tzinfo=UTC)
    messages = [
        CreateCallRecordingMessageRequest(
            speaker_email="ana@customer.example",
            speaker_name="Ana",
            message_content="Our exports fail since Tuesday.",
            message_at_ms=0,
        ),
        CreateCallRecordingMessageRequest(
            speaker_name="Sam",
            message_content="Let's look at the logs.",
            message_at_ms=4200,
        ),
    ]
    created = client.call_recordings.create(
        app_type="custom_call_recorder",
        call_recording_messages=messages,
        start_time=start,
        end_time=end,
        participant_emails="ana@customer.example, sam@vendor.example",
        primary_user_email="sam@vendor.example",
        recording_id="conf-1",
        recording_url="https://recorder.example/conf-1",
        title="Export failures",
    ).data
    assert created.account_id == account.id
    assert created.start_time == start and created.end_time == end
    assert created.duration_ms == 45 * 60_000 + 30_000
    assert created.external_id == "conf-1"
    assert created.source == "custom_call_recorder"
    assert created.title == "Export failures"
    assert created.url == "https://recorder.example/conf-1"
    assert created.summary == ""
    assert created.participant_emails == ["ana@customer.example", "sam@vendor.example"]
    assert created.custom_fields == {}

    repeated = client.call_recordings.create(
        app_type="custom_call_recorder",
        call_recording_messages=messages[:1],
        start_time=start,
        end_time=end,
        participant_emails="ana@customer.example",
        recording_id="conf-1",
        title="Something else",
    ).data
    assert repeated == created

    fetched = client.call_recordings.get(created.id).data
    assert fetched == created

    unlinked = client.call_recordings.update(created.id, account_id="").data
    assert unlinked.account_id == ""

    values = [
        CustomFieldValue(slug=fields[kind].slug, **given)
        for kind, _, given, _ in FIELD_SPECS
    ]
    updated = client.call_recordings.update(created.id, custom_fields=values).data
    assert updated.custom_fields is not None
    for kind, _, _, answered in FIELD_SPECS:
        value = updated.custom_fields[fields[kind].slug]
        assert value is not None
        assert value.slug == fields[kind].slug
        assert (value.value, value.values) == (
            answered.get("value"),
            answered.get("values"),
        )
    assert client.call_recordings.get(created.id).data == updated

    cleared = client.call_recordings.update(
        created.id,
        custom_fields=[CustomFieldValue(slug=f.slug) for f in fields.values()],
    ).data
    assert cleared.custom_fields == {}
    assert cleared.account_id == ""

    deleted = client.call_recordings.delete(created.id)
    assert deleted.request_id.startswith("req_")
    with pytest.raises(NotFoundError) as raised:
        client.call_recordings.get(created.id)
    assert raised.value.status_code == 404
    assert raised.value.body.code == "not_found"
