"""Detainers after lodging: expiry over weekends, holidays and time zones, and
ICE assuming custody, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interop.agencies.agencies import agency_handlers, scheduled_release
from interop.agencies.detainers import (
    CUSTODY_KIND,
    CustodyBeforeLodgingError,
    DetainerAlreadyHonouredError,
    DetainerExpiredError,
    DetainerNotFoundError,
    assume_custody,
    expire_detainers,
    reschedule_release,
)
from interop.agencies.services import Services
from interop.bus import Worker
from interop.bus.queue import message_id
from interop.policy import NaiveDatetimeError, detainer_expires_at
from interop.store import Store
from interop.store.models import Case, DetainerRecord, Jurisdiction, MessageRecord, State

CHICAGO = "America/Chicago"
NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"
SECOND = timedelta(seconds=1)


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))  # type: ignore[misc]


def lodge(store: Store, tcn: str, release: datetime | None, tz: str = CHICAGO) -> DetainerRecord:
    """A case and its lodged detainer, expiring by the policy's clock."""
    lodged_at = (release or datetime(2011, 1, 1, tzinfo=UTC)) - timedelta(hours=20)
    with store.session() as s:
        s.add(
            Case(
                tcn=tcn,
                ori="IL0990000",
                state="IL",
                booked_on=lodged_at.date(),
                submitted_at=lodged_at,
                stage="detainer_lodged",
                final=True,
            )
        )
        s.flush()
        detainer = DetainerRecord(
            tcn=tcn,
            a_number="A012345678",
            field_office="IL",
            ori="IL0990000",
            lodged_at=lodged_at,
            scheduled_release=release,
            expires_at=detainer_expires_at(release, tz) if release is not None else None,
            status="lodged",
        )
        s.add(detainer)
    return detainer


def sweep(store: Store, now: datetime) -> int:
    with store.session() as s:
        return expire_detainers(s, now)


def statuses(store: Store) -> dict[str, tuple[str, datetime | None]]:
    with store.session() as s:
        return {d.tcn: (d.status, d.ended_at) for d in s.scalars(select(DetainerRecord))}


# ------------------------------------------------------------------ expiry


def test_a_friday_release_expires_on_tuesday_not_sunday(store: Store) -> None:
    # Fri 18:00 + 6 h on Friday, Saturday and Sunday skipped, 24 h Monday, 18 h Tuesday
    release = local(CHICAGO, 2011, 5, 6, 18)
    detainer = lodge(store, "IL099000000000000001", release)
    expected = local(CHICAGO, 2011, 5, 10, 18)
    assert detainer.expires_at == expected
    assert sweep(store, release.astimezone(UTC) + timedelta(hours=48)) == 0  # Sunday
    assert sweep(store, expected - SECOND) == 0
    assert statuses(store) == {"IL099000000000000001": ("lodged", None)}
    assert sweep(store, expected) == 1  # the expiry instant itself is expired
    assert statuses(store) == {"IL099000000000000001": ("expired", expected)}
    assert sweep(store, expected + timedelta(days=30)) == 0  # idempotent


def test_a_federal_holiday_adds_a_day(store: Store) -> None:
    # Memorial Day, Monday 30 May 2011: Friday 6 h, Tuesday 24 h, Wednesday 18 h
    release = local(CHICAGO, 2011, 5, 27, 18)
    lodge(store, "IL099000000000000002", release)
    assert sweep(store, local(CHICAGO, 2011, 5, 31, 18)) == 0  # without the holiday: expired
    assert sweep(store, local(CHICAGO, 2011, 6, 1, 17, 59)) == 0
    assert sweep(store, local(CHICAGO, 2011, 6, 1, 18)) == 1
    # Thanksgiving 2010 (Thursday) and the weekend after it
    release = local(CHICAGO, 2010, 11, 24, 15)
    lodge(store, "IL099000000000000003", release)
    assert sweep(store, local(CHICAGO, 2010, 11, 29, 14, 59)) == 0
    assert sweep(store, local(CHICAGO, 2010, 11, 29, 15)) == 1
    assert statuses(store)["IL099000000000000003"] == ("expired", local(CHICAGO, 2010, 11, 29, 15))


