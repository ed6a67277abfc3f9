"""Projects name their developer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registry_projects") as table:
        table.add_column(sa.Column("project_developer", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registry_projects") as table:
        table.drop_column("project_developer")
