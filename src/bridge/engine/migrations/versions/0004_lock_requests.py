"""Locks in groups (issue #12): a tokenization waiting for its registry lock is locked with others of its
custodian in one ``immobilize_many`` request; ``lock_request`` names that request (its registry request id),
saved on every member before it is sent, so a retry after a crash sends the very same request.

Revision ID: 0004_lock_requests
Revises: 0003_claims
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_lock_requests"
down_revision: str | None = "0003_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tokenizations") as batch:
        batch.add_column(sa.Column("lock_request", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tokenizations") as batch:
        batch.drop_column("lock_request")
