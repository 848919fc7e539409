"""Detainers after they are lodged: ICE assuming custody, and expiry.

The ICE field office lodges a detainer (Form I-247) with the booking agency
(:func:`interop.agencies.agencies.field_office_handler`): a
:class:`~interop.store.models.DetainerRecord` in status ``lodged``, whose
``expires_at`` is 48 counted hours beyond the person's scheduled release,
Saturdays, Sundays and federal holidays excluded, in the jurisdiction's time
zone (:func:`interop.policy.clock.detainer_expires_at`, 8 CFR 287.7(d)).
One of two things ends it:

``honoured`` (:func:`assume_custody`)
    ICE takes the person into custody before the hold expires. The booking
    agency is told by a ``CUST`` message from the field office on the bus
    (id derived from ``custody:<TCN>``, so recording it twice publishes
    once).
``expired`` (:func:`expire_detainers`)
    The hold ran out: the jail may hold the person no longer and releases
    them. No message is sent: the release is the jail's own act.

The release the hold counts from is first the jail's default (the day
after booking: :func:`interop.agencies.agencies.scheduled_release`); a
person the jail keeps longer (awaiting trial, serving a sentence) gets a
new one when the jail tells ICE (:func:`reschedule_release`), and the hold
then runs 48 counted hours beyond that.

``ended_at`` records when: the custody time, or the expiry instant (the
latest moment the hold allowed, so a sweep that runs late records the same
time as one that runs on time). A detainer without ``expires_at`` (no
scheduled release known) never expires here.

Both functions take the time as an argument and read no clock. They work in
the caller's transaction (nothing is committed) with one conditional
``UPDATE ... WHERE status = 'lodged'`` each, so concurrent workers and API
requests cannot both end the same detainer: on PostgreSQL the second
statement waits for the first's row lock and re-reads the condition; SQLite
has one writer at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from interop.agencies.services import booking, field_office
from interop.bus.queue import Bus, Outgoing
from interop.policy.clock import detainer_expires_at
from interop.policy.errors import NaiveDatetimeError
from interop.store.models import DetainerRecord, Jurisdiction

__all__ = [
    "CUSTODY_KIND",
    "EXPIRED",
    "HONOURED",
    "LODGED",
    "CustodyBeforeLodgingError",
    "DetainerAlreadyHonouredError",
    "DetainerError",
    "DetainerExpiredError",
    "DetainerNotFoundError",
    "assume_custody",
    "expire_detainers",
    "reschedule_release",
]

LODGED = "lodged"
HONOURED = "honoured"
EXPIRED = "expired"

CUSTODY_KIND = "CUST"
"""Bus message kind telling the booking agency that ICE assumed custody."""


class DetainerError(RuntimeError):
    """A detainer cannot change as asked.

    Attributes
    ----------
    code : str
        Stable machine-readable code (the API's error code).
    tcn : str
        The booking's TCN.
    """

    code = "detainer-error"

    def __init__(self, tcn: str, message: str) -> None:
        super().__init__(message)
        self.tcn = tcn


class DetainerNotFoundError(DetainerError, LookupError):
    """No detainer was lodged for the booking."""

    code = "not-found"

    def __init__(self, tcn: str) -> None:
        super().__init__(tcn, f"no detainer for transaction {tcn}")


class DetainerExpiredError(DetainerError):
    """The hold had expired at the custody time (or was already marked expired).

    Attributes
    ----------
    expires_at : datetime or None
    """

    code = "detainer-expired"

    def __init__(self, tcn: str, expires_at: datetime | None) -> None:
        when = expires_at.isoformat() if expires_at is not None else "earlier"
        super().__init__(tcn, f"the detainer for {tcn} expired at {when}")
        self.expires_at = expires_at


class DetainerAlreadyHonouredError(DetainerError):
    """ICE assumed custody before.

    Attributes
    ----------
    ended_at : datetime or None
        The custody time recorded then.
    """

    code = "detainer-honoured"

    def __init__(self, tcn: str, ended_at: datetime | None) -> None:
        when = ended_at.isoformat() if ended_at is not None else "before"
        super().__init__(tcn, f"custody for {tcn} was assumed at {when}")
        self.ended_at = ended_at


class CustodyBeforeLodgingError(DetainerError, ValueError):
    """The custody time is before the detainer was lodged."""

    code = "custody-before-lodging"

    def __init__(self, tcn: str, lodged_at: datetime) -> None:
        super().__init__(
            tcn, f"custody cannot precede the detainer for {tcn}, lodged {lodged_at.isoformat()}"
        )


def _instant(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def expire_detainers(session: Session, now: datetime) -> int:
    """Mark every lodged detainer that has expired at ``now`` as expired.

    A detainer has expired once ``expires_at <= now`` (the expiry instant
    itself is expired, as :func:`interop.policy.clock.is_expired` says); the
    jail released the person then, and ``ended_at`` is set to ``expires_at``.
    Idempotent: a detainer already honoured or expired is left alone, so a
    second sweep at the same or a later time changes only detainers that
    expired since. One ``UPDATE``, safe under concurrent workers.

    Parameters
    ----------
    session : Session
        The caller's transaction (committed by the caller).
    now : datetime
        Timezone-aware instant.

    Returns
    -------
    int
        How many detainers this call marked expired.

    Raises
    ------
    NaiveDatetimeError
        If ``now`` has no time zone.
    """
    instant = _instant(now, "now")
    expired = session.scalars(
        update(DetainerRecord)
        .where(
            DetainerRecord.status == LODGED,
            DetainerRecord.expires_at.is_not(None),
            DetainerRecord.expires_at <= instant,
        )
        .values(status=EXPIRED, ended_at=DetainerRecord.expires_at)
        .returning(DetainerRecord.tcn),
        execution_options={"synchronize_session": "fetch"},
    ).all()
    return len(expired)


def assume_custody(
    session: Session, tcn: str, at: datetime, *, bus: Bus | None = None
) -> DetainerRecord:
    """Record that ICE took the person held for booking ``tcn`` into custody at ``at``.

    The detainer becomes ``honoured`` (``ended_at = at``) if it is lodged,
    ``at`` is not before it was lodged, and ``at`` is before it expires (a
    detainer without ``expires_at`` has no known expiry). The booking agency
    is told by a :data:`CUSTODY_KIND` message from the field office that
    lodged it, published in the same transaction.

    Parameters
    ----------
    session : Session
        The caller's transaction (committed by the caller).
    tcn : str
        The booking's transaction control number.
    at : datetime
        Timezone-aware instant custody was assumed.
    bus : Bus, optional
        Where the message is published (a default :class:`Bus`).

    Returns
    -------
    DetainerRecord
        The honoured detainer.

    Raises
    ------
    DetainerNotFoundError
        No detainer for ``tcn``.
    DetainerAlreadyHonouredError
        Custody was recorded before (the error carries its time).
    DetainerExpiredError
        The hold had expired at ``at``, or a sweep marked it expired.
    CustodyBeforeLodgingError
        ``at`` is before the detainer was lodged.
    NaiveDatetimeError
        If ``at`` has no time zone.
    """
    instant = _instant(at, "at")
    honoured = session.scalars(
        update(DetainerRecord)
        .where(
            DetainerRecord.tcn == tcn,
            DetainerRecord.status == LODGED,
            DetainerRecord.lodged_at <= instant,
            or_(DetainerRecord.expires_at.is_(None), DetainerRecord.expires_at > instant),
        )
        .values(status=HONOURED, ended_at=instant)
        .returning(DetainerRecord),
        execution_options={"synchronize_session": "fetch", "populate_existing": True},
    ).one_or_none()
    if honoured is None:
        raise _refusal(session, tcn, instant)
    (bus or Bus()).publish(
        session,
        [Outgoing(CUSTODY_KIND, booking(honoured.ori), tcn, {"custody_at": instant.isoformat()})],
        sender=field_office(honoured.field_office),
        parent=f"custody:{tcn}",
    )
    return honoured


def reschedule_release(session: Session, tcn: str, release_at: datetime) -> DetainerRecord:
    """Record the jail's new scheduled release of the person held for booking
    ``tcn``: the lodged detainer's ``scheduled_release`` becomes ``release_at``
    and it expires 48 counted hours beyond it, by the jurisdiction's calendar
    (:func:`interop.policy.clock.detainer_expires_at`).

    Parameters
    ----------
    session : Session
        The caller's transaction (committed by the caller).
    tcn : str
        The booking's transaction control number.
    release_at : datetime
        Timezone-aware instant the jail will release the person.

    Returns
    -------
    DetainerRecord
        The detainer, still lodged, with its new release and expiry.

    Raises
    ------
    DetainerNotFoundError
        No detainer for ``tcn`` (or no jurisdiction for its ORI).
    DetainerAlreadyHonouredError
        ICE already took the person into custody.
    DetainerExpiredError
        The hold had run out before the jail's notice (the person is gone).
    NaiveDatetimeError
        If ``release_at`` has no time zone.
    """
    instant = _instant(release_at, "release_at")
    detainer = session.get(DetainerRecord, tcn)
    jurisdiction = session.get(Jurisdiction, detainer.ori) if detainer is not None else None
    if jurisdiction is None:
        raise DetainerNotFoundError(tcn)
    changed = session.scalars(
        update(DetainerRecord)
        .where(DetainerRecord.tcn == tcn, DetainerRecord.status == LODGED)
        .values(
            scheduled_release=instant,
            expires_at=detainer_expires_at(instant, jurisdiction.time_zone),
        )
        .returning(DetainerRecord),
        execution_options={"synchronize_session": "fetch", "populate_existing": True},
    ).one_or_none()
    if changed is None:
        raise _refusal(session, tcn, instant)
    return changed


def _refusal(session: Session, tcn: str, at: datetime) -> DetainerError:
    """Why :func:`assume_custody` changed nothing (read after its ``UPDATE``)."""
    detainer = session.get(DetainerRecord, tcn, populate_existing=True)
    if detainer is None:
        return DetainerNotFoundError(tcn)
    if detainer.status == HONOURED:
        return DetainerAlreadyHonouredError(tcn, detainer.ended_at)
    if detainer.status == EXPIRED:
        return DetainerExpiredError(tcn, detainer.expires_at)
    if detainer.status != LODGED:
        return DetainerError(tcn, f"the detainer for {tcn} is {detainer.status}")
    if at < detainer.lodged_at:
        return CustodyBeforeLodgingError(tcn, detainer.lodged_at)
    return DetainerExpiredError(tcn, detainer.expires_at)
