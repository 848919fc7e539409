"""US federal holidays, checked against OPM's published tables, and business days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interop.policy import (
    UnsupportedYearError,
    federal_holidays,
    is_business_day,
    is_federal_holiday,
)
from interop.policy.federal_holidays import FIRST_YEAR

# OPM, "Federal Holidays" tables (the days federal offices close).
OPM = {
    2009: [
        "2009-01-01", "2009-01-19", "2009-02-16", "2009-05-25", "2009-07-03", "2009-09-07",
        "2009-10-12", "2009-11-11", "2009-11-26", "2009-12-25",
    ],
    2010: [
        "2010-01-01", "2010-01-18", "2010-02-15", "2010-05-31", "2010-07-05", "2010-09-06",
        "2010-10-11", "2010-11-11", "2010-11-25", "2010-12-24", "2010-12-31",
    ],
    2011: [
        "2011-01-17", "2011-02-21", "2011-05-30", "2011-07-04", "2011-09-05", "2011-10-10",
        "2011-11-11", "2011-11-24", "2011-12-26",
    ],
    2012: [
        "2012-01-02", "2012-01-16", "2012-02-20", "2012-05-28", "2012-07-04", "2012-09-03",
        "2012-10-08", "2012-11-12", "2012-11-22", "2012-12-25",
    ],
    2021: [
        "2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31", "2021-06-18", "2021-07-05",
        "2021-09-06", "2021-10-11", "2021-11-11", "2021-11-25", "2021-12-24", "2021-12-31",
    ],
    2022: [
        "2022-01-17", "2022-02-21", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05",
        "2022-10-10", "2022-11-11", "2022-11-24", "2022-12-26",
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(OPM))
def test_matches_opm(year: int) -> None:
    assert list(federal_holidays(year)) == [date.fromisoformat(d) for d in OPM[year]]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2010, 12, 31), "New Year's Day (observed)"),  # 1 Jan 2011 was a Saturday
        (date(2011, 7, 4), "Independence Day"),
        (date(2009, 11, 11), "Veterans Day"),
        (date(2010, 11, 25), "Thanksgiving Day"),
        (date(2010, 12, 24), "Christmas Day (observed)"),
        (date(2009, 7, 3), "Independence Day (observed)"),
        (date(2012, 1, 2), "New Year's Day (observed)"),
        (date(2021, 6, 18), "Juneteenth National Independence Day (observed)"),
        (date(2010, 1, 18), "Birthday of Martin Luther King, Jr."),
        (date(2010, 2, 15), "Washington's Birthday"),
        (date(2010, 5, 31), "Memorial Day"),
        (date(2010, 9, 6), "Labor Day"),
        (date(2010, 10, 11), "Columbus Day"),
    ],
)
def test_named_days(day: date, name: str) -> None:
    assert federal_holidays(day.year)[day] == name
    assert is_federal_holiday(day) and not is_business_day(day)


def test_the_saturday_new_year_is_not_listed_in_its_own_year() -> None:
    assert date(2011, 1, 1) not in federal_holidays(2011)
    assert not is_federal_holiday(date(2011, 1, 1))  # a Saturday anyway
    assert not is_business_day(date(2011, 1, 1))


def test_rules_that_changed() -> None:
    assert not any("King" in n for n in federal_holidays(1985).values())
    assert date(1986, 1, 20) in federal_holidays(1986)
    assert not any("Juneteenth" in n for n in federal_holidays(2020).values())
    assert federal_holidays(1975)[date(1975, 10, 27)] == "Veterans Day"  # 4th Monday, Oct
    assert date(1975, 11, 11) not in federal_holidays(1975)
    assert date(1978, 11, 10) in federal_holidays(1978)  # 11 Nov 1978 was a Saturday


def test_the_first_year_needs_no_earlier_new_year() -> None:
    assert date(1971, 1, 1) in federal_holidays(FIRST_YEAR)


@pytest.mark.parametrize("year", [1970, 1900, 10000, "2010", 2010.0])
def test_unsupported_years(year: object) -> None:
    with pytest.raises(UnsupportedYearError):
        federal_holidays(year)  # type: ignore[arg-type]


def test_not_holidays() -> None:
    for day in (date(2010, 11, 26), date(2009, 1, 20), date(2010, 12, 23), date(2011, 12, 30)):
        assert not is_federal_holiday(day) and is_business_day(day)


@given(st.integers(FIRST_YEAR, 2100))
def test_every_observed_day_is_a_weekday_in_its_year(year: int) -> None:
    days = federal_holidays(year)
    assert all(d.weekday() < 5 and d.year == year for d in days)
    expected = 9 + (year >= 1986) + (year >= 2021)  # per legal year
    saturday_new_year = date(year, 1, 1).weekday() == 5
    next_saturday_new_year = date(year + 1, 1, 1).weekday() == 5
    assert len(days) == expected - saturday_new_year + next_saturday_new_year


@given(st.dates(date(FIRST_YEAR, 1, 1), date(2100, 12, 31)))
def test_business_days_are_weekdays_that_are_not_holidays(day: date) -> None:
    assert is_business_day(day) == (day.weekday() < 5 and day not in federal_holidays(day.year))


def test_about_250_business_days_a_year() -> None:
    for year in range(2008, 2015):
        start = date(year, 1, 1)
        count = sum(is_business_day(start + timedelta(days=i)) for i in range(365))
        assert 248 <= count <= 253
