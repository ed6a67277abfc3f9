"""Mints of lock batches (issue #11): a tokenization records the registry's lock id and the mint batch it
was attested in; ``mint_batches`` holds each batch's Merkle root of locks, deadline, leaves and signatures.
The per-tokenization attestation (nonce, deadline, signatures, send_attempted) is gone.

A tokenization attested under the old format cannot be minted by the new contract (attestations bind
registry lock ids): such rows go back to ``immobilized``, where the engine reads their lock again.

Revision ID: 0002_lock_batches
Revises: 0001_engine_schema
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_lock_batches"
down_revision: str | None = "0001_engine_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mint_batches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("locks_root", sa.String(66), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("tokenization_ids", sa.JSON(), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("attested_by", sa.JSON(), nullable=False),
        sa.Column("send_attempted", sa.Boolean(), nullable=False),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    tokenizations = sa.table("tokenizations", sa.column("step", sa.String()))
    op.execute(tokenizations.update().where(tokenizations.c.step == "attested").values(step="immobilized"))
    with op.batch_alter_table("tokenizations") as batch:
        batch.add_column(sa.Column("lock_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("mint_batch_id", sa.Integer(), nullable=True))
        batch.create_index(op.f("ix_tokenizations_lock_id"), ["lock_id"])
        batch.create_index(op.f("ix_tokenizations_mint_batch_id"), ["mint_batch_id"])
        batch.create_foreign_key(op.f("tokenizations_mint_batch_id_fkey"), "mint_batches", ["mint_batch_id"], ["id"])
        for column in ("nonce", "deadline", "signatures", "send_attempted"):
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("tokenizations") as batch:
        batch.add_column(sa.Column("nonce", sa.String(78), nullable=True))
        batch.create_unique_constraint("tokenizations_nonce_key", ["nonce"])
        batch.add_column(sa.Column("deadline", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signatures", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("send_attempted", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint(op.f("tokenizations_mint_batch_id_fkey"), type_="foreignkey")
        batch.drop_index(op.f("ix_tokenizations_mint_batch_id"))
        batch.drop_index(op.f("ix_tokenizations_lock_id"))
        batch.drop_column("mint_batch_id")
        batch.drop_column("lock_id")
    op.drop_table("mint_batches")
