"""Claims (issue #15): the rows workers lock with ``SELECT ... FOR UPDATE SKIP LOCKED`` to share the flows
of one engine database (``bridge.engine.claims``).

Revision ID: 0003_claims
Revises: 0002_lock_batches
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_claims"
down_revision: str | None = "0002_lock_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("item", sa.String(80), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("claims")
