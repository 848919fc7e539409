"""The monthly statistics as a PDF (matplotlib, no display needed).

Page 1 charts the cumulative matches and removals by level for the first
area (the nation in a national report); then one table page per area, the
months down the page, this month's and the cumulative figures across.
Figures are objects of :mod:`matplotlib.figure` drawn on the PDF backend,
so nothing depends on ``pyplot``'s global state or a screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from itertools import groupby

from interop.reports.monthly import MonthlyRow
from interop.reports.output import LEVEL_NAMES

ROWS_PER_PAGE = 40
"""Months on one table page (a longer area continues on the next page)."""

_COLUMNS = (
    "Month",
    "Subm.",
    "Matches",
    "Cum. subm.",
    "Cum. matches",
    *(f"Cum. {n}" for n in ("L1", "L2", "L3", "NC")),
    *(f"Custody {n}" for n in ("L1", "L2", "L3", "NC")),
    *(f"Removed {n}" for n in ("L1", "L2", "L3", "NC")),
)


def _table_rows(rows: Sequence[MonthlyRow]) -> list[list[str]]:
    return [
        [
            r.month.strftime("%Y-%m"),
            f"{r.submissions:,}",
            f"{r.matches:,}",
            f"{r.cumulative_submissions:,}",
            f"{r.cumulative_matches:,}",
            *(f"{v:,}" for v in r.cumulative_matches_by_level),
            *(f"{v:,}" for v in r.cumulative_custody_by_level),
            *(f"{v:,}" for v in r.cumulative_removals_by_level),
        ]
        for r in rows
    ]


def to_pdf(rows: Sequence[MonthlyRow], title: str) -> bytes:
    """The PDF's bytes (A4 landscape pages).

    Parameters
    ----------
    rows : sequence of MonthlyRow
        As :func:`~interop.reports.monthly.monthly_statistics` gives them
        (sorted by area, then month).
    title : str
        Printed on every page.
    """
    from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages
    from matplotlib.figure import Figure

    size = (11.69, 8.27)  # A4 landscape, inches
    out = BytesIO()
    with PdfPages(out, metadata={"Title": title, "Creator": "interop"}) as pdf:
        areas = [(area, list(group)) for area, group in groupby(rows, key=lambda r: r.area)]
        figure = Figure(figsize=size)
        FigureCanvasPdf(figure)
        if areas:
            area, months = areas[0]
            x = [r.month for r in months]
            charts = figure.subplots(1, 2)
            for axes, attr, label in (
                (charts[0], "cumulative_matches_by_level", "IDENT matches (cumulative)"),
                (charts[1], "cumulative_removals_by_level", "Removals (cumulative)"),
            ):
                for k, name in enumerate(LEVEL_NAMES):
                    axes.plot(x, [getattr(r, attr)[k] for r in months], label=name)
                axes.set_title(f"{label}, {area}")
                axes.set_xlabel("month")
                axes.set_ylabel("bookings")
                axes.legend()
                axes.tick_params(axis="x", labelrotation=45)
        else:
            figure.text(0.5, 0.5, "No bookings in the store for this period.", ha="center")
        figure.suptitle(title)
        figure.tight_layout()
        pdf.savefig(figure)
        for area, months in areas:
            for start in range(0, len(months), ROWS_PER_PAGE):
                page = Figure(figsize=size)
                FigureCanvasPdf(page)
                axes = page.subplots()
                axes.axis("off")
                activated = months[0].activated_on
                suffix = f", activated {activated.isoformat()}" if activated else ""
                axes.set_title(f"{title}\n{area}{suffix}", fontsize=10)
                chunk = months[start : start + ROWS_PER_PAGE]
                table = axes.table(
                    cellText=_table_rows(chunk), colLabels=_COLUMNS, loc="upper center"
                )
                table.auto_set_font_size(False)
                table.set_fontsize(6)
                table.scale(1.0, 1.1)
                pdf.savefig(page)
    return out.getvalue()


__all__ = ["ROWS_PER_PAGE", "to_pdf"]
