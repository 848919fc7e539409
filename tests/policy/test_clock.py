"""The detainer clock: 48 hours beyond release, weekends and federal holidays excluded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.policy import (
    HOLD_LIMIT,
    NaiveDatetimeError,
    UnknownTimeZoneError,
    counted_hold_time,
    detainer_expires_at,
    is_business_day,
    is_expired,
    time_zone,
)

CHICAGO, LOS_ANGELES, NEW_YORK = "America/Chicago", "America/Los_Angeles", "America/New_York"
H = timedelta(hours=1)


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))  # type: ignore[misc]


@pytest.mark.parametrize(
    ("release", "expires"),
    [
        # plain weekdays
        ((2010, 3, 1, 10), (2010, 3, 3, 10)),  # Monday -> Wednesday
        ((2010, 3, 4, 10), (2010, 3, 8, 10)),  # Thursday -> Monday, weekend skipped
        ((2010, 3, 5, 23), (2010, 3, 9, 23)),  # Friday 23:00: 1 h, Monday 24 h, Tuesday 23 h
        ((2010, 3, 1, 0), (2010, 3, 3, 0)),  # Monday midnight -> Wednesday midnight
        # released on a weekend or a holiday: counting starts at the next business day
        ((2010, 3, 13, 15), (2010, 3, 17, 0)),  # Saturday (and DST starts on the Sunday)
        ((2010, 9, 6, 12), (2010, 9, 9, 0)),  # Labor Day
        ((2010, 12, 24, 8), (2010, 12, 29, 0)),  # Christmas observed on Friday 24 Dec
        # holidays on weekdays
        ((2009, 11, 10, 12), (2009, 11, 13, 12)),  # Veterans Day, Wednesday 2009-11-11
        ((2011, 7, 1, 12), (2011, 7, 6, 12)),  # weekend, then Independence Day, Monday
        # Thanksgiving week
        ((2010, 11, 23, 9), (2010, 11, 26, 9)),  # Tuesday: Wed 15 h, Thu skipped, Fri 9 h
        ((2010, 11, 24, 15), (2010, 11, 29, 15)),  # Wednesday: Thu and weekend skipped
        ((2010, 11, 25, 15), (2010, 11, 30, 0)),  # released on Thanksgiving
        # Christmas and New Year 2010-2011 (both observed on Fridays)
        ((2010, 12, 23, 12), (2010, 12, 28, 12)),  # Thu 12 h, Fri-Sun skipped, Mon 24, Tue 12
        ((2010, 12, 30, 9), (2011, 1, 4, 9)),  # Thu 15 h, Fri 31 Dec (New Year) skipped
        ((2010, 12, 31, 9), (2011, 1, 5, 0)),  # released on the observed New Year's Day
        ((2011, 12, 23, 17), (2011, 12, 28, 17)),  # Christmas 2011 observed Monday 26 Dec
    ],
)
def test_expiry_in_chicago(release: tuple[int, ...], expires: tuple[int, ...]) -> None:
    start = local(CHICAGO, *release)
    end = detainer_expires_at(start, CHICAGO)
    assert end == local(CHICAGO, *expires)
    assert end.tzinfo == ZoneInfo(CHICAGO)
    assert counted_hold_time(start, end, CHICAGO) == HOLD_LIMIT


def test_daylight_saving_starts_over_the_weekend() -> None:
    """Friday 10:00 CST to Tuesday 10:00 CDT: 48 counted hours, 95 real hours."""
    start = local(CHICAGO, 2010, 3, 12, 10)
    end = detainer_expires_at(start, CHICAGO)
    assert end == local(CHICAGO, 2010, 3, 16, 10)
    assert end.utcoffset() == -5 * H and start.utcoffset() == -6 * H
    # Aware datetimes sharing a tzinfo subtract as wall clocks: compare in UTC.
    assert end.astimezone(UTC) - start.astimezone(UTC) == 95 * H
    assert end - start == 96 * H  # the wall-clock difference


def test_daylight_saving_ends_over_the_weekend() -> None:
    """Friday 10:00 CDT to Tuesday 10:00 CST: 97 real hours."""
    start = local(CHICAGO, 2010, 11, 5, 10)
    end = detainer_expires_at(start, CHICAGO)
    assert end == local(CHICAGO, 2010, 11, 9, 10)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 97 * H


def test_a_weekday_clock_change_counts_real_hours() -> None:
    """Israel moves its clocks on a Friday (28 Mar 2014, 02:00 -> 03:00): that Friday has 23
    real hours, so the hold ends at 13:00, not at the wall-clock 12:00."""
    tz = "Asia/Jerusalem"
    start = local(tz, 2014, 3, 27, 12)
    end = detainer_expires_at(start, tz)
    assert end == local(tz, 2014, 3, 31, 13)
    assert counted_hold_time(start, end, tz) == HOLD_LIMIT


def test_a_skipped_local_day() -> None:
    """Samoa skipped Friday 30 Dec 2011; Mon 2 Jan 2012 is the observed New Year's Day."""
    tz = "Pacific/Apia"
    start = local(tz, 2011, 12, 29, 12)
    end = detainer_expires_at(start, tz)
    assert end == local(tz, 2012, 1, 4, 12)
    assert counted_hold_time(start, end, tz) == HOLD_LIMIT


