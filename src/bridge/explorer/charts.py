"""Charts drawn on the server as SVG: no script, no library, nothing fetched by the browser.

``reserve_chart`` draws, per class, the units in trust against what claims them (circulating supply,
tokens escrowed for redemptions, retired but not yet settled in the registry): two bars of equal length
when the class is backed. ``share_chart`` draws a pool's composition as one stacked bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Final

from bridge.primitives import TONNE

WIDTH: Final = 760
LABEL_WIDTH: Final = 300
LABEL_CHARS: Final = 36  # what fits in LABEL_WIDTH at the label's size; the full name is in the row's title
BAR_HEIGHT: Final = 16
ROW_GAP: Final = 22
PALETTE: Final = ("#2f6f4f", "#7fb069", "#e6aa68", "#ca3c25", "#4c6085", "#a1869e", "#39a0ed", "#f3c677")


@dataclass(frozen=True)
class ReserveRow:
    """One class in the reserve chart (wei amounts; units in tonnes)."""

    name: str
    units_in_trust: int
    total_supply: int
    escrowed: int
    retired_unsettled: int
    ok: bool


def _tonnes(wei: int | Decimal) -> str:
    value = Decimal(wei) / TONNE
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def _fit(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _rect(x: float, y: float, width: float, css: str, title: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{BAR_HEIGHT}" class="{css}">'
        f"<title>{escape(title)}</title></rect>"
    )


def reserve_chart(rows: Sequence[ReserveRow], block_number: int | None) -> str:
    """Per class: units in trust (top bar) against supply in circulation + escrow + retired-unsettled."""
    scale_max = max(
        [r.units_in_trust * TONNE for r in rows] + [r.total_supply + r.retired_unsettled for r in rows] + [1]
    )
    plot = WIDTH - LABEL_WIDTH - 90
    height = 30 + len(rows) * (2 * BAR_HEIGHT + ROW_GAP + 18)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart" '
        f'aria-label="Reserve per class{f" at block {block_number}" if block_number is not None else ""}">',
    ]
    y = 30.0
    for row in rows:
        trust = row.units_in_trust * TONNE
        circulating = row.total_supply - row.escrowed
        status = "backed" if row.ok else "NOT BACKED"
        parts.append(f'<g class="reserve-row"><title>{escape(row.name)}</title>')
        parts.append(
            f'<text x="0" y="{y + BAR_HEIGHT:.1f}" class="chart-label">{escape(_fit(row.name))}</text>'
            f'<text x="0" y="{y + 2 * BAR_HEIGHT + 8:.1f}" class="chart-note {"ok" if row.ok else "bad"}">'
            f"{status}</text>"
        )
        parts.append(
            _rect(LABEL_WIDTH, y, plot * trust / scale_max, "bar-trust", f"units in trust: {row.units_in_trust:,} t")
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + plot * trust / scale_max + 6:.1f}" y="{y + BAR_HEIGHT - 3:.1f}" '
            f'class="chart-value">{row.units_in_trust:,} t in trust</text>'
        )
        x, y2 = float(LABEL_WIDTH), y + BAR_HEIGHT + 4
        for amount, css, what in (
            (circulating, "bar-supply", "supply in circulation"),
            (row.escrowed, "bar-escrow", "escrowed for redemptions"),
            (row.retired_unsettled, "bar-retired", "retired, not yet settled in the registry"),
        ):
            width = plot * amount / scale_max
            parts.append(_rect(x, y2, width, css, f"{what}: {_tonnes(amount)} t"))
            x += width
        claims = row.total_supply + row.retired_unsettled
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y2 + BAR_HEIGHT - 3:.1f}" class="chart-value">'
            f"{_tonnes(claims)} t claimed</text>"
        )
        parts.append("</g>")
        y += 2 * BAR_HEIGHT + ROW_GAP + 18
    legend = (
        ("bar-trust", "units in trust"),
        ("bar-supply", "supply in circulation"),
        ("bar-escrow", "escrowed for redemptions"),
        ("bar-retired", "retired, unsettled"),
    )
    x = 0.0
    for css, text in legend:
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="12" height="12" class="{css}"/>'
            f'<text x="{x + 16:.1f}" y="14" class="chart-legend">{text}</text>'
        )
        x += 30 + 7.2 * len(text)
    parts.append("</svg>")
    return "".join(parts)


def share_chart(shares: Sequence[tuple[str, int]]) -> str:
    """One stacked bar: each (name, amount) as its share of the total, with a legend."""
    total = sum(amount for _, amount in shares) or 1
    height = 36 + 20 * len(shares)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart" '
        'aria-label="Composition">'
    ]
    x = 0.0
    for index, (name, amount) in enumerate(shares):
        width = (WIDTH - 2) * amount / total
        color = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="20" fill="{color}">'
            f"<title>{escape(name)}: {_tonnes(amount)} t</title></rect>"
        )
        parts.append(
            f'<rect x="0" y="{30 + 20 * index}" width="12" height="12" fill="{color}"/>'
            f'<text x="18" y="{40 + 20 * index}" class="chart-legend">{escape(name)}: {_tonnes(amount)} t '
            f"({100 * amount / total:.1f} %)</text>"
        )
        x += width
    parts.append("</svg>")
    return "".join(parts)
