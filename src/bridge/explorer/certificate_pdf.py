"""A retirement certificate as a PDF, drawn on the server with fpdf2 (pure Python) in DejaVu Sans, so a
beneficiary's name prints in whatever script it is written."""

from __future__ import annotations

from importlib.resources import files
from typing import Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bridge.engine.schemas import RetirementPublic

FONT: Final = "DejaVu"
_FONTS = files("bridge.explorer") / "static" / "vendor" / "dejavu"
GREEN: Final = (47, 111, 79)


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(52, 7, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 7, value or "-", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _named(name: str | None, code: str | None) -> str:
    return f"{name or ''} ({code})".strip() if code else ""


def certificate_pdf(certificate: RetirementPublic, *, chain_id: int, bridge: str, url: str) -> bytes:
    """The certificate as one A4 page: what was retired, for whom and why, and how it was settled."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Retirement certificate {certificate.certificate_id}")
    pdf.set_author("carbon-bridge")
    pdf.add_font(FONT, "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_text_color(*GREEN)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(0, 12, "Carbon credit retirement certificate", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 11)
    pdf.set_text_color(60, 60, 60)
    pdf.cell(0, 7, f"Certificate {certificate.certificate_id} · status: {certificate.status.replace('_', ' ')}")
    pdf.ln(12)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(
        0, 8, f"{certificate.tonnes} t retired for {certificate.beneficiary}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(3)
    period = (
        f"{certificate.consumption_start} to {certificate.consumption_end}" if certificate.consumption_start else ""
    )
    for label, value in (
        ("Beneficiary", certificate.beneficiary),
        ("Beneficiary address", certificate.beneficiary_address or ""),
        ("Retired by", certificate.retiring_entity or certificate.retiree),
        ("Purpose", f"{certificate.purpose.replace('_', ' ')} ({certificate.purpose_text})"),
        (
            "Consumption",
            ", ".join(
                p for p in (_named(certificate.consumption_country_name, certificate.consumption_country), period) if p
            ),
        ),
        ("Claim jurisdiction", _named(certificate.claim_jurisdiction_name, certificate.claim_jurisdiction)),
        ("Reason", certificate.reason),
        ("Amount", f"{certificate.tonnes} t ({certificate.amount} token units of 10^-18 t)"),
        ("Credit class", certificate.class_name or certificate.class_id),
        ("Class id", certificate.class_id),
        ("Retiree (on-chain)", certificate.retiree),
        ("Transaction", f"{certificate.tx_hash} (block {certificate.block_number}, chain {chain_id})"),
        ("Bridge contract", bridge),
        ("Retired at", f"{certificate.created_at:%Y-%m-%d %H:%M} UTC (recorded by the bridge)"),
    ):
        _row(pdf, label, value)
    if certificate.personal_data_hash:
        _row(pdf, "Personal data hash", certificate.personal_data_hash)
    pdf.ln(4)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, "Settlement in the registry", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not certificate.settlements:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(
            0,
            6,
            "Not settled yet: the bridge retires whole units in the registry as retired fractions add up.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    for settlement in certificate.settlements:
        _row(
            pdf,
            f"Settlement {settlement.settlement_id}",
            f"{settlement.step}, recorded on-chain in {settlement.tx_hash or '-'}",
        )
        _row(pdf, "Registry serials", ", ".join(settlement.registry_serials) or "-")
    pdf.ln(6)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(
        0,
        4,
        f"Check it: {url} · the Retired event of the transaction above carries these details, and the "
        "certificate's on-chain hash commits to them.",
    )
    return bytes(pdf.output())
