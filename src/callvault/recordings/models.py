from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callvault.kernel.db import Base, UTCDateTime, new_id
from callvault.kernel.times import as_created, utcnow


class CallRecording(Base):
    __tablename__ = "call_recordings"
    __table_args__ = (
        UniqueConstraint("organization_id", "source", "external_id"),
        # Search order is (start_time desc, id desc) within one organization;
        # each allowed filter has an index that starts with the tenant.
        Index("ix_recordings_org_start", "organization_id", "start_time", "id").ddl_if(
            dialect="postgresql"
        ),
        # SQLite walks it for a common title needle without reading the
        # table rows that do not match (migration 0004).
        Index(
            "ix_recordings_org_start_title",
            "organization_id",
            "start_time",
            "id",
            "title_folded",
        ).ddl_if(dialect="sqlite"),
        Index(
            "ix_recordings_org_account_start",
            "organization_id",
            "account_id",
            "start_time",
            "id",
        ),
        Index(
            "ix_recordings_org_source_start",
            "organization_id",
            "source",
            "start_time",
            "id",
        ),
        # Title indexes differ by dialect (md5(title) on PostgreSQL, FTS5 and
        # pg_trgm for string_contains): see migration 0002.
        Index(
            "ix_recordings_org_title_start",
            "organization_id",
            "title",
            "start_time",
            "id",
        ).ddl_if(dialect="sqlite"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text, default="")
    # Unicode case folding of the title, for case-insensitive contains.
    title_folded: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(2048), default="")
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    end_time: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    participant_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    calendar_event_id: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=as_created)


class Utterance(Base):
    """One line of a transcript, in call order."""

    __tablename__ = "utterances"

    recording_id: Mapped[str] = mapped_column(
        ForeignKey("call_recordings.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    speaker_name: Mapped[str] = mapped_column(String(500), default="")
    speaker_email: Mapped[str] = mapped_column(String(320), default="")
    offset_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    text: Mapped[str] = mapped_column(Text)


class RecordingFieldValue(Base):
    """One custom field's value on one recording: a row per field, so that
    concurrent updates of different fields never overwrite each other."""

    __tablename__ = "recording_field_values"

    recording_id: Mapped[str] = mapped_column(
        ForeignKey("call_recordings.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[str] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # A string for single-valued types, a list of strings for multiselect.
    value: Mapped[Any] = mapped_column(JSON)
