"""What every dashboard page needs: the store, the cache, the figures, parameters.

Figures come from :func:`interop.reports.monthly.monthly_statistics` and are
cached with the charts, by the store's state (:func:`queries.store_token`).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Path, Query, Request
from sqlalchemy.orm import Session

from interop.reports.monthly import MonthlyRow, Scope, monthly_statistics
from interop.store.database import Store
from interop.web.dashboard.cache import LruCache
from interop.web.dashboard.queries import report_through, store_token

__all__ = [
    "CACHE_SIZE",
    "MonthParam",
    "OriParam",
    "StateParam",
    "TcnParam",
    "View",
    "last_rows",
    "month_end",
    "view",
]

CACHE_SIZE = 256
"""Charts and figure sets kept per app."""

T = TypeVar("T")

StateParam = Annotated[
    str, Path(min_length=2, max_length=2, pattern=r"^[A-Z]{2}$", description="A state's code")
]
OriParam = Annotated[
    str,
    Path(min_length=9, max_length=9, pattern=r"^[A-Z]{2}[A-Z0-9]{7}$", description="An ORI"),
]
TcnParam = Annotated[
    str,
    Path(
        min_length=1,
        max_length=40,
        pattern=r"^[\x20-\x7e]+$",
        description="Transaction control number (printable ASCII, at most 40 characters)",
    ),
]
MonthParam = Annotated[
    str | None,
    Query(
        min_length=7,
        max_length=7,
        pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$",
        description="Last month counted (YYYY-MM); the latest booking's by default",
    ),
]


def month_end(text: str) -> date:
    """The last day of month ``YYYY-MM`` (already checked by :data:`MonthParam`)."""
    year, month = int(text[:4]), int(text[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def cache_of(request: Request) -> LruCache:
    """The app's dashboard cache (made on first use)."""
    cache: LruCache | None = getattr(request.app.state, "dashboard_cache", None)
    if cache is None:
        cache = LruCache(CACHE_SIZE)
        request.app.state.dashboard_cache = cache
    return cache


@dataclass
class View:
    """One request's view of the store: a session, the store's state, the cache.

    Attributes
    ----------
    session : Session
    token : str
        :func:`~interop.web.dashboard.queries.store_token` at the start of the request.
    cache : LruCache
    through : date or None
        The last day the figures run to.
    """

    session: Session
    store: Store
    token: str
    cache: LruCache
    through: date | None

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """``compute()``, cached under ``key`` and the store's state."""
        return self.cache.get_or_compute((*key, self.token), compute)

    def statistics(self, scope: Scope) -> list[MonthlyRow]:
        """The monthly figures of every area of ``scope`` through :attr:`through`."""
        through = self.through
        if through is None:
            return []
        return self.cached(
            ("statistics", scope.value, through),
            lambda: monthly_statistics(self.session, through, scope=scope),
        )


def view(request: Request, session: Session, through: str | None = None) -> View:
    """The :class:`View` of a request (``through``: a checked ``YYYY-MM`` or ``None``)."""
    store: Store = request.app.state.store
    last = month_end(through) if through is not None else report_through(session)
    return View(session, store, store_token(session), cache_of(request), last)


def last_rows(rows: list[MonthlyRow]) -> dict[str, MonthlyRow]:
    """Each area's last row (its cumulative figures through the report's end)."""
    out: dict[str, MonthlyRow] = {}
    for row in rows:
        out[row.area] = row
    return out
