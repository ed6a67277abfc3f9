"""Real registry data: program units, per-issuance labels, the project fields registries publish, and
unit numbering per issuance where registries number every issuance from 1.

* programs: ``unit_decimals`` (one unit is 10**-unit_decimals tonne). Existing programs keep 0: the
  quantities already recorded were counted in tonnes.
* projects: CORSIA eligibility per phase (``corsia_pilot``, ``corsia_first_phase``: yes/no/unknown) replaces
  ``corsia_eligible`` + ``corsia_phase`` (eligible in the phase named: yes; the rest: unknown); ARB and
  Washington Ecology eligibility, reversibility; methodology name and version, proponent, status,
  crediting period, programme of activities, site; fields kept as text only (``source_fields``);
  ``methodology_category`` and ``sector`` up to 300 characters; Article 6 ``authorized`` and
  ``not_applicable``.
* issuances: the labels in force for their credits (copied from their project), the units deposited into
  the buffer pool at issuance (0 for existing issuances: their buffer deposits are ordinary blocks),
  verification body, ``source_fields``.
* Gold Standard, ACR and CAR number units per issuance (``1 to 2500`` starts every batch), so their
  numbering space becomes ``<program>:<issuance_ref>`` (serials are unchanged); ``unit_space`` takes up
  to 300 characters.

Revision ID: 0004_registry_data
Revises: 0003_scoped_idempotency
Create Date: 2026-04-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_registry_data"
down_revision: str | None = "0003_scoped_idempotency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ELIGIBILITY = ("yes", "no", "unknown")
ELIGIBILITY_LABELS = ("corsia_pilot", "corsia_first_phase", "arb_eligible", "ecology_eligible", "reversible")
ARTICLE6_BEFORE = ("not_authorized", "ndc_use", "other_international_mitigation_purposes", "ndc_and_other_purposes")
ARTICLE6 = (*ARTICLE6_BEFORE, "authorized", "not_applicable")
LABELS = (
    "mitigation_type",
    "ccp_approved",
    *ELIGIBILITY_LABELS[:2],
    "article6_authorization",
    "corresponding_adjustment_declaration",
    "corresponding_adjustment_status",
    *ELIGIBILITY_LABELS[2:],
)
LABEL_CHECKS = {
    "mitigation_type": ("mitigation_type", ("removal", "reduction")),
    "article6_authorization": ("article6_authorization", ARTICLE6),
    "corresponding_adjustment_declaration": ("ca_declaration", ("Committed", "Not Required", "Unknown")),
    "corresponding_adjustment_status": ("ca_status", ("Not Started", "Pending", "Completed", "Not Applicable")),
    **{name: (name, ELIGIBILITY) for name in ELIGIBILITY_LABELS},
}
PER_ISSUANCE_NUMBERING = ("GS", "ACR", "CAR")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _json_default() -> sa.TextClause:
    return sa.text("'{}'")


def upgrade() -> None:
    with op.batch_alter_table("registry_programs") as batch:
        batch.add_column(sa.Column("unit_decimals", sa.Integer(), nullable=False, server_default="0"))
        batch.create_check_constraint(op.f("ck_registry_programs_unit_decimals"), "unit_decimals IN (0, 3)")
    with op.batch_alter_table("registry_programs") as batch:
        batch.alter_column("unit_decimals", server_default=None)

    _upgrade_projects()
    _upgrade_issuances()

    for table in ("registry_issuances", "registry_unit_blocks"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("unit_space", type_=sa.String(length=300), existing_nullable=False)
    programs = ", ".join(repr(code) for code in PER_ISSUANCE_NUMBERING)
    op.execute(
        "UPDATE registry_issuances SET unit_space = (SELECT p.program_code FROM registry_projects p "
        "WHERE p.id = registry_issuances.project_id) || ':' || issuance_ref WHERE project_id IN "
        f"(SELECT id FROM registry_projects WHERE program_code IN ({programs}))"
    )
    op.execute(
        "UPDATE registry_unit_blocks SET unit_space = (SELECT i.unit_space FROM registry_issuances i "
        "WHERE i.id = registry_unit_blocks.issuance_id) WHERE issuance_id IN (SELECT i.id FROM registry_issuances i "
        f"JOIN registry_projects p ON p.id = i.project_id WHERE p.program_code IN ({programs}))"
    )


def _upgrade_projects() -> None:
    with op.batch_alter_table("registry_projects") as batch:
        for name in ELIGIBILITY_LABELS:
            batch.add_column(sa.Column(name, sa.String(length=40), nullable=False, server_default="unknown"))
        for name, length in (
            ("methodology", 300),
            ("methodology_version", 100),
            ("site_location", 300),
            ("site_state", 300),
            ("proponent", 300),
            ("status", 100),
            ("poa_id", 64),
        ):
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch.add_column(sa.Column("crediting_period_start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("crediting_period_end", sa.Date(), nullable=True))
        batch.add_column(sa.Column("activity_structure", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("source_fields", sa.JSON(), nullable=False, server_default=_json_default()))
        batch.alter_column("methodology_category", type_=sa.String(length=300), existing_nullable=False)
        batch.alter_column("sector", type_=sa.String(length=300), existing_nullable=False)
    for phase, column in (("pilot", "corsia_pilot"), ("first", "corsia_first_phase")):
        op.execute(
            f"UPDATE registry_projects SET {column} = 'yes' WHERE corsia_eligible = true AND corsia_phase = '{phase}'"
        )
    with op.batch_alter_table("registry_projects") as batch:
        batch.drop_constraint(op.f("ck_registry_projects_corsia_phase_given"), type_="check")
        batch.drop_constraint(op.f("ck_registry_projects_corsia_phase"), type_="check")
        batch.drop_constraint(op.f("ck_registry_projects_article6_authorization"), type_="check")
    with op.batch_alter_table("registry_projects") as batch:
        batch.drop_column("corsia_phase")
        batch.drop_column("corsia_eligible")
        for name in ELIGIBILITY_LABELS:
            batch.alter_column(name, server_default=None)
            batch.create_check_constraint(op.f(f"ck_registry_projects_{name}"), _in(name, ELIGIBILITY))
        batch.alter_column("source_fields", server_default=None)
        batch.create_check_constraint(
            op.f("ck_registry_projects_article6_authorization"), _in("article6_authorization", ARTICLE6)
        )
        batch.create_check_constraint(
            op.f("ck_registry_projects_activity_structure"),
            _in("activity_structure", ("standalone", "programme", "activity")),
        )
        batch.create_check_constraint(
            op.f("ck_registry_projects_crediting_period"), "crediting_period_start <= crediting_period_end"
        )


def _upgrade_issuances() -> None:
    with op.batch_alter_table("registry_issuances") as batch:
        batch.add_column(sa.Column("mitigation_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("ccp_approved", sa.Boolean(), nullable=True))
        for name in LABELS:
            if name not in ("mitigation_type", "ccp_approved"):
                batch.add_column(sa.Column(name, sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("buffer_quantity", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("verification_body", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("source_fields", sa.JSON(), nullable=False, server_default=_json_default()))
    copies = ", ".join(
        f"{name} = (SELECT p.{name} FROM registry_projects p WHERE p.id = registry_issuances.project_id)"
        for name in LABELS
    )
    op.execute(f"UPDATE registry_issuances SET {copies}")
    with op.batch_alter_table("registry_issuances") as batch:
        batch.alter_column("mitigation_type", existing_type=sa.String(length=40), nullable=False)
        batch.alter_column("ccp_approved", existing_type=sa.Boolean(), nullable=False)
        for name in LABELS:
            if name not in ("mitigation_type", "ccp_approved"):
                batch.alter_column(name, existing_type=sa.String(length=40), nullable=False)
        for name, (check, values) in LABEL_CHECKS.items():
            batch.create_check_constraint(op.f(f"ck_registry_issuances_{check}"), _in(name, values))
        batch.alter_column("buffer_quantity", server_default=None)
        batch.alter_column("source_fields", server_default=None)
        batch.create_check_constraint(
            op.f("ck_registry_issuances_buffer_quantity"), "buffer_quantity >= 0 AND buffer_quantity < quantity"
        )


def downgrade() -> None:
    # Numbering per issuance back to one space per program: refused by the database (unique unit starts)
    # if two issuances of a program both number from 1, as imported registries' do.
    op.execute(
        "UPDATE registry_unit_blocks SET unit_space = (SELECT p.program_code FROM registry_issuances i "
        "JOIN registry_projects p ON p.id = i.project_id WHERE i.id = registry_unit_blocks.issuance_id) "
        "WHERE unit_space LIKE 'GS:%' OR unit_space LIKE 'ACR:%' OR unit_space LIKE 'CAR:%'"
    )
    op.execute(
        "UPDATE registry_issuances SET unit_space = (SELECT p.program_code FROM registry_projects p "
        "WHERE p.id = registry_issuances.project_id) "
        "WHERE unit_space LIKE 'GS:%' OR unit_space LIKE 'ACR:%' OR unit_space LIKE 'CAR:%'"
    )
    for table in ("registry_issuances", "registry_unit_blocks"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("unit_space", type_=sa.String(length=120), existing_nullable=False)

    with op.batch_alter_table("registry_issuances") as batch:
        for _name, (check, _values) in LABEL_CHECKS.items():
            batch.drop_constraint(op.f(f"ck_registry_issuances_{check}"), type_="check")
        batch.drop_constraint(op.f("ck_registry_issuances_buffer_quantity"), type_="check")
    with op.batch_alter_table("registry_issuances") as batch:
        for name in (*LABELS, "buffer_quantity", "verification_body", "source_fields"):
            batch.drop_column(name)

    with op.batch_alter_table("registry_projects") as batch:
        batch.add_column(sa.Column("corsia_eligible", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("corsia_phase", sa.String(length=40), nullable=True))
    op.execute(
        "UPDATE registry_projects SET corsia_eligible = true, corsia_phase = CASE WHEN corsia_first_phase = 'yes' "
        "THEN 'first' ELSE 'pilot' END WHERE corsia_pilot = 'yes' OR corsia_first_phase = 'yes'"
    )
    op.execute(
        "UPDATE registry_projects SET article6_authorization = 'not_authorized' "
        "WHERE article6_authorization IN ('authorized', 'not_applicable')"
    )
    with op.batch_alter_table("registry_projects") as batch:
        for name in ELIGIBILITY_LABELS:
            batch.drop_constraint(op.f(f"ck_registry_projects_{name}"), type_="check")
        for name in ("article6_authorization", "activity_structure", "crediting_period"):
            batch.drop_constraint(op.f(f"ck_registry_projects_{name}"), type_="check")
    with op.batch_alter_table("registry_projects") as batch:
        for name in (
            *ELIGIBILITY_LABELS,
            "methodology",
            "methodology_version",
            "site_location",
            "site_state",
            "proponent",
            "status",
            "poa_id",
            "crediting_period_start",
            "crediting_period_end",
            "activity_structure",
            "source_fields",
        ):
            batch.drop_column(name)
        batch.alter_column("corsia_eligible", server_default=None)
        batch.alter_column("methodology_category", type_=sa.String(length=100), existing_nullable=False)
        batch.alter_column("sector", type_=sa.String(length=100), existing_nullable=False)
        batch.create_check_constraint(
            op.f("ck_registry_projects_article6_authorization"), _in("article6_authorization", ARTICLE6_BEFORE)
        )
        batch.create_check_constraint(
            op.f("ck_registry_projects_corsia_phase"), _in("corsia_phase", ("pilot", "first"))
        )
        batch.create_check_constraint(
            op.f("ck_registry_projects_corsia_phase_given"), "(corsia_phase IS NULL) = (corsia_eligible = false)"
        )

    with op.batch_alter_table("registry_programs") as batch:
        batch.drop_constraint(op.f("ck_registry_programs_unit_decimals"), type_="check")
    with op.batch_alter_table("registry_programs") as batch:
        batch.drop_column("unit_decimals")
