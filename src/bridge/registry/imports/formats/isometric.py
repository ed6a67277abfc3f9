"""Isometric: its issuances, counted in kilograms, named by an issuance id (no serial)."""

from __future__ import annotations

from typing import Final

from bridge.registry.countries import UNKNOWN_COUNTRY
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.imports import cells
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_fields
from bridge.registry.imports.formats.records import RowRecords, defaults, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("ISOMETRIC", corsia_phases=())

KGS: Final = "credit_batch_size_total.credit_kgs"
TONNES: Final = "credit_batch_size_total.credits"
BUFFER_KGS: Final = "buffer_pool_credit_batch_size_total.credit_kgs"


def read_issuance(row: Row) -> RowRecords:
    kgs = cells.whole(row, KGS) or 0
    tonnes = cells.tonnes(row, TONNES, PROGRAM.unit_decimals, required=False)
    if tonnes is not None and tonnes != kgs:
        raise cells.refuse(row, TONNES, f"is not the {kgs} kg of {KGS}", RegistryErrorCode.QUANTITY_INVALID)
    issued = cells.moment(row, "issued_at", required=True)
    assert issued is not None
    code = row.text("supplier.location.country_code")
    country = cells.country(
        row,
        "supplier.location.country_code" if code else "supplier.location.country_name",
        default=UNKNOWN_COUNTRY,
    )
    organisation = cells.text(row, "supplier.organisation.name")
    project = project_fields(
        "ISOMETRIC",
        cells.text(row, "project_id", required=True) or "",
        name=organisation,
        country=country,
        mitigation_type="removal",
        proponent=organisation,
        site_location=cells.text(row, "supplier.location.description"),
    )
    issuance = defaults(
        {
            "quantity": kgs,
            "serial": cells.text(row, "id", required=True),
            "buffer_quantity": cells.whole(row, BUFFER_KGS, required=False),
            "vintage_start": issued.date(),
            "vintage_end": issued.date(),
            "issued_on": issued.date(),
            "source_fields": source_fields(row, ISSUANCES.mapped),
        }
    )
    return RowRecords(project=project, issuance=issuance, holder=organisation, units=kgs)


ISSUANCES: Final = declared("isometric-issuances", PROGRAM, read_issuance)
