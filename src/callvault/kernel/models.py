"""Every table, imported in one place so that Alembic sees the whole schema."""

from callvault.accounts.models import Account, AccountDomain
from callvault.custom_fields.models import CustomField
from callvault.kernel.db import Base
from callvault.organizations.models import ApiToken, Organization
from callvault.recordings.models import CallRecording, RecordingFieldValue, Utterance
from callvault.webhooks.models import WebhookDelivery, WebhookSecret, WebhookSigningKey

metadata = Base.metadata

__all__ = [
    "Account",
    "AccountDomain",
    "ApiToken",
    "CallRecording",
    "CustomField",
    "Organization",
    "RecordingFieldValue",
    "Utterance",
    "WebhookDelivery",
    "WebhookSecret",
    "WebhookSigningKey",
    "metadata",
]