def test_the_same_instant_expires_differently_by_time_zone() -> None:
    """Saturday 5 Jun 2010 05:30 UTC is Saturday 01:30 in New York, Saturday 00:30 in Chicago
    and still Friday 22:30 in Los Angeles."""
    release = datetime(2010, 6, 5, 5, 30, tzinfo=UTC)
    new_york = detainer_expires_at(release, NEW_YORK)
    chicago = detainer_expires_at(release, CHICAGO)
    los_angeles = detainer_expires_at(release, LOS_ANGELES)
    assert new_york == local(NEW_YORK, 2010, 6, 9, 0)  # Mon 00:00 + 48 h
    assert chicago == local(CHICAGO, 2010, 6, 9, 0)
    assert los_angeles == local(LOS_ANGELES, 2010, 6, 8, 22, 30)  # Fri 1.5 h, Mon 24, Tue 22.5
    as_utc = [t.astimezone(UTC) for t in (new_york, chicago, los_angeles)]
    assert as_utc == [
        datetime(2010, 6, 9, 4, 0, tzinfo=UTC),
        datetime(2010, 6, 9, 5, 0, tzinfo=UTC),
        datetime(2010, 6, 9, 5, 30, tzinfo=UTC),
    ]


def test_the_release_may_be_given_in_any_zone() -> None:
    in_chicago = local(CHICAGO, 2010, 3, 4, 10)
    assert detainer_expires_at(in_chicago.astimezone(UTC), CHICAGO) == detainer_expires_at(
        in_chicago, CHICAGO
    )
    assert detainer_expires_at(in_chicago.astimezone(ZoneInfo("Asia/Tokyo")), CHICAGO) == (
        local(CHICAGO, 2010, 3, 8, 10)
    )


def test_is_expired() -> None:
    expires = detainer_expires_at(local(CHICAGO, 2010, 3, 1, 10), CHICAGO)
    assert not is_expired(expires, expires - timedelta(microseconds=1))
    assert is_expired(expires, expires)
    assert is_expired(expires, expires.astimezone(UTC) + timedelta(seconds=1))
    assert not is_expired(expires, local(NEW_YORK, 2010, 3, 3, 10, 59))  # 09:59 in Chicago
    with pytest.raises(NaiveDatetimeError):
        is_expired(expires, datetime(2010, 3, 3, 11))
    with pytest.raises(NaiveDatetimeError):
        is_expired(datetime(2010, 3, 3, 11), expires)


def test_counted_hold_time_of_an_empty_or_reversed_span_is_zero() -> None:
    start = local(CHICAGO, 2010, 3, 1, 10)
    assert counted_hold_time(start, start, CHICAGO) == timedelta(0)
    assert counted_hold_time(start, start - H, CHICAGO) == timedelta(0)
    saturday = local(CHICAGO, 2010, 3, 6, 0)
    assert counted_hold_time(saturday, saturday + 48 * H, CHICAGO) == timedelta(0)


@pytest.mark.parametrize(
    "release",
    [datetime(2010, 3, 1, 10), date(2010, 3, 1), "2010-03-01T10:00:00-06:00"],
)
def test_a_naive_or_non_datetime_release_is_rejected(release: object) -> None:
    with pytest.raises(NaiveDatetimeError):
        detainer_expires_at(release, CHICAGO)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "tz", ["Mars/Olympus_Mons", "", "America/chicago_", "../../etc/passwd", "/etc/localtime", None]
)
def test_an_unknown_time_zone_is_rejected(tz: object) -> None:
    with pytest.raises(UnknownTimeZoneError):
        detainer_expires_at(local(CHICAGO, 2010, 3, 1, 10), tz)  # type: ignore[arg-type]
    with pytest.raises(UnknownTimeZoneError):
        time_zone(tz)  # type: ignore[arg-type]


# ------------------------------------------------------------ properties

ZONES = [
    CHICAGO,
    LOS_ANGELES,
    NEW_YORK,
    "America/Phoenix",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Asia/Jerusalem",
]
_instants = st.datetimes(datetime(2008, 1, 1), datetime(2022, 12, 31)).map(
    lambda t: t.replace(second=0, microsecond=0, tzinfo=UTC)
)


@settings(max_examples=60, deadline=None)
@given(_instants, st.sampled_from(ZONES))
def test_expiry_is_48_counted_hours_after_release(release: datetime, tz: str) -> None:
    expires = detainer_expires_at(release, tz)
    assert expires - release >= HOLD_LIMIT
    assert counted_hold_time(release, expires, tz) == HOLD_LIMIT
    # The last counted instant lies on a business day, local time.
    assert is_business_day((expires - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date())
    # An independent count, minute by minute (all these zones' midnights fall on whole minutes).
    zone = ZoneInfo(tz)
    minutes = int((expires - release) / timedelta(minutes=1))
    counted = sum(
        is_business_day((release + timedelta(minutes=m)).astimezone(zone).date())
        for m in range(minutes)
    )
    assert counted == 48 * 60


@settings(max_examples=100, deadline=None)
@given(_instants, st.integers(0, 7 * 24 * 60), st.sampled_from(ZONES))
def test_a_later_release_never_expires_earlier(release: datetime, later_by: int, tz: str) -> None:
    later = release + timedelta(minutes=later_by)
    assert detainer_expires_at(later, tz) >= detainer_expires_at(release, tz)


@settings(max_examples=100, deadline=None)
@given(
    _instants, st.integers(0, 30 * 24 * 60), st.integers(0, 30 * 24 * 60), st.sampled_from(ZONES)
)
def test_counted_time_is_additive(start: datetime, a: int, b: int, tz: str) -> None:
    middle = start + timedelta(minutes=a)
    end = middle + timedelta(minutes=b)
    assert counted_hold_time(start, end, tz) == counted_hold_time(
        start, middle, tz
    ) + counted_hold_time(middle, end, tz)
    assert counted_hold_time(start, end, tz) <= end - start