def test_the_same_release_instant_expires_by_each_jurisdictions_local_calendar(
    store: Store,
) -> None:
    """Released at 05:00 UTC on Saturday 2 July 2011: already Saturday in New
    York (counting starts Tuesday, after the Fourth of July), still Friday
    evening in Los Angeles (two hours count that day)."""
    release = datetime(2011, 7, 2, 5, 0, tzinfo=UTC)
    new_york = lodge(store, "NY030000000000000001", release, NEW_YORK)
    los_angeles = lodge(store, "CA019000000000000001", release, LOS_ANGELES)
    assert new_york.expires_at == local(NEW_YORK, 2011, 7, 7, 0)  # 04:00 UTC
    assert los_angeles.expires_at == local(LOS_ANGELES, 2011, 7, 6, 22)  # 05:00 UTC
    assert sweep(store, datetime(2011, 7, 7, 3, 59, tzinfo=UTC)) == 0
    assert sweep(store, datetime(2011, 7, 7, 4, 30, tzinfo=UTC)) == 1
    assert statuses(store)["NY030000000000000001"][0] == "expired"
    assert statuses(store)["CA019000000000000001"] == ("lodged", None)
    assert sweep(store, datetime(2011, 7, 7, 5, 0, tzinfo=UTC)) == 1


def test_a_clock_change_over_the_weekend_keeps_the_local_expiry_time(store: Store) -> None:
    # daylight saving time ends Sunday 6 November 2011: 97 real hours, 48 counted
    release = local(CHICAGO, 2011, 11, 4, 18)
    detainer = lodge(store, "IL099000000000000004", release)
    assert detainer.expires_at == local(CHICAGO, 2011, 11, 8, 18)
    assert detainer.expires_at is not None
    start = release.astimezone(UTC)  # aware arithmetic in one zone is wall-clock: use UTC
    assert detainer.expires_at.astimezone(UTC) - start == timedelta(hours=97)
    assert sweep(store, start + timedelta(hours=96)) == 0
    assert sweep(store, start + timedelta(hours=97)) == 1


def test_the_jails_release_schedule_feeds_the_clock(store: Store) -> None:
    # booked Thursday 30 Dec 2010: released Friday 31 Dec (New Year's Day observed) at 18:00
    release = scheduled_release(date(2010, 12, 30), CHICAGO)
    assert release == local(CHICAGO, 2010, 12, 31, 18)
    lodge(store, "IL099000000000000005", release)
    assert sweep(store, local(CHICAGO, 2011, 1, 4, 23, 59)) == 0
    assert sweep(store, local(CHICAGO, 2011, 1, 5, 0)) == 1  # Mon 24 h + Tue 24 h


def test_only_lodged_detainers_with_an_expiry_expire(store: Store) -> None:
    release = local(CHICAGO, 2011, 5, 2, 18)
    lodge(store, "IL099000000000000006", release)
    lodge(store, "IL099000000000000007", None)  # no scheduled release known
    honoured_at = local(CHICAGO, 2011, 5, 3, 9)
    with store.session() as s:
        assume_custody(s, "IL099000000000000006", honoured_at)
    assert sweep(store, datetime(2030, 1, 1, tzinfo=UTC)) == 0
    assert statuses(store) == {
        "IL099000000000000006": ("honoured", honoured_at),
        "IL099000000000000007": ("lodged", None),
    }


def test_sweeping_needs_an_aware_instant(store: Store) -> None:
    with store.session() as s, pytest.raises(NaiveDatetimeError):
        expire_detainers(s, datetime(2011, 5, 10, 18))


def test_concurrent_sweeps_expire_each_detainer_once(store: Store) -> None:
    release = local(CHICAGO, 2011, 5, 2, 18)
    for k in range(5):
        lodge(store, f"IL09900000000000010{k}", release + timedelta(minutes=k))
    now = release + timedelta(days=7)
    counts: list[int] = []
    with store.session() as first:
        counts.append(expire_detainers(first, now))  # holds its row (or write) locks
        second = threading.Thread(target=lambda: counts.append(sweep(store, now)))
        second.start()
        second.join(timeout=0.5)
        assert second.is_alive()  # waits for the first transaction
    second.join(timeout=30)
    assert not second.is_alive()
    assert counts == [5, 0]
    assert {status for status, _ in statuses(store).values()} == {"expired"}


# ----------------------------------------------------------------- custody


def test_ice_assumes_custody_before_expiry_and_the_agency_is_told(store: Store) -> None:
    tcn = "IL099000000000000011"
    release = local(CHICAGO, 2011, 5, 6, 18)  # Friday
    lodge(store, tcn, release)
    at = local(CHICAGO, 2011, 5, 9, 10)  # Monday morning: 16 counted hours in
    with store.session() as s:
        detainer = assume_custody(s, tcn, at)
        assert detainer.status == "honoured" and detainer.ended_at == at
    with store.session() as s:
        [message] = s.scalars(select(MessageRecord).where(MessageRecord.tcn == tcn))
        assert message.kind == CUSTODY_KIND == "CUST"
        assert message.sender == "field_office:IL" and message.recipient == "booking:IL0990000"
        assert message.id == message_id(f"custody:{tcn}", 0, "CUST", "booking:IL0990000")
        assert message.body == {"custody_at": at.astimezone(UTC).isoformat()}
    # the booking agency's handler takes the notice
    stats = Worker(store, agency_handlers(Services())).run(until_idle=True)
    assert stats.handled == 1 and stats.failed == 0
    with store.session() as s:
        case = s.get(Case, tcn)
        assert case is not None and case.last_response_at is not None


