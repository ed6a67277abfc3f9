"""Idempotency keys scoped per principal: ``registry_journal.actor_scope`` and a unique (actor_scope, request_id).

A request id was one registry-wide namespace, so any registry user could take the id another one (the
bridge engine) was about to use. Now an entry with a request id also records whose it is: ``account:<id>``
of the acting account, or ``operator``; the same id by another principal is another request. Existing
entries get their scope from their payload (the acting account, in either of the two payload forms the
journal has had). The journal stays append-only: its guards are lifted only while this migration writes
the new column, and the hash chain is untouched (the scope follows from the hashed payload).

Revision ID: 0003_scoped_idempotency
Revises: 0002
Create Date: 2025-12-05
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_scoped_idempotency"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "registry_journal"
_SQLITE_GUARDS = ("UPDATE", "DELETE")


def _lift_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {_TABLE} DISABLE TRIGGER registry_journal_append_only")
    else:  # a batch migration copies the table, and SQLite drops a table's triggers with it
        for action in _SQLITE_GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS registry_journal_no_{action.lower()}")


def _restore_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {_TABLE} ENABLE TRIGGER registry_journal_append_only")
    else:
        for action in _SQLITE_GUARDS:
            op.execute(
                f"CREATE TRIGGER registry_journal_no_{action.lower()} BEFORE {action} ON {_TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'registry_journal is append-only'); END"
            )


def _scope(payload: dict[str, Any]) -> str:
    """The scope of an entry's acting account (older payloads carry it inside ``request``)."""
    request = payload.get("request") or {}
    actor = request["actor_account"] if "actor_account" in request else payload.get("actor_account")
    return f"account:{actor}" if isinstance(actor, int) and not isinstance(actor, bool) else "operator"


def _fill_scopes() -> None:
    bind = op.get_bind()
    journal = sa.table(_TABLE, sa.column("seq"), sa.column("payload"), sa.column("actor_scope"))
    rows = bind.execute(sa.select(journal.c.seq, journal.c.payload).where(sa.text("request_id IS NOT NULL"))).all()
    for seq, payload in rows:
        scope = _scope(json.loads(payload))
        bind.execute(sa.update(journal).where(journal.c.seq == seq).values(actor_scope=scope))


def upgrade() -> None:
    _lift_guards()
    op.add_column(_TABLE, sa.Column("actor_scope", sa.String(length=40), nullable=True))
    _fill_scopes()
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_constraint(op.f("uq_registry_journal_request_id"), type_="unique")
        batch.create_unique_constraint(op.f("uq_registry_journal_actor_scope"), ["actor_scope", "request_id"])
        batch.create_check_constraint(
            op.f("ck_registry_journal_actor_scope_with_request_id"), "(actor_scope IS NULL) = (request_id IS NULL)"
        )
    _restore_guards()


def downgrade() -> None:
    # fails (unique request_id) once two principals have used the same request id: nothing is lost silently
    _lift_guards()
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_constraint(op.f("ck_registry_journal_actor_scope_with_request_id"), type_="check")
        batch.drop_constraint(op.f("uq_registry_journal_actor_scope"), type_="unique")
        batch.create_unique_constraint(op.f("uq_registry_journal_request_id"), ["request_id"])
        batch.drop_column("actor_scope")
    _restore_guards()
