"""The population's domain objects: people, their records, jurisdictions, bookings.

All values are immutable. Dates are :class:`datetime.date` (calendar days,
no time zone); a booking's time of day is a naive :class:`datetime.datetime`
in the booking agency's local time. Every record converts to and from a
plain JSON-ready ``dict`` (``to_record`` / ``from_record``), the format of
:mod:`interop.population.jsonl`.

``Disposition``, ``PriorityLevel`` and ``MatchLevel`` are the policy layer's
(:mod:`interop.policy.priority`), re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from interop.policy.priority import Disposition, MatchLevel, PriorityLevel

__all__ = [
    "IDENT_ENCOUNTERS",
    "Arrest",
    "Booking",
    "BookingTruth",
    "Disposition",
    "Encounter",
    "EncounterKind",
    "Jurisdiction",
    "JurisdictionKind",
    "MatchLevel",
    "Person",
    "PriorityLevel",
    "Sex",
    "StateBureau",
    "Status",
]


class Status(StrEnum):
    """Immigration status of a person on the scenario's first day (1 Oct 2008)."""

    US_BORN_CITIZEN = "us_born_citizen"
    NATURALISED_CITIZEN = "naturalised_citizen"
    LAWFUL_PERMANENT_RESIDENT = "lawful_permanent_resident"
    VISA_HOLDER = "visa_holder"
    VISA_OVERSTAY = "visa_overstay"
    ENTERED_WITHOUT_INSPECTION = "entered_without_inspection"
    PREVIOUSLY_REMOVED = "previously_removed"

    @property
    def citizen(self) -> bool:
        """True for US-born and naturalised citizens (never removable)."""
        return self in (Status.US_BORN_CITIZEN, Status.NATURALISED_CITIZEN)


class Sex(StrEnum):
    """Sex as recorded at booking (EBTS field SEX: M or F)."""

    MALE = "M"
    FEMALE = "F"


class EncounterKind(StrEnum):
    """A DHS encounter that enrols a person's fingerprints in IDENT."""

    VISA_APPLICATION = "visa_application"
    """Biometric visa application or US-VISIT port-of-entry capture."""
    BORDER_APPREHENSION = "border_apprehension"
    """Apprehension by the Border Patrol (including voluntary returns)."""
    REMOVAL = "removal"
    """A removal from the United States (before or during the scenario)."""
    PERMANENT_RESIDENCE = "permanent_residence"
    """Biometrics for an immigrant visa or adjustment to permanent residence."""
    NATURALISATION = "naturalisation"
    """Biometrics for naturalisation (form N-400)."""
    TRUSTED_TRAVELLER = "trusted_traveller"
    """A citizen's enrolment in a trusted-traveller programme (e.g. Global Entry)."""


IDENT_ENCOUNTERS = frozenset(EncounterKind)
"""Encounter kinds that leave ten-prints in IDENT (all of them, in this model)."""


class JurisdictionKind(StrEnum):
    """What a county-level jurisdiction is called in its state."""

    COUNTY = "county"
    PARISH = "parish"
    BOROUGH = "borough"
    INDEPENDENT_CITY = "independent_city"
    DISTRICT = "district"


