"""The program's reports, computed from the store (``interop report``).

:mod:`interop.reports.monthly` gives ICE's monthly "IDENT/IAFIS
Interoperability Statistics": per month and cumulative, by country, state
and jurisdiction. :mod:`interop.reports.whatif` replays the store's
bookings under two policy configurations (``interop whatif``); import it
from there (it loads the agencies' code, which this package does not need).
"""

from interop.reports.monthly import (
    LEVELS,
    MonthlyRow,
    Scope,
    monthly_statistics,
)
from interop.reports.output import CSV_COLUMNS, to_csv, to_html

__all__ = [
    "CSV_COLUMNS",
    "LEVELS",
    "MonthlyRow",
    "Scope",
    "monthly_statistics",
    "to_csv",
    "to_html",
]
