"""Initial registry schema: programs, projects, accounts, issuances, unit blocks, journal.

Besides the tables (which mirror ``bridge.registry.models``), it installs:

* the journal head row (seq 0, the genesis hash);
* triggers that refuse UPDATE and DELETE (and on PostgreSQL TRUNCATE) of journal entries;
* on PostgreSQL, when the ``btree_gist`` extension is available: exclusion constraints that make
  overlapping unit ranges within one numbering space impossible, for blocks and issuances alike.

Revision ID: 0001
Revises:
Create Date: 2024-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=40)


def _range_checks(table: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint("unit_start >= 1", name=op.f(f"ck_{table}_start_positive")),
        sa.CheckConstraint("unit_start <= unit_end", name=op.f(f"ck_{table}_start_le_end")),
        sa.CheckConstraint("quantity = unit_end - unit_start + 1", name=op.f(f"ck_{table}_quantity")),
    ]


def upgrade() -> None:
    op.create_table(
        "registry_accounts",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "kind", _enum("account_kind", "holding", "trust", "retirement", "cancellation", "buffer"), nullable=False
        ),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", _enum("account_status", "open", "closed"), nullable=False),
        sa.Column("system", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_registry_accounts_closed_at")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_accounts")),
    )
    op.create_index("ix_registry_accounts_kind_system", "registry_accounts", ["kind", "system", "id"])

    op.create_table(
        "registry_journal",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_registry_journal_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_registry_journal")),
        sa.UniqueConstraint("hash", name=op.f("uq_registry_journal_hash")),
        sa.UniqueConstraint("request_id", name=op.f("uq_registry_journal_request_id")),
    )
    op.create_table(
        "registry_ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_registry_ledger_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_ledger_head")),
    )
    op.create_table(
        "registry_programs",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_type", sa.String(length=32), nullable=False),
        sa.Column("category", _enum("program_category", "international", "government", "independent"), nullable=False),
        sa.Column("ccp_eligible", sa.Boolean(), nullable=False),
        sa.Column("corsia_phases", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_registry_programs")),
    )
    op.create_table(
        "registry_projects",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("program_code", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("methodology_id", sa.String(length=64), nullable=False),
        sa.Column("methodology_category", sa.String(length=100), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("sectoral_scope", sa.String(length=32), nullable=False),
        sa.Column("host_country", sa.String(length=2), nullable=False),
        sa.Column("mitigation_type", _enum("mitigation_type", "removal", "reduction"), nullable=False),
        sa.Column("ex_post", sa.Boolean(), nullable=False),
        sa.Column("ccp_approved", sa.Boolean(), nullable=False),
        sa.Column("corsia_eligible", sa.Boolean(), nullable=False),
        sa.Column("corsia_phase", _enum("corsia_phase", "pilot", "first"), nullable=True),
        sa.Column(
            "article6_authorization",
            _enum(
                "article6_authorization",
                "not_authorized",
                "ndc_use",
                "other_international_mitigation_purposes",
                "ndc_and_other_purposes",
            ),
            nullable=False,
        ),
        sa.Column(
            "corresponding_adjustment_declaration",
            _enum("ca_declaration", "Committed", "Not Required", "Unknown"),
            nullable=False,
        ),
        sa.Column(
            "corresponding_adjustment_status",
            _enum("ca_status", "Not Started", "Pending", "Completed", "Not Applicable"),
            nullable=False,
        ),
        sa.Column("sdg_goals", sa.JSON(), nullable=False),
        sa.Column("additional_certifications", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(corsia_phase IS NULL) = (corsia_eligible = false)", name=op.f("ck_registry_projects_corsia_phase_given")
        ),
        sa.CheckConstraint(
            "ccp_approved = false OR ex_post = true", name=op.f("ck_registry_projects_ccp_needs_ex_post")
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["registry_programs.code"],
            name=op.f("fk_registry_projects_program_code_registry_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_projects")),
        sa.UniqueConstraint("program_code", "project_id", name="uq_registry_projects_program_project"),
    )
    op.create_table(
        "registry_issuances",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("vintage_start", sa.Date(), nullable=False),
        sa.Column("vintage_end", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_space", sa.String(length=120), nullable=False),
        sa.Column("unit_start", sa.BigInteger(), nullable=False),
        sa.Column("unit_end", sa.BigInteger(), nullable=False),
        sa.Column("serial", sa.String(length=300), nullable=False),
        sa.Column("issuance_ref", sa.String(length=300), nullable=False),
        sa.Column("issued_to_account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_range_checks("registry_issuances"),
        sa.CheckConstraint("vintage_start <= vintage_end", name=op.f("ck_registry_issuances_vintage")),
        sa.ForeignKeyConstraint(
            ["issued_to_account_id"],
            ["registry_accounts.id"],
            name=op.f("fk_registry_issuances_issued_to_account_id_registry_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["registry_projects.id"], name=op.f("fk_registry_issuances_project_id_registry_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_issuances")),
        sa.UniqueConstraint("serial", name=op.f("uq_registry_issuances_serial")),
        sa.UniqueConstraint("unit_space", "unit_start", name="uq_registry_issuances_unit_space_start"),
    )
    op.create_index("ix_registry_issuances_project", "registry_issuances", ["project_id"])
    op.create_index("ix_registry_issuances_unit_space_end", "registry_issuances", ["unit_space", "unit_end"])

    op.create_table(
        "registry_unit_blocks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issuance_id", sa.Integer(), nullable=False),
        sa.Column("unit_space", sa.String(length=120), nullable=False),
        sa.Column("unit_start", sa.BigInteger(), nullable=False),
        sa.Column("unit_end", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("serial", sa.String(length=300), nullable=False),
        sa.Column(
            "status", _enum("block_status", "held", "immobilized", "retired", "cancelled", "buffer"), nullable=False
        ),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("previous_account_id", sa.Integer(), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("freeze_reason", sa.Text(), nullable=True),
        sa.Column("retirement_beneficiary", sa.String(length=300), nullable=True),
        sa.Column("retirement_reason", sa.Text(), nullable=True),
        sa.Column("retirement_details", sa.Text(), nullable=True),
        sa.Column("retirement_settles", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("marketplace", sa.String(length=100), nullable=True),
        sa.Column("marketplace_chain_id", sa.BigInteger(), nullable=True),
        sa.Column("marketplace_token_address", sa.String(length=200), nullable=True),
        sa.Column("marketplace_batch_id", sa.String(length=200), nullable=True),
        sa.Column("marketplace_link", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *_range_checks("registry_unit_blocks"),
        sa.CheckConstraint(
            "status <> 'retired' OR (retirement_beneficiary IS NOT NULL AND retired_at IS NOT NULL)",
            name=op.f("ck_registry_unit_blocks_retired_details"),
        ),
        sa.CheckConstraint(
            "status <> 'cancelled' OR (cancellation_reason IS NOT NULL AND cancelled_at IS NOT NULL)",
            name=op.f("ck_registry_unit_blocks_cancelled_details"),
        ),
        sa.CheckConstraint(
            "status <> 'immobilized' OR (marketplace IS NOT NULL AND marketplace_token_address IS NOT NULL)",
            name=op.f("ck_registry_unit_blocks_immobilized_details"),
        ),
        sa.CheckConstraint(
            "frozen = false OR freeze_reason IS NOT NULL", name=op.f("ck_registry_unit_blocks_freeze_reason")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["registry_accounts.id"], name=op.f("fk_registry_unit_blocks_account_id_registry_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["issuance_id"],
            ["registry_issuances.id"],
            name=op.f("fk_registry_unit_blocks_issuance_id_registry_issuances"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_account_id"],
            ["registry_accounts.id"],
            name=op.f("fk_registry_unit_blocks_previous_account_id_registry_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_unit_blocks")),
        sa.UniqueConstraint("serial", name=op.f("uq_registry_unit_blocks_serial")),
        sa.UniqueConstraint("unit_space", "unit_start", name="uq_registry_unit_blocks_unit_space_start"),
        sa.UniqueConstraint("unit_space", "unit_end", name="uq_registry_unit_blocks_unit_space_end"),
    )
    op.create_index(
        "ix_registry_unit_blocks_account_selection",
        "registry_unit_blocks",
        ["account_id", "status", "issuance_id", "unit_start"],
    )
    op.create_index("ix_registry_unit_blocks_issuance_start", "registry_unit_blocks", ["issuance_id", "unit_start"])

    op.execute(
        sa.text("INSERT INTO registry_ledger_head (id, last_seq, last_hash) VALUES (1, 0, :genesis)").bindparams(
            genesis=GENESIS_HASH
        )
    )

    if op.get_bind().dialect.name == "postgresql":
        _postgresql_extras()
    else:
        _sqlite_extras()


def _sqlite_extras() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER registry_journal_no_{action.lower()} BEFORE {action} ON registry_journal "
            "BEGIN SELECT RAISE(ABORT, 'registry_journal is append-only'); END"
        )


def _postgresql_extras() -> None:
    op.execute(
        "CREATE FUNCTION registry_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'registry_journal is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER registry_journal_append_only BEFORE UPDATE OR DELETE ON registry_journal "
        "FOR EACH ROW EXECUTE FUNCTION registry_journal_append_only()"
    )
    op.execute(
        "CREATE TRIGGER registry_journal_no_truncate BEFORE TRUNCATE ON registry_journal "
        "FOR EACH STATEMENT EXECUTE FUNCTION registry_journal_append_only()"
    )
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'btree_gist'")
    ).scalar_one()
    if not available:
        return
    installed = bind.execute(sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'")).scalar_one()
    if not installed:
        # btree_gist is a trusted extension: a database owner may create it without superuser rights.
        # Try inside a savepoint, so a refusal leaves the migration's transaction usable.
        bind.execute(sa.text("SAVEPOINT registry_btree_gist"))
        try:
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        except sa.exc.DBAPIError:
            bind.execute(sa.text("ROLLBACK TO SAVEPOINT registry_btree_gist"))
            return
        bind.execute(sa.text("RELEASE SAVEPOINT registry_btree_gist"))
    for table in ("registry_unit_blocks", "registry_issuances"):
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT ex_{table}_no_overlap EXCLUDE USING gist "
            "(unit_space WITH =, int8range(unit_start, unit_end, '[]') WITH &&) DEFERRABLE INITIALLY DEFERRED"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS registry_journal_append_only ON registry_journal")
        op.execute("DROP TRIGGER IF EXISTS registry_journal_no_truncate ON registry_journal")
        op.execute("DROP FUNCTION IF EXISTS registry_journal_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS registry_journal_no_update")
        op.execute("DROP TRIGGER IF EXISTS registry_journal_no_delete")
    op.drop_table("registry_unit_blocks")
    op.drop_table("registry_issuances")
    op.drop_table("registry_projects")
    op.drop_table("registry_programs")
    op.drop_table("registry_ledger_head")
    op.drop_table("registry_journal")
    op.drop_table("registry_accounts")