def test_custody_is_refused_once_the_hold_has_expired(store: Store) -> None:
    tcn = "IL099000000000000012"
    release = local(CHICAGO, 2011, 5, 27, 18)  # before Memorial Day
    detainer = lodge(store, tcn, release)
    assert detainer.expires_at is not None
    with store.session() as s, pytest.raises(DetainerExpiredError) as late:
        assume_custody(s, tcn, detainer.expires_at)  # the expiry instant is too late
    assert late.value.expires_at == detainer.expires_at and late.value.code == "detainer-expired"
    with store.session() as s:  # on the holiday the hold is still in force
        assert assume_custody(s, tcn, local(CHICAGO, 2011, 5, 31, 20)).status == "honoured"

    expired = "IL099000000000000013"
    lodge(store, expired, release)
    assert sweep(store, local(CHICAGO, 2011, 6, 2)) == 1
    with store.session() as s, pytest.raises(DetainerExpiredError):
        assume_custody(s, expired, local(CHICAGO, 2011, 5, 28))  # marked expired by the sweep
    with store.session() as s:
        assert s.scalars(select(MessageRecord).where(MessageRecord.tcn == expired)).all() == []


def test_custody_twice_unknown_or_before_lodging_is_refused(store: Store) -> None:
    tcn = "IL099000000000000014"
    release = local(CHICAGO, 2011, 5, 2, 18)
    detainer = lodge(store, tcn, release)
    at = release + timedelta(hours=1)
    with store.session() as s:
        assume_custody(s, tcn, at)
    with store.session() as s, pytest.raises(DetainerAlreadyHonouredError) as twice:
        assume_custody(s, tcn, at + timedelta(hours=1))
    assert twice.value.ended_at == at
    with store.session() as s:
        assert len(s.scalars(select(MessageRecord)).all()) == 1
        assert s.get(DetainerRecord, tcn).ended_at == at  # type: ignore[union-attr]
    with store.session() as s, pytest.raises(DetainerNotFoundError):
        assume_custody(s, "IL0990000NOSUCHTCN", at)
    other = "IL099000000000000015"
    lodge(store, other, release)
    with store.session() as s, pytest.raises(CustodyBeforeLodgingError):
        assume_custody(s, other, detainer.lodged_at - SECOND)
    with store.session() as s, pytest.raises(NaiveDatetimeError):
        assume_custody(s, other, datetime(2011, 5, 3, 12))
    assert statuses(store)[other] == ("lodged", None)


def test_a_later_release_from_the_jail_moves_the_hold(store: Store) -> None:
    """A person kept in jail for weeks (trial, sentence): the jail's notice of
    the new release moves the 48-hour hold, so ICE's custody then is honoured."""
    with store.session() as s:
        s.add(State(code="IL", name="Illinois"))
        s.flush()
        s.add(Jurisdiction(ori="IL0990000", state="IL", name="Kane County", time_zone=CHICAGO))
    tcn = "IL099000000000000021"
    lodge(store, tcn, local(CHICAGO, 2011, 5, 3, 18))
    later = local(CHICAGO, 2011, 6, 24, 18)  # a Friday, seven weeks on
    with store.session() as s:
        moved = reschedule_release(s, tcn, later)
        assert moved.status == "lodged" and moved.scheduled_release == later
        assert moved.expires_at == local(CHICAGO, 2011, 6, 28, 18)  # Tuesday, weekend skipped
    assert sweep(store, local(CHICAGO, 2011, 5, 20)) == 0  # the first hold's expiry is gone
    with store.session() as s:
        assert assume_custody(s, tcn, later + timedelta(hours=30)).status == "honoured"
    with store.session() as s, pytest.raises(DetainerAlreadyHonouredError):
        reschedule_release(s, tcn, later + timedelta(days=7))
    with store.session() as s, pytest.raises(DetainerNotFoundError):
        reschedule_release(s, "IL0990000NOSUCHTCN", later)
    with store.session() as s, pytest.raises(NaiveDatetimeError):
        reschedule_release(s, tcn, datetime(2011, 6, 1, 12))

    expired = "IL099000000000000022"
    lodge(store, expired, local(CHICAGO, 2011, 5, 3, 18))
    assert sweep(store, local(CHICAGO, 2011, 5, 20)) == 1
    with store.session() as s, pytest.raises(DetainerExpiredError):
        reschedule_release(s, expired, later)  # released when the hold ran out
