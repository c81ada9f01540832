from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callvault.kernel.db import Base, UTCDateTime, new_id
from callvault.kernel.times import as_created, utcnow


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_org_created", "organization_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str] = mapped_column(String(50), default="customer")
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_url: Mapped[str] = mapped_column(String(2048), default="")
    primary_domain: Mapped[str | None] = mapped_column(String(253), nullable=True)
    latest_customer_activity_time: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=as_created)

    domains: Mapped[list[AccountDomain]] = relationship(
        back_populates="account",
        cascade="all, delete-orphan",
        order_by="AccountDomain.position",
        lazy="selectin",
    )


class AccountDomain(Base):
    """A domain claimed by an account; at most one account per organization."""

    __tablename__ = "account_domains"
    __table_args__ = (UniqueConstraint("organization_id", "domain"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(253))
    position: Mapped[int] = mapped_column(default=0)

    account: Mapped[Account] = relationship(back_populates="domains")
