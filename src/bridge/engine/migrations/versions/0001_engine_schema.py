"""The engine database as it was when migrations began: the flows (tokenizations, redemptions, settlements),
retirements, batches, the event feed, the watcher's cursors, and the pools' table.

The tables are those ``create_all`` made from ``bridge.engine.store`` and ``bridge.pools.repository``
(constraint names included: PostgreSQL's defaults, unnamed on SQLite), frozen here as they were.

A database made before migrations (a bridge home's ``bridge.db``, or a PostgreSQL database an older
engine filled) has no version table, so this revision runs on it too: it creates only the tables that
are missing, and gives the existing ones the nullable columns and the indexes older engines lacked
(what ``EngineStore`` used to add on every start). Rows are never touched.

Revision ID: 0001_engine_schema
Revises:
Create Date: 2025-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_engine_schema"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCHEMA = sa.MetaData()


def _big() -> sa.String:
    """``BigUint``: an unsigned 256-bit integer as a 78-digit zero-padded string."""
    return sa.String(78)


def _flow_columns() -> list[sa.Column]:
    """Every flow's random registry request token and its newest transaction."""
    return [
        sa.Column("request_token", sa.String(32), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
    ]


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=True),
    ]


sa.Table(
    "tokenizations",
    _SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("custodian_account", sa.Integer(), nullable=False),
    sa.Column("requested_serial", sa.String(256), nullable=True),
    sa.Column("issuance_id", sa.Integer(), nullable=True),
    sa.Column("requested_quantity", sa.Integer(), nullable=True),
    sa.Column("recipient", sa.String(42), nullable=False),
    sa.Column("step", sa.String(16), nullable=False, index=True),
    sa.Column("error_code", sa.String(64), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    sa.Column("registry_code", sa.String(32), nullable=True),
    sa.Column("source_serial", sa.String(256), nullable=True),
    sa.Column("serial", sa.String(256), nullable=True),
    sa.Column("block_start", _big(), nullable=True),
    sa.Column("block_end", _big(), nullable=True),
    sa.Column("quantity", sa.Integer(), nullable=True),
    sa.Column("credit_class", sa.JSON(), nullable=True),
    sa.Column("class_id", sa.String(66), nullable=True),
    sa.Column("token_address", sa.String(42), nullable=True),
    sa.Column("batch_key", sa.String(66), nullable=True, index=True),
    sa.Column("nonce", _big(), nullable=True, unique=True),
    sa.Column("deadline", sa.Integer(), nullable=True),
    sa.Column("signatures", sa.JSON(), nullable=True),
    sa.Column("attested_by", sa.JSON(), nullable=True),
    sa.Column("send_attempted", sa.Boolean(), nullable=False),
    *_flow_columns(),
    sa.Column("mined_block", sa.Integer(), nullable=True),
    *_stamps(),
)

sa.Table(
    "batches",
    _SCHEMA,
    sa.Column("batch_key", sa.String(66), primary_key=True),
    sa.Column("class_id", sa.String(66), nullable=False, index=True),
    sa.Column("token_address", sa.String(42), nullable=False),
    sa.Column("registry_code", sa.String(32), nullable=False),
    sa.Column("original_serial", sa.String(256), nullable=False),
    sa.Column("current_serial", sa.String(256), nullable=True),
    sa.Column("remaining", sa.Integer(), nullable=False),
    sa.Column("tokenization_id", sa.Integer(), sa.ForeignKey("tokenizations.id"), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

sa.Table(
    "redemptions",
    _SCHEMA,
    sa.Column("id", _big(), primary_key=True),
    sa.Column("class_id", sa.String(66), nullable=False),
    sa.Column("holder", sa.String(42), nullable=False),
    sa.Column("tonnes", sa.Integer(), nullable=False),
    sa.Column("registry_account", sa.String(256), nullable=False),
    sa.Column("event_block", sa.Integer(), nullable=False),
    sa.Column("event_block_hash", sa.String(66), nullable=False),
    sa.Column("event_tx", sa.String(66), nullable=False),
    sa.Column("step", sa.String(16), nullable=False, index=True),
    sa.Column("plan", sa.JSON(), nullable=True),
    sa.Column("released_serials", sa.JSON(), nullable=True),
    sa.Column("cancel_reason", sa.Text(), nullable=True),
    sa.Column("error_code", sa.String(64), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    *_flow_columns(),
    *_stamps(),
)

sa.Table(
    "retirements",
    _SCHEMA,
    sa.Column("certificate_id", _big(), primary_key=True),
    sa.Column("class_id", sa.String(66), nullable=False, index=True),
    sa.Column("retiree", sa.String(42), nullable=False),
    sa.Column("amount", _big(), nullable=False),
    sa.Column("settled", _big(), nullable=False),
    sa.Column("beneficiary", sa.Text(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("event_block", sa.Integer(), nullable=False),
    sa.Column("event_block_hash", sa.String(66), nullable=False),
    sa.Column("event_tx", sa.String(66), nullable=False),
    sa.Column("dropped", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("details", sa.JSON(), nullable=True),
    sa.Column("personal_data_hash", sa.String(66), nullable=True),
    sa.Column("disclosed", sa.JSON(), nullable=True),
)

sa.Table(
    "settlements",
    _SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("class_id", sa.String(66), nullable=False, index=True),
    sa.Column("tonnes", sa.Integer(), nullable=False),
    sa.Column("allocations", sa.JSON(), nullable=False),
    sa.Column("plan", sa.JSON(), nullable=False),
    sa.Column("registry_retirements", sa.JSON(), nullable=True),
    sa.Column("step", sa.String(16), nullable=False, index=True),
    sa.Column("error_code", sa.String(64), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    *_flow_columns(),
    *_stamps(),
)

sa.Table(
    "events",
    _SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("block_number", sa.Integer(), nullable=False, index=True),
    sa.Column("block_hash", sa.String(66), nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=False),
    sa.Column("log_index", sa.Integer(), nullable=False),
    sa.Column("contract", sa.String(42), nullable=False),
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("class_id", sa.String(66), nullable=True, index=True),
    sa.Column("args", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("tx_hash", "log_index", name="one_row_per_log"),
    sqlite_autoincrement=True,  # ids only grow: a feed cursor never skips rows written after a reorganization
)

sa.Table(
    "cursors",
    _SCHEMA,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("block", sa.Integer(), nullable=False),
)

sa.Table(
    "pools",
    _SCHEMA,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("address", sa.String(42), nullable=False, unique=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("symbol", sa.String(11), nullable=False),
    sa.Column("preset", sa.String(32), nullable=True),
    sa.Column("request_key", sa.String(160), nullable=False, unique=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("spec", sa.JSON(), nullable=False),
    sa.Column("deployer", sa.String(42), nullable=False),
    sa.Column("deploy_nonce", sa.Integer(), nullable=False),
    sa.Column("step", sa.String(16), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)


def _complete(table: sa.Table, inspector: sa.Inspector) -> None:
    """Give a table an older engine made the nullable columns and the indexes it lacks."""
    present = {column["name"] for column in inspector.get_columns(table.name)}
    for column in table.columns:
        if column.name not in present:
            assert column.nullable, f"{table.name}.{column.name}: an older engine always had it"
            op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))
    indexes = {index["name"] for index in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in indexes:
            op.create_index(index.name, table.name, [c.name for c in index.columns])


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in _SCHEMA.sorted_tables:
        if inspector.has_table(table.name):
            _complete(table, inspector)
        else:
            table.create(bind)


def downgrade() -> None:
    _SCHEMA.drop_all(op.get_bind())
