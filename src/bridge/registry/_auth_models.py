"""Storage of API keys (tables ``registry_api_keys`` and ``registry_api_key_accounts``).

Declared on the ledger's ``Base`` so the migrations' schema check covers them; imported by the package
``__init__`` so the tables are always part of ``Base.metadata``. The ledger itself never reads them:
keys decide who may call it, they are not ledger state (not journaled, not in ``snapshot()``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.registry.models import Base


class ApiKey(Base):
    """One API key: only its sha256 is stored; ``prefix`` (the key's first characters) identifies it."""

    __tablename__ = "registry_api_keys"
    __table_args__ = (UniqueConstraint("key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    operator: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiKeyAccount(Base):
    """A registry account an API key acts for."""

    __tablename__ = "registry_api_key_accounts"
    __table_args__ = (Index("ix_registry_api_key_accounts_account", "account_id"),)

    key_id: Mapped[int] = mapped_column(ForeignKey("registry_api_keys.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("registry_accounts.id"), primary_key=True)
