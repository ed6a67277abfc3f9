"""Registry locks: ``registry_locks`` (one row per immobilized block, a dense lock id never reused),
``registry_unit_blocks.lock_id`` (the lock a block's units sit in trust under) and the recipient in the
marketplace identifier (``marketplace_recipient``).

Locks of a registry written before this revision are rebuilt from its journal, exactly as replaying the
journal would make them: every ``immobilize`` entry, in journal order, gives each block it locked the next
lock id. A block still in trust (immobilized, or retired from trust) then carries the newest lock whose
units contain it (and that lock's recipient). The journal itself is untouched: a lock follows from the
entries the hash chain covers.

Revision ID: 0005_locks
Revises: 0003_scoped_idempotency
Create Date: 2025-12-06
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005_locks"
down_revision: str | None = "0004_registry_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LOCKS = "registry_locks"
_BLOCKS = "registry_unit_blocks"


def upgrade() -> None:
    op.create_table(
        _LOCKS,
        sa.Column("lock_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("issuance_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=300), nullable=False),
        sa.Column("unit_space", sa.String(length=120), nullable=False),
        sa.Column("unit_start", sa.BigInteger(), nullable=False),
        sa.Column("unit_end", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("trust_account_id", sa.Integer(), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("marketplace", sa.String(length=100), nullable=False),
        sa.Column("marketplace_chain_id", sa.BigInteger(), nullable=False),
        sa.Column("marketplace_token_address", sa.String(length=200), nullable=False),
        sa.Column("marketplace_batch_id", sa.String(length=200), nullable=False),
        sa.Column("marketplace_recipient", sa.String(length=42), nullable=True),
        sa.Column("marketplace_link", sa.String(length=500), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("lock_id >= 1", name=op.f("ck_registry_locks_lock_id_positive")),
        sa.CheckConstraint("unit_start <= unit_end", name=op.f("ck_registry_locks_start_le_end")),
        sa.CheckConstraint("quantity = unit_end - unit_start + 1", name=op.f("ck_registry_locks_quantity")),
        sa.PrimaryKeyConstraint("lock_id", name=op.f("pk_registry_locks")),
    )
    op.create_index("ix_registry_locks_unit_space_start", _LOCKS, ["unit_space", "unit_start"])
    with op.batch_alter_table(_BLOCKS) as batch:
        batch.add_column(sa.Column("marketplace_recipient", sa.String(length=42), nullable=True))
        batch.add_column(sa.Column("lock_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_registry_unit_blocks_lock_id_registry_locks"), _LOCKS, ["lock_id"], ["lock_id"]
        )
        batch.create_index(op.f("ix_registry_unit_blocks_lock_id"), ["lock_id"])
    _locks_from_the_journal()


def downgrade() -> None:
    with op.batch_alter_table(_BLOCKS) as batch:
        batch.drop_index(op.f("ix_registry_unit_blocks_lock_id"))
        batch.drop_constraint(op.f("fk_registry_unit_blocks_lock_id_registry_locks"), type_="foreignkey")
        batch.drop_column("lock_id")
        batch.drop_column("marketplace_recipient")
    op.drop_index("ix_registry_locks_unit_space_start", table_name=_LOCKS)
    op.drop_table(_LOCKS)


def _actor(payload: dict[str, Any]) -> int | None:
    """The acting account of an entry (older payloads carry it inside ``request``)."""
    request = payload.get("request") or {}
    actor = request["actor_account"] if "actor_account" in request else payload.get("actor_account")
    return actor if isinstance(actor, int) and not isinstance(actor, bool) else None


def _locks_from_the_journal() -> None:
    bind = op.get_bind()
    journal = sa.table(
        "registry_journal",
        sa.column("seq"),
        sa.column("operation"),
        sa.column("payload"),
        sa.column("recorded_at", sa.DateTime()),
    )
    locks = sa.table(
        _LOCKS,
        *(
            sa.column(name)
            for name in (
                "lock_id",
                "seq",
                "issuance_id",
                "serial",
                "unit_space",
                "unit_start",
                "unit_end",
                "quantity",
                "trust_account_id",
                "actor_account_id",
                "marketplace",
                "marketplace_chain_id",
                "marketplace_token_address",
                "marketplace_batch_id",
                "marketplace_recipient",
                "marketplace_link",
                "locked_at",
            )
        ),
    )
    entries = bind.execute(
        sa.select(journal.c.seq, journal.c.payload, journal.c.recorded_at)
        .where(journal.c.operation == "immobilize")
        .order_by(journal.c.seq)
    ).all()
    made: list[dict[str, Any]] = []
    for seq, text, recorded_at in entries:
        payload = json.loads(text)
        request, result = payload.get("request") or {}, payload.get("result") or {}
        identifier = request.get("marketplace_identifier") or {}
        for block in result.get("blocks") or []:
            made.append(
                {
                    "lock_id": len(made) + 1,
                    "seq": seq,
                    "issuance_id": block["issuance_id"],
                    "serial": block["serial"],
                    "unit_space": block["unit_space"],
                    "unit_start": block["start"],
                    "unit_end": block["end"],
                    "quantity": block["quantity"],
                    "trust_account_id": request["trust_account"],
                    "actor_account_id": _actor(payload),
                    "marketplace": request["marketplace"],
                    "marketplace_chain_id": identifier["chain_id"],
                    "marketplace_token_address": identifier["token_address"],
                    "marketplace_batch_id": identifier["batch_id"],
                    "marketplace_recipient": identifier.get("recipient"),
                    "marketplace_link": request.get("marketplace_link"),
                    "locked_at": recorded_at,
                }
            )
    if not made:
        return
    op.bulk_insert(locks, made)  # type: ignore[arg-type]
    blocks = sa.table(
        _BLOCKS,
        sa.column("id"),
        sa.column("unit_space"),
        sa.column("unit_start"),
        sa.column("unit_end"),
        sa.column("marketplace"),
        sa.column("marketplace_recipient"),
        sa.column("lock_id"),
    )
    in_trust = bind.execute(
        sa.select(blocks.c.id, blocks.c.unit_space, blocks.c.unit_start, blocks.c.unit_end).where(
            blocks.c.marketplace.is_not(None)
        )
    ).all()
    for block_id, space, start, end in in_trust:
        owner = next(
            (
                lock
                for lock in reversed(made)
                if lock["unit_space"] == space and lock["unit_start"] <= start and end <= lock["unit_end"]
            ),
            None,
        )
        if owner is not None:  # the block still carries its lock's marketplace record: the recipient too
            values = {"lock_id": owner["lock_id"], "marketplace_recipient": owner["marketplace_recipient"]}
            bind.execute(sa.update(blocks).where(blocks.c.id == block_id).values(**values))
