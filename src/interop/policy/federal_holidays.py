"""US federal holidays (5 U.S.C. 6103) and business days, as the detainer clock needs them.

The eleven legal public holidays, on the days federal offices close:

================================  ========================================
New Year's Day                    1 January
Birthday of Martin Luther King    third Monday in January (from 1986)
Washington's Birthday             third Monday in February
Memorial Day                      last Monday in May
Juneteenth National Independence  19 June (from 2021)
Independence Day                  4 July
Labor Day                         first Monday in September
Columbus Day                      second Monday in October
Veterans Day                      11 November (fourth Monday in October 1971-1977)
Thanksgiving Day                  fourth Thursday in November
Christmas Day                     25 December
================================  ========================================

A fixed-date holiday on a Saturday is observed on the preceding Friday, one
on a Sunday on the following Monday (5 U.S.C. 6103(b), Executive Order
11582). New Year's Day on a Saturday is therefore observed on Friday
31 December of the *previous* year (e.g. 31 Dec 2010 for 1 Jan 2011), and
:func:`federal_holidays` of that previous year lists it.

Not included, on purpose: Inauguration Day (a holiday only for federal
employees in the Washington, D.C. area) and one-off closures by executive
order (e.g. Christmas Eve 2019 and 2020, the days of mourning of 5 Dec 2018
and 9 Jan 2025): they are not legal public holidays under 6103(a).

Why computed here rather than with the ``holidays`` package: the set is
eleven rules and the observed-date rule, about forty lines that can be read
against the statute and checked against OPM's published tables (see the
tests); the package's US calendar follows its own release cycle and
definitions (it also models state holidays and may add special closures),
so a version bump could silently move a detainer's expiry. The calendar is
exact for 1971 (Uniform Monday Holiday Act) onwards; earlier years raise.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from interop.policy.errors import UnsupportedYearError

__all__ = [
    "FIRST_YEAR",
    "federal_holidays",
    "is_business_day",
    "is_federal_holiday",
]

FIRST_YEAR = 1971
"""First year the calendar is exact for (the Monday holidays took effect in 1971)."""

_MONDAY, _THURSDAY, _FRIDAY, _SATURDAY, _SUNDAY = 0, 3, 4, 5, 6


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th (1-based) ``weekday`` of a month; ``n = -1`` for the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """Saturday to the preceding Friday, Sunday to the following Monday."""
    if day.weekday() == _SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == _SUNDAY:
        return day + timedelta(days=1)
    return day


def _legal_holidays(year: int) -> list[tuple[date, str]]:
    """The holidays of ``year`` on their legal (not observed) days."""
    days = [(date(year, 1, 1), "New Year's Day")]
    if year >= 1986:
        days.append((_nth_weekday(year, 1, _MONDAY, 3), "Birthday of Martin Luther King, Jr."))
    days.append((_nth_weekday(year, 2, _MONDAY, 3), "Washington's Birthday"))
    days.append((_nth_weekday(year, 5, _MONDAY, -1), "Memorial Day"))
    if year >= 2021:
        days.append((date(year, 6, 19), "Juneteenth National Independence Day"))
    days.append((date(year, 7, 4), "Independence Day"))
    days.append((_nth_weekday(year, 9, _MONDAY, 1), "Labor Day"))
    days.append((_nth_weekday(year, 10, _MONDAY, 2), "Columbus Day"))
    if year <= 1977:
        days.append((_nth_weekday(year, 10, _MONDAY, 4), "Veterans Day"))
    else:
        days.append((date(year, 11, 11), "Veterans Day"))
    days.append((_nth_weekday(year, 11, _THURSDAY, 4), "Thanksgiving Day"))
    days.append((date(year, 12, 25), "Christmas Day"))
    return days


@lru_cache(maxsize=256)
def _observed_in(year: int) -> Mapping[date, str]:
    days: dict[date, str] = {}
    for legal_year in (year, year + 1):  # next year's New Year's Day may fall on 31 Dec
        for legal, name in _legal_holidays(legal_year):
            observed = _observed(legal)
            if observed.year == year:
                days[observed] = name if observed == legal else f"{name} (observed)"
    return MappingProxyType(dict(sorted(days.items())))


def federal_holidays(year: int) -> Mapping[date, str]:
    """The days federal offices close for a legal public holiday in a calendar year.

    Parameters
    ----------
    year : int
        Calendar year, :data:`FIRST_YEAR` or later.

    Returns
    -------
    Mapping of date to str
        Observed day -> holiday name (``" (observed)"`` appended when the
        day differs from the legal one), in date order. Includes 31 Dec
        when the next New Year's Day is a Saturday; excludes a Saturday
        1 January (observed the year before).

    Raises
    ------
    UnsupportedYearError
        For a year before :data:`FIRST_YEAR`.

    Examples
    --------
    >>> federal_holidays(2010)[date(2010, 12, 31)]
    "New Year's Day (observed)"
    """
    if not isinstance(year, int) or year < FIRST_YEAR or year > date.max.year - 1:
        raise UnsupportedYearError(
            f"federal holidays are computed for {FIRST_YEAR}-{date.max.year - 1}, got {year!r}"
        )
    return _observed_in(year)


def is_federal_holiday(day: date) -> bool:
    """True if federal offices are closed on ``day`` for a legal public holiday (observed)."""
    return day in federal_holidays(day.year)


def is_business_day(day: date) -> bool:
    """True for a Monday-Friday that is not an observed federal holiday.

    The days whose hours count towards a detainer's 48 hours (8 CFR 287.7(d)).
    """
    return day.weekday() < _SATURDAY and not is_federal_holiday(day)
