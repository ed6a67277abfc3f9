"""Cercarbono (EcoRegistry): its issued batches, whose serials name a batch, not units."""

from __future__ import annotations

import ast
from typing import Final

from bridge.registry.countries import UNKNOWN_COUNTRY
from bridge.registry.imports import cells
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_fields
from bridge.registry.imports.formats.records import Action, RowRecords, defaults, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("CERCARBONO", ccp_eligible=False, corsia_phases=())
CERCARBONO_PROJECT_GROUPS: Final = 7
"""A Cercarbono batch id's first groups (``CDC_1_1_1_321_14_1``) stay the same across the batches of one
project in its export (``..._1_2008``, ``..._1_2009``): they name the project, which the export gives no
column for."""


def read_issuance(row: Row) -> RowRecords:
    serial = cells.text(row, "serial", required=True) or ""
    quantity = cells.tonnes(row, "issued_quantity", PROGRAM.unit_decimals) or 0
    first, last = cells.period(row, "vintage_of_credits", required=True) or (None, None)
    project_id = "_".join(serial.split("_")[:CERCARBONO_PROJECT_GROUPS])
    project = project_fields(
        "CERCARBONO",
        project_id,
        name=f"Cercarbono project {project_id}",
        country=UNKNOWN_COUNTRY,
        sdg_goals=_goals(row),
    )
    issuance = defaults(
        {
            "quantity": quantity,
            "serial": serial,
            "vintage_start": first,
            "vintage_end": last,
            "issued_on": cells.day(row, "issuance_date"),
            "source_fields": source_fields(row, ISSUANCES.mapped),
        }
    )
    action = Action("move_to_buffer", serial) if cells.flag(row, "is_buffer") else None
    return RowRecords(project=project, issuance=issuance, action=action, units=quantity)


def _goals(row: Row) -> list[int]:
    text = row.text("global_goals") or "[]"
    try:
        goals = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise cells.refuse(row, "global_goals", "is not a list") from None
    numbers = [goal.get("code") if isinstance(goal, dict) else goal for goal in goals]
    if not all(isinstance(n, int | str) and str(n).isdigit() and 1 <= int(n) <= 17 for n in numbers):
        raise cells.refuse(row, "global_goals", "names something that is no UN SDG (1-17)")
    return sorted({int(n) for n in numbers})


ISSUANCES: Final = declared("cercarbono-issuances", PROGRAM, read_issuance)
