"""Writing the monthly statistics: CSV (one row per area and month).

The CSV's columns follow ICE's published tables: area, month, activation
day, then this month's and the cumulative figures, by level.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

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


__all__ = ["CSV_COLUMNS", "csv_record", "to_csv"]
