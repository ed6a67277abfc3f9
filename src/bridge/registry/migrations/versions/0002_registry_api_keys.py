"""API keys of the registry API: sha256 hashes of the keys, and the accounts each key acts for.

Revision ID: 0002
Revises: 0001
Create Date: 2024-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_registry_api_keys_key_hash")),
    )
    op.create_table(
        "registry_api_key_accounts",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["registry_accounts.id"],
            name=op.f("fk_registry_api_key_accounts_account_id_registry_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"], ["registry_api_keys.id"], name=op.f("fk_registry_api_key_accounts_key_id_registry_api_keys")
        ),
        sa.PrimaryKeyConstraint("key_id", "account_id", name=op.f("pk_registry_api_key_accounts")),
    )
    op.create_index("ix_registry_api_key_accounts_account", "registry_api_key_accounts", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_registry_api_key_accounts_account", table_name="registry_api_key_accounts")
    op.drop_table("registry_api_key_accounts")
    op.drop_table("registry_api_keys")
