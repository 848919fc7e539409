"""The API's documents (Pydantic): what goes over the wire.

Inputs forbid unknown fields; outputs carry no personal data beyond what the
caller is entitled to (no names, dates of birth, FBI or alien numbers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import Path, Query
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "AgreementCreate",
    "AgreementIdPath",
    "AgreementOut",
    "AgreementTermination",
    "CustodyIn",
    "DetainerOut",
    "Health",
    "JurisdictionCreate",
    "JurisdictionOut",
    "JurisdictionUpdate",
    "MessageIdPath",
    "OptOutCreate",
    "OptOutOut",
    "OriPath",
    "PolicyDecisionOut",
    "ResponseOut",
    "StateFilter",
    "Statistics",
    "SubmissionAccepted",
    "TcnPath",
    "TransactionStatus",
    "check_dates",
]

StateCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Ori = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Z0-9]{7}$")]
StateFilter = Annotated[
    str | None, Query(pattern=r"^[A-Z]{2}$", description="Only this state (two letters)")
]
"""A ``?state=`` query parameter."""

TcnPath = Annotated[
    str, Path(min_length=1, max_length=40, description="Transaction control number (1.009)")
]
"""A TCN in a path: at most 40 characters, as in EBTS (longer: 422)."""
MessageIdPath = Annotated[str, Path(min_length=1, max_length=64, description="Message id")]
OriPath = Annotated[str, Path(min_length=1, max_length=9, description="A jurisdiction's ORI")]
AgreementIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The MOA's id")]
"""A row id in a path: within the store's 32-bit integers (beyond: 422, not a 500)."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- transactions


class SubmissionAccepted(BaseModel):
    """A CAR accepted for processing."""

    tcn: str = Field(description="Transaction control number (1.009)")
    status_url: str = Field(description="Where to follow the booking's status")
    duplicate: bool = Field(
        description="The same transaction was received before; nothing was done again"
    )


class PolicyDecisionOut(BaseModel):
    """A sharing-policy decision taken for a booking, with its rule and reason."""

    question: str = Field(examples=["forward_to_ident"])
    rule: str
    allowed: bool
    reason: str
    decided_at: datetime


class DetainerOut(BaseModel):
    """An I-247 detainer lodged with a booking agency."""

    tcn: str
    ori: str = Field(description="The booking agency holding the person")
    field_office: str
    lodged_at: datetime
    scheduled_release: datetime | None = Field(
        description="When the person would otherwise have been released"
    )
    expires_at: datetime | None = Field(
        description="48 hours beyond the scheduled release, Saturdays, Sundays and federal "
        "holidays excluded, in the jurisdiction's time zone"
    )
    status: str = Field(
        description="lodged; honoured (ICE assumed custody); expired (the jail released the "
        "person)",
        examples=["lodged", "honoured", "expired"],
    )
    ended_at: datetime | None = Field(
        description="When it stopped being in force: the custody time, or the expiry"
    )


class CustodyIn(_Input):
    """ICE took the person held on a detainer into custody."""

    at: AwareDatetime = Field(
        description="When custody was assumed, with its UTC offset (not in the future)",
        examples=["2011-05-09T10:00:00-05:00"],
    )


class TransactionStatus(BaseModel):
    """Where a booking stands."""

    tcn: str
    ori: str = Field(description="Booking agency")
    state: str
    stage: str = Field(
        description="Furthest step reached that the caller may know of: submitted, "
        "identified, ident_searched, matched, classified, detainer_lodged, closed, rejected"
    )
    final: bool = Field(
        description="No more messages are due, and the caller sees the booking's last stage"
    )
    submitted_at: datetime
    last_response_at: datetime | None = Field(
        description="The latest response addressed to the caller (the program office and ICE: "
        "to the booking agency)"
    )
    decisions: list[PolicyDecisionOut] = Field(
        description="The policy decisions the caller may see (those about the IAR only with it)"
    )
    detainer: DetainerOut | None = Field(
        None, description="The detainer, for callers entitled to see it"
    )


