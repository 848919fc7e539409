"""What the dashboard reads from the store: identifiers, times, decisions, levels.

Nothing here selects a name, a date of birth, an A-number, an FBI number,
fingerprint data, a message body or a transaction's bytes: the queries name
their columns, and the values they return are the only ones the pages see.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from interop.store.models import (
    Case,
    DetainerRecord,
    ImmigrationEncounter,
    Jurisdiction,
    LogLeaf,
    MessageRecord,
    PolicyDecisionRecord,
    State,
    TreeHeadRecord,
)
from interop.store.transparency import Disclosure, disclosures

__all__ = [
    "BookingRow",
    "DecisionRow",
    "DetainerRow",
    "Journey",
    "JurisdictionRow",
    "MessageRow",
    "StateRow",
    "activation_days",
    "journey",
    "jurisdiction",
    "jurisdictions",
    "recent_bookings",
    "report_through",
    "state_name",
    "states",
    "store_token",
]


def store_token(session: Session) -> str:
    """A short digest of the store's state: changes whenever a page's figures could.

    Counts and latest instants of messages (sent, handled, logged), cases,
    detainers and IDENT encounters, the log's size, and every jurisdiction's
    activation dates. A few aggregate queries: cheap beside rendering a chart.
    """
    parts: list[object] = []
    parts += session.execute(
        select(
            func.count(),
            func.max(MessageRecord.created_at),
            func.max(MessageRecord.done_at),
            func.count(MessageRecord.done_at),
            func.count(MessageRecord.log_index),
        )
    ).one()
    parts += session.execute(select(func.count(), func.max(Case.last_response_at))).one()
    parts += session.execute(
        select(func.count(), func.max(DetainerRecord.ended_at), func.count(DetainerRecord.ended_at))
    ).one()
    parts += session.execute(select(func.count(), func.max(ImmigrationEncounter.id))).one()
    parts.append(session.scalar(select(func.max(TreeHeadRecord.size))))
    activation = hashlib.sha256()
    for ori, on, off in session.execute(
        select(Jurisdiction.ori, Jurisdiction.activated_on, Jurisdiction.deactivated_on).order_by(
            Jurisdiction.ori
        )
    ):
        activation.update(f"{ori}|{on}|{off};".encode())
    parts.append(activation.hexdigest())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def report_through(session: Session) -> date | None:
    """The last day the figures run to: the latest booking's day (``None``: no bookings)."""
    return session.scalar(select(func.max(Case.booked_on)))


@dataclass(frozen=True)
class StateRow:
    """A state, its jurisdictions and their activation."""

    code: str
    name: str
    jurisdictions: int
    activated: int
    first_activation: date | None
    bookings: int


def states(session: Session) -> list[StateRow]:
    """Every state with its jurisdictions, activations and bookings, by code."""
    counts = {
        code: (int(n), int(a), first)
        for code, n, a, first in session.execute(
            select(
                Jurisdiction.state,
                func.count(),
                func.count(Jurisdiction.activated_on),
                func.min(Jurisdiction.activated_on),
            ).group_by(Jurisdiction.state)
        )
    }
    bookings = {
        code: int(n)
        for code, n in session.execute(select(Case.state, func.count()).group_by(Case.state))
    }
    out = []
    for code, name in session.execute(select(State.code, State.name).order_by(State.code)):
        n, activated, first = counts.get(code, (0, 0, None))
        out.append(StateRow(code, name, n, activated, first, int(bookings.get(code, 0))))
    return out


def state_name(session: Session, code: str) -> str | None:
    """The state's name, ``None`` if the store has no such state."""
    return session.scalar(select(State.name).where(State.code == code))


def activation_days(session: Session, state: str | None = None) -> dict[str, list[date]]:
    """Activation days of the jurisdictions activated, by state (or of one state)."""
    query = select(Jurisdiction.state, Jurisdiction.activated_on).where(
        Jurisdiction.activated_on.is_not(None)
    )
    if state is not None:
        query = query.where(Jurisdiction.state == state)
    out: dict[str, list[date]] = defaultdict(list)
    for code, on in session.execute(query):
        if on is not None:
            out[code].append(on)
    return {code: sorted(days) for code, days in sorted(out.items())}


@dataclass(frozen=True)
class JurisdictionRow:
    """A jurisdiction (its booking agency's ORI), activation and bookings."""

    ori: str
    state: str
    name: str
    time_zone: str
    activated_on: date | None
    deactivated_on: date | None
    bookings: int


def _with_bookings(
    session: Session, which: ColumnElement[bool], cases: ColumnElement[bool]
) -> list[JurisdictionRow]:
    bookings = {
        ori: int(n)
        for ori, n in session.execute(
            select(Case.ori, func.count()).where(cases).group_by(Case.ori)
        )
    }
    return [
        JurisdictionRow(
            j.ori,
            j.state,
            j.name,
            j.time_zone,
            j.activated_on,
            j.deactivated_on,
            int(bookings.get(j.ori, 0)),
        )
        for j in session.scalars(select(Jurisdiction).where(which).order_by(Jurisdiction.ori))
    ]


