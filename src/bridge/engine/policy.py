"""The bridge's eligibility policy: which credits may be tokenized at all.

Checked by the engine before it locks anything, and again by every verifier before it signs.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.registry.schemas import CreditPublic

LABELS = ("ccp_approved", "corsia_eligible", "removal")


class EligibilityPolicy(BaseModel):
    """Rules a credit must meet to be bridged (empty sets mean "no restriction")."""

    model_config = ConfigDict(frozen=True)

    allowed_programs: frozenset[str] = Field(default_factory=frozenset, description="program codes, e.g. VCS, GS")
    blocked_methodologies: frozenset[str] = Field(
        default_factory=frozenset, description="methodology ids never bridged (e.g. discredited ones)"
    )
    min_vintage_year: int | None = Field(default=None, ge=1990, le=2100, description="oldest vintage end year")
    max_vintage_age_years: int | None = Field(default=None, ge=0, le=100, description="vintage end within N years")
    ex_post_only: bool = Field(default=True, description="refuse ex-ante (forward) issuances")
    required_labels: frozenset[str] = Field(default_factory=frozenset, description=f"any of {LABELS}")
    blocked_projects: frozenset[str] = Field(default_factory=frozenset, description="'PROGRAM:project id'")

    def check(self, credit: CreditPublic, *, today: date | None = None) -> None:
        """Raise ``not_eligible`` naming the first rule the credit fails."""
        project, issuance = credit.project, credit.issuance
        program = credit.program.code

        def refuse(rule: str, message: str) -> None:
            raise BridgeError(message, code=BridgeErrorCode.NOT_ELIGIBLE, field=rule)

        if self.allowed_programs and program not in self.allowed_programs:
            refuse("allowed_programs", f"program {program} is not bridged here")
        if f"{program}:{project.project_id}" in self.blocked_projects:
            refuse("blocked_projects", f"project {program} {project.project_id} is blocklisted")
        if project.methodology_id in self.blocked_methodologies:
            refuse("blocked_methodologies", f"methodology {project.methodology_id} is blocklisted")
        if self.min_vintage_year is not None and issuance.vintage_end.year < self.min_vintage_year:
            refuse("min_vintage_year", f"vintage {issuance.vintage_end.year} is older than {self.min_vintage_year}")
        if self.max_vintage_age_years is not None:
            current = (today or date.today()).year
            if current - issuance.vintage_end.year > self.max_vintage_age_years:
                refuse(
                    "max_vintage_age_years",
                    f"vintage {issuance.vintage_end.year} is more than {self.max_vintage_age_years} years old",
                )
        if self.ex_post_only and not project.ex_post:
            refuse("ex_post_only", "only ex-post issued credits are bridged")
        # labels are the issuance's: they may differ from the project's defaults
        has = {
            "ccp_approved": issuance.ccp_approved,
            "corsia_eligible": issuance.corsia_eligible,
            "removal": issuance.mitigation_type.value == "removal",
        }
        for label in sorted(self.required_labels):
            if label not in has:
                refuse("required_labels", f"unknown label {label!r}; known labels: {', '.join(LABELS)}")
            if not has[label]:
                refuse("required_labels", f"the credit is not {label.replace('_', '-')}")
