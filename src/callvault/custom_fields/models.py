from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callvault.kernel.db import Base, UTCDateTime, new_id
from callvault.kernel.times import as_created, utcnow


class CustomField(Base):
    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("organization_id", "object_type", "slug"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    object_type: Mapped[str] = mapped_column(String(32))
    slug: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32), default="api")
    is_read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Select types: [{"slug": ..., "label": ...}] in the order given.
    options: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=as_created)
