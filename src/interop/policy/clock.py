"""The detainer clock: 48 hours beyond release, Saturdays, Sundays and federal holidays excluded.

A detainer (Form I-247) asks the jail to hold a person "for a period not to
exceed 48 hours, excluding Saturdays, Sundays, and holidays" beyond the
time they would otherwise be released (8 CFR 287.7(d)). Here:

* the hold starts at the scheduled release, an aware
  :class:`~datetime.datetime` (an instant);
* an hour counts when it falls on a business day *in the jurisdiction's
  local time* (IANA zone name): Monday-Friday and not an observed federal
  holiday (:mod:`interop.policy.federal_holidays`). A local day runs from
  its local midnight to the next one, so a day has 23 or 25 real hours on
  a daylight-saving change; hours are real elapsed hours (computed in UTC),
  never wall-clock differences;
* a release on a weekend or holiday starts counting at the next business
  day's local midnight;
* the hold expires once 48 counted hours have elapsed; the expiry is the
  first instant the jail may no longer hold the person
  (:func:`is_expired` is true from it on).

Python subtracts two aware datetimes that share one ``tzinfo`` as wall
clocks; every duration here is computed between UTC instants, and a caller
measuring a hold should convert to UTC first.

In the United States clocks change at 02:00 on a Sunday, which never
counts, so there the change moves the expiry's real time (95 or 97 hours
over a weekend) but not its wall-clock time; in zones that change on a
weekday (e.g. ``Asia/Jerusalem``, Fridays) the counted day itself is 23 or
25 hours long.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from interop.policy.errors import NaiveDatetimeError, UnknownTimeZoneError
from interop.policy.federal_holidays import is_business_day

__all__ = [
    "HOLD_LIMIT",
    "counted_hold_time",
    "detainer_expires_at",
    "is_expired",
    "time_zone",
]

HOLD_LIMIT = timedelta(hours=48)
"""The longest hold beyond release, in counted (business-day) hours."""

_MAX_DAYS = 400  # far beyond any run of non-business days; guards the loops


def time_zone(name: str) -> ZoneInfo:
    """The :class:`zoneinfo.ZoneInfo` of an IANA time-zone name.

    Raises
    ------
    UnknownTimeZoneError
        If ``name`` is not a string naming a zone in the IANA database.
    """
    if not isinstance(name, str) or not name:
        raise UnknownTimeZoneError(f"time zone must be an IANA name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZoneError(f"unknown IANA time zone {name!r}") from error


def _instant(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise NaiveDatetimeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant local day ``day`` begins in ``zone``.

    A local midnight skipped by a clock change (``fold=0`` maps a missing
    wall time with the offset before the change) lands on the change
    itself, which is when the new day begins.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def detainer_expires_at(scheduled_release: datetime, tz: str) -> datetime:
    """When a detainer hold expires: 48 counted hours after the scheduled release.

    Parameters
    ----------
    scheduled_release : datetime
        Timezone-aware instant the person would otherwise be released.
    tz : str
        IANA time-zone name of the holding jurisdiction (``"America/Chicago"``).

    Returns
    -------
    datetime
        The expiry, aware, in the jurisdiction's zone: the instant the 48th
        counted hour ends (a local midnight when it ends a business day).

    Raises
    ------
    NaiveDatetimeError
        If ``scheduled_release`` has no time zone.
    UnknownTimeZoneError
        If ``tz`` is not a known IANA name.

    Examples
    --------
    Released on the eve of Thanksgiving; Thanksgiving and the weekend do not count:

    >>> release = datetime(2010, 11, 24, 15, 0, tzinfo=ZoneInfo("America/Chicago"))
    >>> detainer_expires_at(release, "America/Chicago").isoformat()
    '2010-11-29T15:00:00-06:00'
    """
    zone = time_zone(tz)
    current = _instant(scheduled_release, "scheduled_release")
    remaining = HOLD_LIMIT
    for _ in range(_MAX_DAYS):
        day = current.astimezone(zone).date()
        end = _day_start(day + timedelta(days=1), zone)
        if is_business_day(day):
            span = end - current
            if span >= remaining:
                return (current + remaining).astimezone(zone)
            remaining -= span
        current = end
    raise AssertionError("no business day within _MAX_DAYS")  # pragma: no cover


def counted_hold_time(start: datetime, end: datetime, tz: str) -> timedelta:
    """Real time between two instants that falls on business days in local time.

    Parameters
    ----------
    start, end : datetime
        Timezone-aware instants; ``end`` before ``start`` counts nothing.
    tz : str
        IANA time-zone name of the jurisdiction.

    Returns
    -------
    timedelta
        The counted part of ``[start, end)``; ``HOLD_LIMIT`` from a release
        to its :func:`detainer_expires_at`.

    Raises
    ------
    NaiveDatetimeError, UnknownTimeZoneError
    """
    zone = time_zone(tz)
    current = _instant(start, "start")
    stop = _instant(end, "end")
    counted = timedelta(0)
    while current < stop:
        day = current.astimezone(zone).date()
        day_end = min(_day_start(day + timedelta(days=1), zone), stop)
        if is_business_day(day):
            counted += day_end - current
        current = day_end
    return counted


def is_expired(expires_at: datetime, now: datetime) -> bool:
    """True if a hold expiring at ``expires_at`` has expired at instant ``now``.

    Both must be timezone-aware; the expiry instant itself is expired.

    Raises
    ------
    NaiveDatetimeError
    """
    return _instant(now, "now") >= _instant(expires_at, "expires_at")