class ResponseOut(BaseModel):
    """A message about a booking in the caller's inbox."""

    id: str
    kind: str = Field(examples=["SRE", "ERRT", "IDR", "IAR", "DETN", "CUST"])
    sender: str
    created_at: datetime
    sha256: str | None = Field(description="Of the ANSI/NIST transaction it carries, if any")
    size: int | None = Field(description="Bytes of that transaction")


# --------------------------------------------------------------- jurisdictions


class JurisdictionOut(BaseModel):
    """A jurisdiction (booking agency) and its activation, as published."""

    ori: str
    state: str
    name: str
    activated_on: date | None
    deactivated_on: date | None


def check_dates(activated_on: date | None, deactivated_on: date | None) -> None:
    """Raise ``ValueError`` if a jurisdiction would be deactivated before it is activated."""
    if activated_on is not None and deactivated_on is not None and deactivated_on < activated_on:
        raise ValueError("deactivated_on is before activated_on")


class JurisdictionCreate(_Input):
    """A new jurisdiction."""

    ori: Ori = Field(description="9 characters; the first two are the state")
    state: StateCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    time_zone: str = Field(examples=["America/Chicago"], max_length=64)
    activated_on: date | None = None
    deactivated_on: date | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("not an IANA time zone name")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> JurisdictionCreate:
        check_dates(self.activated_on, self.deactivated_on)
        if self.ori[:2] != self.state:
            raise ValueError(f"ORI {self.ori} is not in state {self.state}")
        return self


class JurisdictionUpdate(_Input):
    """New activation dates (omitted: unchanged; ``null``: cleared)."""

    activated_on: date | None = None
    deactivated_on: date | None = None


# ------------------------------------------------------------------ agreements


class AgreementOut(BaseModel):
    """A memorandum of agreement between ICE and a state's bureau."""

    id: int
    state: str
    signed_on: date
    terminated_on: date | None
    terminated_by: str | None = Field(description='"state" or "ice"')
    terms: str


class AgreementCreate(_Input):
    """A signed MOA."""

    state: StateCode
    signed_on: date
    terms: Annotated[str, StringConstraints(max_length=20_000)] = ""


class AgreementTermination(_Input):
    """When the MOA ends (default: today, UTC)."""

    terminated_on: date | None = None


# ---------------------------------------------------------------- opt-outs


class OptOutOut(BaseModel):
    """A state's (or one jurisdiction's) request not to take part."""

    id: int
    state: str
    jurisdiction_ori: str | None
    requested_on: date
    requested_by: str
    text: str


class OptOutCreate(_Input):
    """An opt-out request. A bureau's is for its own state (``state`` may be omitted)."""

    state: StateCode | None = None
    jurisdiction_ori: Ori | None = Field(None, description="Only this jurisdiction, if given")
    requested_on: date | None = Field(None, description="Default: today (UTC)")
    requested_by: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    text: Annotated[str, StringConstraints(max_length=20_000)] = ""


# ------------------------------------------------------------------ statistics


class Statistics(BaseModel):
    """Aggregate counts of bookings (no personal data; small counts withheld)."""

    cases_submitted: int = Field(description="Bookings submitted")
    cases_final: int | None = Field(
        description="Bookings with no more messages due; null when a stage count is withheld "
        "(with the total it would let a withheld count be worked out)"
    )
    by_stage: dict[str, int | None] | None = Field(
        description="Bookings by the furthest stage reached; a count from 1 to "
        "`min_count` - 1 is null, and so are as many others as it takes for the withheld "
        "ones to add up to at least `min_count`; null as a whole when that cannot be done"
    )
    by_state: dict[str, int] = Field(
        description="Bookings submitted, by state (arrests, as ICE published them; no outcome)"
    )
    min_count: int = Field(description="The smallest outcome count published")


class Health(BaseModel):
    status: str = Field(examples=["ok"])
