"""Writing the monthly statistics: CSV (one row per area and month) and HTML.

The columns follow ICE's published tables: area, month, activation day,
then this month's and the cumulative figures, by level. The HTML page is
self-contained (no script, no outside resource) and accessible: one table
per area with a caption, column and row headers with their scope.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable
from itertools import groupby

from interop.reports.monthly import LEVELS, MonthlyRow

CSV_COLUMNS = (
    "area",
    "month",
    "activated_on",
    "submissions",
    "matches",
    *(f"matches_{level}" for level in LEVELS),
    *(f"custody_{level}" for level in LEVELS),
    *(f"removals_{level}" for level in LEVELS),
    "cumulative_submissions",
    "cumulative_matches",
    *(f"cumulative_matches_{level}" for level in LEVELS),
    *(f"cumulative_custody_{level}" for level in LEVELS),
    *(f"cumulative_removals_{level}" for level in LEVELS),
)
"""Header of :func:`to_csv`."""


def csv_record(row: MonthlyRow) -> list[str | int]:
    """One row's values, in :data:`CSV_COLUMNS` order."""
    return [
        row.area,
        row.month.strftime("%Y-%m"),
        row.activated_on.isoformat() if row.activated_on else "",
        row.submissions,
        row.matches,
        *row.matches_by_level,
        *row.custody_by_level,
        *row.removals_by_level,
        row.cumulative_submissions,
        row.cumulative_matches,
        *row.cumulative_matches_by_level,
        *row.cumulative_custody_by_level,
        *row.cumulative_removals_by_level,
    ]


def to_csv(rows: Iterable[MonthlyRow]) -> str:
    """The rows as CSV text (header first, ``\\r\\n`` line ends as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_record(row))
    return out.getvalue()


LEVEL_NAMES = ("Level 1", "Level 2", "Level 3", "Non-criminal")
"""Column headings of :data:`LEVELS`."""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1rem; color: #111; }
table { border-collapse: collapse; margin: 0 0 2rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #999; padding: 0.2rem 0.4rem; text-align: right; }
th[scope=row] { text-align: left; }
.wrap { overflow-x: auto; }
"""


def _cells(values: Iterable[object]) -> str:
    return "".join(
        f"<td>{html.escape(f'{v:,}' if isinstance(v, int) else str(v))}</td>" for v in values
    )


def to_html(rows: Iterable[MonthlyRow], title: str) -> str:
    """The rows as a self-contained HTML page: one table per area.

    Each table has a row per month: submissions, matches by level, custody
    by level and removals by level, this month and cumulative.
    """
    head = (
        '<tr><th scope="col" rowspan="2">Month</th>'
        '<th scope="colgroup" colspan="6">This month</th>'
        '<th scope="colgroup" colspan="14">Cumulative</th></tr><tr>'
        + "".join(
            f'<th scope="col">{html.escape(name)}</th>'
            for name in (
                "Submissions",
                "Matches",
                *(f"Matches, {n}" for n in LEVEL_NAMES),
                "Submissions",
                "Matches",
                *(f"Matches, {n}" for n in LEVEL_NAMES),
                *(f"ICE custody, {n}" for n in LEVEL_NAMES),
                *(f"Removals, {n}" for n in LEVEL_NAMES),
            )
        )
        + "</tr>"
    )
    tables = []
    for area, group in groupby(rows, key=lambda r: r.area):
        months = list(group)
        activated = months[0].activated_on
        caption = html.escape(area) + (f", activated {activated.isoformat()}" if activated else "")
        body = "".join(
            f'<tr><th scope="row">{r.month.strftime("%Y-%m")}</th>'
            + _cells([r.submissions, r.matches, *r.matches_by_level])
            + _cells(
                [
                    r.cumulative_submissions,
                    r.cumulative_matches,
                    *r.cumulative_matches_by_level,
                    *r.cumulative_custody_by_level,
                    *r.cumulative_removals_by_level,
                ]
            )
            + "</tr>"
            for r in months
        )
        tables.append(
            f'<div class="wrap"><table><caption>{caption}</caption>'
            f"<thead>{head}</thead><tbody>{body}</tbody></table></div>"
        )
    title_text = html.escape(title)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title_text}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{title_text}</h1>{''.join(tables)}</main></body></html>\n"
    )


__all__ = ["CSV_COLUMNS", "LEVEL_NAMES", "csv_record", "to_csv", "to_html"]


REPORT_FORMATS = ("csv", "html", "pdf")
"""Formats :func:`render` writes."""


def render(rows: list[MonthlyRow], title: str, output_format: str) -> bytes:
    """The statistics as a file of ``output_format`` (one of :data:`REPORT_FORMATS`).

    Raises
    ------
    ValueError
        For another format.
    """
    if output_format == "pdf":
        from interop.reports.pdf import to_pdf

        return to_pdf(rows, title)
    if output_format == "html":
        return to_html(rows, title).encode("utf-8")
    if output_format == "csv":
        return to_csv(rows).encode("utf-8")
    raise ValueError(f"{output_format!r}: one of {', '.join(REPORT_FORMATS)}")