def jurisdictions(session: Session, state: str) -> list[JurisdictionRow]:
    """The state's jurisdictions, by ORI."""
    return _with_bookings(session, Jurisdiction.state == state, Case.state == state)


def jurisdiction(session: Session, ori: str) -> JurisdictionRow | None:
    """One jurisdiction, ``None`` if unknown."""
    rows = _with_bookings(session, Jurisdiction.ori == ori, Case.ori == ori)
    return rows[0] if rows else None


@dataclass(frozen=True)
class BookingRow:
    """A booking as the jurisdiction page lists it (no personal data)."""

    tcn: str
    booked_on: date
    submitted_at: datetime
    stage: str
    final: bool
    forwarded_to_ident: bool | None
    ident_match: bool | None
    priority_level: int | None
    detainer_lodged: bool | None


_BOOKING_COLUMNS = (
    Case.tcn,
    Case.booked_on,
    Case.submitted_at,
    Case.stage,
    Case.final,
    Case.forwarded_to_ident,
    Case.ident_match,
    Case.priority_level,
    Case.detainer_lodged,
)
"""What :class:`BookingRow` holds, in its order."""


def recent_bookings(session: Session, ori: str, limit: int = 50) -> list[BookingRow]:
    """The jurisdiction's latest bookings (by booking day, then submission), newest first."""
    rows = session.execute(
        select(*_BOOKING_COLUMNS)
        .where(Case.ori == ori)
        .order_by(Case.booked_on.desc(), Case.submitted_at.desc(), Case.tcn.desc())
        .limit(limit)
    )
    return [BookingRow(*r) for r in rows]


@dataclass(frozen=True)
class MessageRow:
    """One message of a booking: kind, inboxes, times, leaf; never its body."""

    id: str
    kind: str
    sender: str
    recipient: str
    created_at: datetime
    done_at: datetime | None
    status: str
    attempts: int
    log_index: int | None
    caused_by: str | None
    transaction_sha256: str | None


@dataclass(frozen=True)
class DecisionRow:
    """A policy decision: question, rule, outcome, reason, when."""

    question: str
    rule: str
    allowed: bool
    reason: str
    decided_at: datetime


@dataclass(frozen=True)
class DetainerRow:
    """A detainer, without the person's A-number."""

    field_office: str
    ori: str
    lodged_at: datetime
    scheduled_release: datetime | None
    expires_at: datetime | None
    status: str
    ended_at: datetime | None


@dataclass(frozen=True)
class Journey:
    """Everything the booking page shows."""

    booking: BookingRow
    ori: str
    state: str
    last_response_at: datetime | None
    messages: list[MessageRow]
    decisions: list[DecisionRow]
    detainer: DetainerRow | None
    disclosures: list[Disclosure]
    unlogged: int


def journey(session: Session, tcn: str) -> Journey | None:
    """A booking's messages in order, its decisions, detainer and log receipts."""
    case = session.execute(
        select(
            *_BOOKING_COLUMNS,
            Case.ori,
            Case.state,
            Case.last_response_at,
        ).where(Case.tcn == tcn)
    ).one_or_none()
    if case is None:
        return None
    messages = [
        MessageRow(*m)
        for m in session.execute(
            select(
                MessageRecord.id,
                MessageRecord.kind,
                MessageRecord.sender,
                MessageRecord.recipient,
                MessageRecord.created_at,
                MessageRecord.done_at,
                MessageRecord.status,
                MessageRecord.attempts,
                MessageRecord.log_index,
                MessageRecord.caused_by,
                MessageRecord.evidence_sha256,
            )
            .where(MessageRecord.tcn == tcn)
            .order_by(
                MessageRecord.created_at,
                MessageRecord.log_index.is_(None),
                MessageRecord.log_index,
                MessageRecord.id,
            )
        )
    ]
    decisions = [
        DecisionRow(*d)
        for d in session.execute(
            select(
                PolicyDecisionRecord.question,
                PolicyDecisionRecord.rule,
                PolicyDecisionRecord.allowed,
                PolicyDecisionRecord.reason,
                PolicyDecisionRecord.decided_at,
            )
            .where(PolicyDecisionRecord.tcn == tcn)
            .order_by(PolicyDecisionRecord.decided_at, PolicyDecisionRecord.id)
        )
    ]
    found = session.execute(
        select(
            DetainerRecord.field_office,
            DetainerRecord.ori,
            DetainerRecord.lodged_at,
            DetainerRecord.scheduled_release,
            DetainerRecord.expires_at,
            DetainerRecord.status,
            DetainerRecord.ended_at,
        ).where(DetainerRecord.tcn == tcn)
    ).one_or_none()
    logged = disclosures(session, tcn)
    leaves = session.scalar(select(func.count()).select_from(LogLeaf).where(LogLeaf.tcn == tcn))
    return Journey(
        booking=BookingRow(*case[:9]),
        ori=case.ori,
        state=case.state,
        last_response_at=case.last_response_at,
        messages=messages,
        decisions=decisions,
        detainer=DetainerRow(*found) if found is not None else None,
        disclosures=logged,
        unlogged=len(messages) - int(leaves or 0),
    )