def _d(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _p(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class Encounter:
    """One immigration encounter that put the person's prints in IDENT.

    Attributes
    ----------
    kind : EncounterKind
    on : date
        Day of the encounter (day of biometric capture).
    a_number : str or None
        Alien number opened for this encounter ("A" + 9 digits), if any.
    """

    kind: EncounterKind
    on: date
    a_number: str | None = None

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict``."""
        return {"kind": self.kind.value, "on": self.on.isoformat(), "a_number": self.a_number}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Encounter:
        """Inverse of :meth:`to_record`."""
        kind = EncounterKind(record["kind"])
        return cls(kind, date.fromisoformat(record["on"]), record["a_number"])


@dataclass(frozen=True, slots=True)
class Arrest:
    """One arrest, its charge and its court disposition (one criminal-history cycle).

    Attributes
    ----------
    arrested_on : date
    ori : str
        ORI of the arresting (booking) agency, 9 characters.
    charge : str
        NCIC offence code of the arrest charge, 4 digits.
    disposition : Disposition
    disposed_on : date or None
        Day of the disposition; None while pending.
    conviction : str or None
        NCIC code of the offence convicted of; None without a conviction.
    sentence_days : int or None
        Custodial sentence imposed, days (0 for a fine or probation); None
        without a conviction.
    """

    arrested_on: date
    ori: str
    charge: str
    disposition: Disposition
    disposed_on: date | None
    conviction: str | None
    sentence_days: int | None

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict``."""
        return {
            "arrested_on": self.arrested_on.isoformat(),
            "ori": self.ori,
            "charge": self.charge,
            "disposition": self.disposition.value,
            "disposed_on": _d(self.disposed_on),
            "conviction": self.conviction,
            "sentence_days": self.sentence_days,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Arrest:
        """Inverse of :meth:`to_record`."""
        return cls(
            date.fromisoformat(record["arrested_on"]),
            record["ori"],
            record["charge"],
            Disposition(record["disposition"]),
            _p(record["disposed_on"]),
            record["conviction"],
            record["sentence_days"],
        )


@dataclass(frozen=True, slots=True)
class Person:
    """A synthetic resident of the United States and the records about them.

    Attributes
    ----------
    person_id : int
        Serial number within the population, 0-based.
    given_name, surname : str
    date_of_birth : date
    sex : Sex
    place_of_birth : str
        ISO 3166-2 subdivision for a US birth (``"US-TX"``), ISO 3166-1
        alpha-2 country otherwise (``"MX"``).
    status : Status
        Status on the scenario's first day.
    residence_ori : str
        ORI of the jurisdiction (county) the person lives in.
    entered_us_on : date or None
        Last entry into the United States; None for the US-born.
    a_number : str or None
        Alien number, if DHS opened an A-file.
    fbi_number : str or None
        FBI number (UCN), given at the first arrest; None if never arrested.
    encounters : tuple of Encounter
        IDENT encounters, by date (a removal during the scenario included).
    arrests : tuple of Arrest
        Criminal history, by date: arrests before the scenario and the
        bookings during it.
    """

    person_id: int
    given_name: str
    surname: str
    date_of_birth: date
    sex: Sex
    place_of_birth: str
    status: Status
    residence_ori: str
    entered_us_on: date | None
    a_number: str | None
    fbi_number: str | None
    encounters: tuple[Encounter, ...]
    arrests: tuple[Arrest, ...]

    @property
    def ident_enrolled_on(self) -> date | None:
        """Day the person's prints first entered IDENT; None if never."""
        return self.encounters[0].on if self.encounters else None

    def in_ident(self, on: date) -> bool:
        """Ground truth: would a search of IDENT on day ``on`` find this person?"""
        first = self.ident_enrolled_on
        return first is not None and first <= on

    @property
    def fbi_enrolled_on(self) -> date | None:
        """Day of the first arrest (enrolment in the FBI's criminal master file)."""
        return self.arrests[0].arrested_on if self.arrests else None

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict`` (record type ``"person"`` of the JSON Lines format)."""
        return {
            "type": "person",
            "person_id": self.person_id,
            "given_name": self.given_name,
            "surname": self.surname,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex.value,
            "place_of_birth": self.place_of_birth,
            "status": self.status.value,
            "residence_ori": self.residence_ori,
            "entered_us_on": _d(self.entered_us_on),
            "a_number": self.a_number,
            "fbi_number": self.fbi_number,
            "encounters": [e.to_record() for e in self.encounters],
            "arrests": [a.to_record() for a in self.arrests],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Person:
        """Inverse of :meth:`to_record`."""
        return cls(
            record["person_id"],
            record["given_name"],
            record["surname"],
            date.fromisoformat(record["date_of_birth"]),
            Sex(record["sex"]),
            record["place_of_birth"],
            Status(record["status"]),
            record["residence_ori"],
            _p(record["entered_us_on"]),
            record["a_number"],
            record["fbi_number"],
            tuple(Encounter.from_record(e) for e in record["encounters"]),
            tuple(Arrest.from_record(a) for a in record["arrests"]),
        )


@dataclass(frozen=True, slots=True)
class StateBureau:
    """A State Identification Bureau (SIB), party to the state's MOA with ICE.

    Attributes
    ----------
    state : str
        USPS code.
    name : str
    ori : str
        The bureau's ORI, 9 characters.
    moa_signed_on, moa_terminated_on : date or None
        Memorandum of Agreement with ICE (all were terminated by ICE on
        5 Aug 2011 at the latest).
    """

    state: str
    name: str
    ori: str
    moa_signed_on: date | None
    moa_terminated_on: date | None

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict`` (record type ``"state_bureau"``)."""
        return {
            "type": "state_bureau",
            "state": self.state,
            "name": self.name,
            "ori": self.ori,
            "moa_signed_on": _d(self.moa_signed_on),
            "moa_terminated_on": _d(self.moa_terminated_on),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> StateBureau:
        """Inverse of :meth:`to_record`."""
        return cls(
            record["state"],
            record["name"],
            record["ori"],
            _p(record["moa_signed_on"]),
            _p(record["moa_terminated_on"]),
        )


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A county or county-equivalent: the unit Secure Communities activated.

    Attributes
    ----------
    ori : str
        ORI of its booking agency (sheriff or city jail): 2-letter state code,
        3-digit county number, ``"0000"``.
    name : str
    kind : JurisdictionKind
    state : str
        USPS code.
    population : int
        Residents (real-world scale, 2010).
    foreign_born_share : float
        Share of residents born abroad, 0..1.
    annual_bookings : int
        Expected bookings (fingerprint submissions) a year at real-world scale.
    activated_on : date
        Day Secure Communities was activated here.
    """

    ori: str
    name: str
    kind: JurisdictionKind
    state: str
    population: int
    foreign_born_share: float
    annual_bookings: int
    activated_on: date

    def activated(self, on: date) -> bool:
        """True if bookings on day ``on`` are forwarded to IDENT (historical schedule)."""
        return self.activated_on <= on

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict`` (record type ``"jurisdiction"``)."""
        return {
            "type": "jurisdiction",
            "ori": self.ori,
            "name": self.name,
            "kind": self.kind.value,
            "state": self.state,
            "population": self.population,
            "foreign_born_share": self.foreign_born_share,
            "annual_bookings": self.annual_bookings,
            "activated_on": self.activated_on.isoformat(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Jurisdiction:
        """Inverse of :meth:`to_record`."""
        return cls(
            record["ori"],
            record["name"],
            JurisdictionKind(record["kind"]),
            record["state"],
            record["population"],
            record["foreign_born_share"],
            record["annual_bookings"],
            date.fromisoformat(record["activated_on"]),
        )


@dataclass(frozen=True, slots=True)
class BookingTruth:
    """What the synthetic world knows about a booking that the pipeline must find out.

    Attributes
    ----------
    submitted : bool
        The jurisdiction was activated on the booking day, so the FBI
        forwards the prints to IDENT (historical schedule).
    in_ident : bool
        The person's prints were in IDENT on the booking day.
    ident_match : bool
        ``submitted and in_ident``: an IDENT match under the historical schedule.
    match_level : MatchLevel or None
        Level under which ICE's statistics count the match; None without one.
    priority_level : PriorityLevel or None
        The person's conviction-based level once this charge is disposed of
        (the level of ICE custody and removal statistics); None without a match.
    ice_custody_on : date or None
        Day ICE took custody (booked into ICE custody, "charged").
    removed_on : date or None
        Day of removal from the United States.
    """

    submitted: bool
    in_ident: bool
    ident_match: bool
    match_level: MatchLevel | None
    priority_level: PriorityLevel | None
    ice_custody_on: date | None
    removed_on: date | None

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict``."""
        return {
            "submitted": self.submitted,
            "in_ident": self.in_ident,
            "ident_match": self.ident_match,
            "match_level": None if self.match_level is None else self.match_level.value,
            "priority_level": None if self.priority_level is None else self.priority_level.name,
            "ice_custody_on": _d(self.ice_custody_on),
            "removed_on": _d(self.removed_on),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> BookingTruth:
        """Inverse of :meth:`to_record`."""
        level = record["priority_level"]
        match = record["match_level"]
        return cls(
            record["submitted"],
            record["in_ident"],
            record["ident_match"],
            None if match is None else MatchLevel(match),
            None if level is None else PriorityLevel[level],
            _p(record["ice_custody_on"]),
            _p(record["removed_on"]),
        )


@dataclass(frozen=True, slots=True)
class Booking:
    """One jail booking during the scenario: who was arrested, where, when, for what.

    Carries what the booking agency puts in its CAR submission (EBTS Type-2
    NAM, DOB, SEX, POB, DOA, ORI and the charge) and, apart, the ground truth.

    Attributes
    ----------
    booking_id : int
        Serial number in time order, 0-based.
    booked_at : datetime
        Local date and time of the booking.
    ori : str
        Booking agency's ORI.
    person_id : int
    given_name, surname : str
    date_of_birth : date
    sex : Sex
    place_of_birth : str
    charge : str
        NCIC offence code of the arrest charge.
    truth : BookingTruth
    """

    booking_id: int
    booked_at: datetime
    ori: str
    person_id: int
    given_name: str
    surname: str
    date_of_birth: date
    sex: Sex
    place_of_birth: str
    charge: str
    truth: BookingTruth

    def to_record(self) -> dict[str, Any]:
        """JSON-ready ``dict`` (record type ``"booking"``)."""
        return {
            "type": "booking",
            "booking_id": self.booking_id,
            "booked_at": self.booked_at.isoformat(),
            "ori": self.ori,
            "person_id": self.person_id,
            "given_name": self.given_name,
            "surname": self.surname,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex.value,
            "place_of_birth": self.place_of_birth,
            "charge": self.charge,
            "truth": self.truth.to_record(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Booking:
        """Inverse of :meth:`to_record`."""
        return cls(
            record["booking_id"],
            datetime.fromisoformat(record["booked_at"]),
            record["ori"],
            record["person_id"],
            record["given_name"],
            record["surname"],
            date.fromisoformat(record["date_of_birth"]),
            Sex(record["sex"]),
            record["place_of_birth"],
            record["charge"],
            BookingTruth.from_record(record["truth"]),
        )
