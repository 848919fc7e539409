"""A synthetic population for Secure Communities: people, records, jurisdictions, bookings.

    scenario = Scenario(people=100_000, seed=7)
    for person in scenario.people():            # streamed, 25,000 at a time
        person.status, person.encounters, person.arrests, person.in_ident(day)
    for booking in scenario.bookings():         # who is booked where, when, for what
        booking.ori, booking.booked_at, booking.charge, booking.truth.ident_match
    stats = scenario.statistics(through=date(2011, 3, 31))   # ICE's monthly figures
    write_jsonl(scenario, Path("population.jsonl.gz"))       # portable file

Everything is synthetic and a pure function of the seed and the calibration
(:mod:`.calibration`, where every number that shapes a proportion lives,
with its published source). The model, one module per part:

* :mod:`.model` -- the domain objects (``Person``, ``Encounter``, ``Arrest``,
  ``Jurisdiction``, ``StateBureau``, ``Booking`` and its ``BookingTruth``);
* :mod:`.offences` -- NCIC offence codes and ICE's priority levels (re-exported
  from :mod:`interop.policy`, where the law lives);
* :mod:`.geography` -- counties with ORIs, state bureaus, the activation schedule;
* :mod:`.generator` -- vectorised generation of people, IDENT encounters,
  criminal histories, bookings and the removal-outcome model;
* :mod:`.scenario` -- the streams and the interoperability statistics;
* :mod:`.jsonl` -- the JSON Lines file format.

The ground truth the pipeline is checked against is on each booking
(``truth.in_ident``: the person's prints were in IDENT that day;
``truth.ident_match``: and the jurisdiction was activated) and on each
person (``Person.in_ident(day)``).
"""

from __future__ import annotations

from interop.population.calibration import CALIBRATION, Calibration
from interop.population.geography import STATE_TIME_ZONES, Geography, build_geography
from interop.population.jsonl import FORMAT, FileSummary, read_jsonl, read_objects, write_jsonl
from interop.population.model import (
    IDENT_ENCOUNTERS,
    Arrest,
    Booking,
    BookingTruth,
    Disposition,
    Encounter,
    EncounterKind,
    Jurisdiction,
    JurisdictionKind,
    MatchLevel,
    Person,
    PriorityLevel,
    Sex,
    StateBureau,
    Status,
)
from interop.population.offences import OFFENCES, Offence, conviction_level, match_level
from interop.population.scenario import InteroperabilityStatistics, Scenario

__all__ = [
    "CALIBRATION",
    "FORMAT",
    "IDENT_ENCOUNTERS",
    "OFFENCES",
    "STATE_TIME_ZONES",
    "Arrest",
    "Booking",
    "BookingTruth",
    "Calibration",
    "Disposition",
    "Encounter",
    "EncounterKind",
    "FileSummary",
    "Geography",
    "InteroperabilityStatistics",
    "Jurisdiction",
    "JurisdictionKind",
    "MatchLevel",
    "Offence",
    "Person",
    "PriorityLevel",
    "Scenario",
    "Sex",
    "StateBureau",
    "Status",
    "build_geography",
    "conviction_level",
    "match_level",
    "read_jsonl",
    "read_objects",
    "write_jsonl",
]
