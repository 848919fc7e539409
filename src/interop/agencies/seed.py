"""A synthetic scenario in the store, and its bookings replayed as submissions.

::

    store = Store.open(url)
    scenario = Scenario(people=400_000, seed=7)
    report = seed_scenario(store, scenario, as_of=date(2011, 6, 1), workers=2)
    expected = {}
    for event in replay(scenario, as_of=report.as_of, limit=1_000):
        if isinstance(event, IdentEnrolment):
            enrol_in_ident(store, event)
        else:
            submit_car(store, event.data, submitter_ori=event.ori)
            expected[event.tcn] = event.expected
    Worker(store, agency_handlers(Services())).run(until_idle=True)
    with store.session() as s:
        wrong = {t: outcome_mismatches(s.get(Case, t), e) for t, e in expected.items()}

What is seeded, and what the pipeline enrols
--------------------------------------------
:func:`seed_scenario` writes the world as it stands at the start of day
``as_of`` (by default the scenario's first day, before its first booking):

* **the program**, whole: states, State Identification Bureaus,
  jurisdictions (ORI, time zone, activation day), MOAs and opt-out
  requests. These are dated facts (an activation or an MOA signed after
  ``as_of`` included): the policy reads them as of each booking's day
  (:func:`interop.agencies.services.jurisdiction_terms`). An MOA ended by
  the state itself (Illinois, 4 May 2011) is ``terminated_by="state"``; the
  others end on ICE's termination of all MOAs (5 Aug 2011),
  ``terminated_by="ice"``;
* **the FBI's criminal master file**: every person arrested before
  ``as_of`` (the population enrols a person at their first arrest), under
  their FBI number, with each of those arrests as a history entry and a
  ten-print (impression :data:`FBI_IMPRESSION`);
* **IDENT**: every person with a DHS encounter before ``as_of``, under
  their A-number (an IDENT enumerator, ``E`` and nine digits, when DHS
  opened no A-file), with status, those encounters and a ten-print
  (impression :data:`IDENT_IMPRESSION`).

After ``as_of`` the store changes only as the population says, through
:func:`replay`, in time order:

* each **booking** is a CARF submission (Type-9 minutiae of a fresh
  impression of the person's fingers). The pipeline does the rest: the FBI
  enrols whoever it does not identify (under an FBI number of its own) and
  adds the arrest to the history of whoever it does. Nothing of a replayed
  booking is seeded, or a search would find the booking's own prints;
* each **DHS encounter** on or after ``as_of`` (in this model: trusted-
  traveller enrolments of citizens, and removals) is an
  :class:`IdentEnrolment`, yielded before the bookings of its day, which
  :func:`enrol_in_ident` writes. DHS encounters are not messages of this
  system (no handler enrols into IDENT), so the driver applies them, as
  :func:`seed_scenario` applies those before ``as_of``.

Seeding the later enrolments up front instead would be wrong both ways: the
FBI would identify a first-time arrestee from the prints of their own
booking, and IDENT would match a citizen booked the day before the
trusted-traveller enrolment that put their prints there
(``truth.in_ident`` is False then). A driver whose workers run while it
submits must likewise hold a person's next booking or encounter until their
previous booking is through (the worker handles messages in any order).

Court dispositions are seeded with their day even when it falls after
``as_of``: the LESC counts a conviction only from its disposition day
(:func:`interop.policy.priority.classify`), which is the same as the
court's report arriving that day. Dispositions of replayed bookings are not
fed back: their history entries stay pending, as the FBI wrote them.

The A-number is the person's whether DHS opened the A-file before ``as_of``
or during the scenario (an ICE arrest during it): a record is not renamed
later.

Fingers
-------
Person ``p``'s finger at position ``k`` (1-10) is the template-level
synthetic master ``finger_seed_base(seed) + 10 p + k - 1`` (the scheme of
:func:`interop.evaluation.identification.synthetic_subject`), where
``seed`` is the scenario's, so two scenarios never share a finger.
Impression :data:`FBI_IMPRESSION` is the FBI's ten-print,
:data:`IDENT_IMPRESSION` IDENT's, and ``FIRST_BOOKING_IMPRESSION +
booking_id`` the one a booking presents: the same fingers, other captures,
so 1:N searches find their mates the way real ones do (or miss them).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Connection, func, insert, select, text

from interop.agencies.services import CRIMINAL_SYSTEM, IMMIGRATION_SYSTEM
from interop.evaluation.identification import synthetic_subject
from interop.fingerprints.codecs import encode_template
from interop.fingerprints.template import Template
from interop.nist.car import build_car, car_from_booking
from interop.nist.ncic import place_of_birth_code
from interop.policy.offences import OFFENCES
from interop.policy.priority import Disposition, HistoryEntry, PriorityLevel, classify
from interop.population import STATE_TIME_ZONES, Arrest, Booking, Encounter, Person, Scenario
from interop.population.generator import Chunk
from interop.population.scenario import MAX_PEOPLE
from interop.store.database import Store
from interop.store.models import (
    Agreement,
    Base,
    Case,
    CriminalHistoryEntry,
    CriminalSubject,
    ImmigrationEncounter,
    ImmigrationSubject,
    Jurisdiction,
    OptOutRequest,
    State,
    StateBureau,
    SubjectTemplate,
)

__all__ = [
    "FBI_IMPRESSION",
    "FIRST_BOOKING_IMPRESSION",
    "IDENT_IMPRESSION",
    "BookingSubmission",
    "ExpectedOutcome",
    "IdentEnrolment",
    "SeedError",
    "SeedReport",
    "enrol_in_ident",
    "finger_seed_base",
    "ident_subject_id",
    "outcome_mismatches",
    "person_fingers",
    "replay",
    "seed_scenario",
]

FBI_IMPRESSION = 0
"""Impression seed of the ten-print in the FBI's criminal master file."""
IDENT_IMPRESSION = 1
"""Impression seed of the ten-print in IDENT."""
FIRST_BOOKING_IMPRESSION = 2
"""Booking ``n`` presents impression ``FIRST_BOOKING_IMPRESSION + n``."""

INSERT_ROWS = 5_000
"""Rows per bulk ``INSERT`` (one executemany)."""
TEMPLATE_BATCH = 100
"""Subjects per template-synthesis task (1,000 fingers, about 0.6 s)."""

SEEDED_TABLES: tuple[type[Base], ...] = (
    State,
    StateBureau,
    Jurisdiction,
    Agreement,
    OptOutRequest,
    CriminalSubject,
    CriminalHistoryEntry,
    ImmigrationSubject,
    ImmigrationEncounter,
    SubjectTemplate,
)
"""The tables :func:`seed_scenario` fills, parents first."""


class SeedError(RuntimeError):
    """The store cannot take the scenario (it already holds one, or other data)."""


@dataclass(frozen=True)
class SeedReport:
    """What :func:`seed_scenario` wrote.

    Attributes
    ----------
    people : int
        People in the scenario.
    as_of : date
        The store holds the world as it stood at the start of this day.
    rows : dict of str to int
        Rows written, by table name.
    seconds : float
        Wall time, s.
    """

    people: int
    as_of: date
    rows: dict[str, int]
    seconds: float

    @property
    def subjects(self) -> int:
        """Subjects enrolled in either system (ten-prints)."""
        return self.rows.get("criminal_subjects", 0) + self.rows.get("immigration_subjects", 0)


def finger_seed_base(scenario_seed: int) -> int:
    """First template-master seed of a scenario's people (see the module docstring).

    >>> finger_seed_base(0), finger_seed_base(1) - finger_seed_base(0)
    (1000000, 2900000000)
    """
    return 1_000_000 + 10 * MAX_PEOPLE * scenario_seed


def person_fingers(scenario_seed: int, person_id: int, impression: int) -> dict[int, Template]:
    """Impression ``impression`` of the ten fingers of a scenario's person.

    Returns
    -------
    dict of int to Template
        Finger positions 1-10; minutiae in pixels at 500 ppi.
    """
    return synthetic_subject(person_id, impression, 10, finger_seed_base(scenario_seed))


def ident_subject_id(scenario: Scenario, person: Person) -> str:
    """The person's key in IDENT: their A-number, else an IDENT enumerator.

    The enumerator is ``E`` and the nine digits the A-number would have
    (unique in the population, never mistaken for an A-number).
    """
    return person.a_number or "E" + scenario.a_number(person.person_id)[1:]


# ------------------------------------------------------------------ rows


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def _program_rows(scenario: Scenario) -> list[tuple[type[Base], list[dict[str, Any]]]]:
    """States, bureaus, jurisdictions, MOAs and opt-outs, in foreign-key order."""
    deployment = scenario.calibration.deployment
    names = {s.code: s.name for s in scenario.calibration.geography.states}
    own_terminations = dict(deployment.moa_terminated)
    bureaus = scenario.bureaus
    agreements = [
        {
            "state": b.state,
            "signed_on": b.moa_signed_on,
            "terminated_on": b.moa_terminated_on,
            "terminated_by": (
                None
                if b.moa_terminated_on is None
                else "state"
                if own_terminations.get(b.state) == b.moa_terminated_on
                else "ice"
            ),
            "terms": "",
        }
        for b in bureaus
        if b.moa_signed_on is not None
    ]
    return [
        (State, [{"code": b.state, "name": names[b.state]} for b in bureaus]),
        (StateBureau, [{"ori": b.ori, "state": b.state, "name": b.name} for b in bureaus]),
        (
            Jurisdiction,
            [
                {
                    "ori": j.ori,
                    "state": j.state,
                    "name": j.name,
                    "time_zone": STATE_TIME_ZONES[j.state],
                    "activated_on": j.activated_on,
                    "deactivated_on": None,
                }
                for j in scenario.jurisdictions
            ],
        ),
        (Agreement, agreements),
        (
            OptOutRequest,
            [
                {
                    "state": state,
                    "jurisdiction_ori": None,
                    "requested_on": on,
                    "requested_by": who,
                    "text": "",
                }
                for state, on, who in deployment.opt_outs
            ],
        ),
    ]


def _lesser(arrest: Arrest) -> str | None:
    return arrest.conviction if arrest.disposition is Disposition.CONVICTED_LESSER else None


def _criminal_rows(
    person: Person, arrests: Sequence[Arrest]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    subject = {
        "fbi_number": person.fbi_number,
        "surname": person.surname.upper(),
        "given_name": person.given_name.upper(),
        "date_of_birth": person.date_of_birth,
        "sex": person.sex.value,
        "place_of_birth": place_of_birth_code(person.place_of_birth),
        "enrolled_at": _midnight_utc(arrests[0].arrested_on),
    }
    history = [
        {
            "fbi_number": person.fbi_number,
            "tcn": None,
            "ori": a.ori,
            "arrested_on": a.arrested_on,
            "offence_code": a.charge,
            "disposition": a.disposition.value,
            "disposed_on": a.disposed_on,
            "lesser_code": _lesser(a),
        }
        for a in arrests
    ]
    return subject, history


def _immigration_subject_row(subject_id: str, person: Person) -> dict[str, Any]:
    return {
        "a_number": subject_id,
        "surname": person.surname.upper(),
        "given_name": person.given_name.upper(),
        "date_of_birth": person.date_of_birth,
        "sex": person.sex.value,
        "place_of_birth": place_of_birth_code(person.place_of_birth),
        "status": person.status.value,
        "citizen": person.status.citizen,
    }


def _encounter_row(subject_id: str, encounter: Encounter) -> dict[str, Any]:
    return {"a_number": subject_id, "kind": encounter.kind.value, "on": encounter.on}


_TemplateTask = tuple[str, str, int, int]
"""(system, subject id, person id, impression) of a ten-print to synthesise."""


def _template_rows(base: int, tasks: Sequence[_TemplateTask]) -> list[dict[str, Any]]:
    """``subject_templates`` rows of ten-prints (module-level: runs in worker processes)."""
    rows: list[dict[str, Any]] = []
    for system, subject_id, person_id, impression in tasks:
        fingers = synthetic_subject(person_id, impression, 10, base)
        rows.extend(
            {
                "system": system,
                "subject_id": subject_id,
                "position": position,
                "template": encode_template(template),
            }
            for position, template in fingers.items()
        )
    return rows


def _insert(connection: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Bulk ``INSERT`` of ``rows``, :data:`INSERT_ROWS` at a time."""
    for start in range(0, len(rows), INSERT_ROWS):
        connection.execute(insert(model), list(rows[start : start + INSERT_ROWS]))


@dataclass
class _ChunkRows:
    criminal_subjects: list[dict[str, Any]] = field(default_factory=list)
    criminal_history: list[dict[str, Any]] = field(default_factory=list)
    immigration_subjects: list[dict[str, Any]] = field(default_factory=list)
    immigration_encounters: list[dict[str, Any]] = field(default_factory=list)
    templates: list[_TemplateTask] = field(default_factory=list)


def _chunk_rows(
    scenario: Scenario, chunk: Chunk, as_of: date, people: Container[int] | None = None
) -> _ChunkRows:
    """The records of one chunk's people (those in ``people``, all by
    default) as they stood at the start of ``as_of``."""
    out = _ChunkRows()
    for person in scenario.people_of(chunk):
        if people is not None and person.person_id not in people:
            continue
        arrests = [a for a in person.arrests if a.arrested_on < as_of]
        if arrests and person.fbi_number is not None:
            subject, history = _criminal_rows(person, arrests)
            out.criminal_subjects.append(subject)
            out.criminal_history.extend(history)
            out.templates.append(
                (CRIMINAL_SYSTEM, person.fbi_number, person.person_id, FBI_IMPRESSION)
            )
        encounters = [e for e in person.encounters if e.on < as_of]
        if encounters:
            subject_id = ident_subject_id(scenario, person)
            out.immigration_subjects.append(_immigration_subject_row(subject_id, person))
            out.immigration_encounters.extend(_encounter_row(subject_id, e) for e in encounters)
            out.templates.append(
                (IMMIGRATION_SYSTEM, subject_id, person.person_id, IDENT_IMPRESSION)
            )
    return out


def _existing_rows(connection: Connection) -> dict[str, int]:
    counts = {
        model.__tablename__: int(connection.scalar(select(func.count()).select_from(model)) or 0)
        for model in SEEDED_TABLES
    }
    return {name: n for name, n in counts.items() if n}


def seed_scenario(
    store: Store,
    scenario: Scenario,
    *,
    as_of: date | None = None,
    people: Container[int] | None = None,
    workers: int = 1,
    progress: bool = True,
) -> SeedReport:
    """Load a scenario into an empty store, as it stood at the start of ``as_of``.

    One database transaction: the store holds the whole scenario or none of
    it. What is written is in the module docstring.

    Parameters
    ----------
    store : Store
        A migrated store holding no program or subject data.
    scenario : Scenario
    as_of : date, optional, keyword-only
        Day before which records exist; the scenario's first day by default.
        Replay its bookings from the same day (:func:`replay`).
    people : container of int, optional, keyword-only
        Person ids whose records are written (all by default): a smaller
        store for a demonstration, e.g. the people booked in the replay and
        a sample of others. The program is written whole. Replay with the
        same ``people``.
    workers : int, keyword-only
        Processes synthesising the ten-prints (about 0.6 ms a finger each);
        1 synthesises in this process.
    progress : bool, keyword-only
        Show a progress bar on standard error (counts only).

    Returns
    -------
    SeedReport

    Raises
    ------
    SeedError
        If the store already holds states, jurisdictions, subjects or
        templates (nothing is written then).
    ValueError
        If ``workers`` < 1.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    as_of = scenario.calibration.start if as_of is None else as_of
    base = finger_seed_base(scenario.seed)
    counts: dict[str, int] = {}
    t0 = time.perf_counter()

    def write(connection: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        _insert(connection, model, rows)
        name = model.__tablename__
        counts[name] = counts.get(name, 0) + len(rows)

    pool: Executor | None = None
    if workers > 1:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    bar = Progress(console=Console(stderr=True), disable=not progress)
    try:
        with bar, store.engine.begin() as connection:
            existing = _existing_rows(connection)
            if existing:
                held = ", ".join(f"{n:,} {name}" for name, n in sorted(existing.items()))
                raise SeedError(f"the store already holds data ({held}): seed an empty store")
            for model, program in _program_rows(scenario):
                write(connection, model, program)
            people_task = bar.add_task("people", total=scenario.size)
            pending: list[Future[list[dict[str, Any]]] | list[_TemplateTask]] = []
            subjects = 0
            for chunk in scenario.chunks():
                rows = _chunk_rows(scenario, chunk, as_of, people)
                write(connection, CriminalSubject, rows.criminal_subjects)
                write(connection, CriminalHistoryEntry, rows.criminal_history)
                write(connection, ImmigrationSubject, rows.immigration_subjects)
                write(connection, ImmigrationEncounter, rows.immigration_encounters)
                for start in range(0, len(rows.templates), TEMPLATE_BATCH):
                    batch = rows.templates[start : start + TEMPLATE_BATCH]
                    pending.append(pool.submit(_template_rows, base, batch) if pool else batch)
                subjects += len(rows.templates)
                bar.update(people_task, advance=chunk.size)
            ten_prints = bar.add_task("ten-prints", total=subjects)
            for item in pending:
                template_rows = (
                    item.result() if isinstance(item, Future) else _template_rows(base, item)
                )
                write(connection, SubjectTemplate, template_rows)
                bar.update(ten_prints, advance=len(template_rows) // 10)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if store.dialect == "postgresql":
        # fresh statistics for the planner: the mirrors' first reads scan these
        with store.engine.begin() as connection:
            connection.execute(text("ANALYZE " + ", ".join(m.__tablename__ for m in SEEDED_TABLES)))
    return SeedReport(scenario.size, as_of, counts, time.perf_counter() - t0)


# ---------------------------------------------------------------- replay


@dataclass(frozen=True)
class ExpectedOutcome:
    """What the pipeline must conclude about a booking (the as-operated policy).

    Derived from the population's truth (:class:`interop.population.BookingTruth`)
    and from what the store was told: the seeded records and the bookings
    replayed before this one.

    Attributes
    ----------
    criminal_identified : bool
        The FBI identifies the person: arrested before ``as_of``, or booked
        earlier in the replay.
    forwarded : bool
        The prints go to IDENT: the jurisdiction was activated that day
        (``truth.submitted``).
    ident_match : bool or None
        IDENT matches (``truth.in_ident``); None when not forwarded.
    a_number : str or None
        The IDENT record matched (:func:`ident_subject_id`); None without a match.
    priority_level : PriorityLevel or None
        The LESC's level on a match: the convictions disposed of by the
        booking day among the arrests before ``as_of`` (replayed bookings
        stay pending). This is not ``truth.priority_level``, the level at
        ICE custody once this charge is disposed of.
    citizen : bool or None
        The matched person is a US citizen (no detainer); None without a match.
    """

    criminal_identified: bool
    forwarded: bool
    ident_match: bool | None
    a_number: str | None
    priority_level: PriorityLevel | None
    citizen: bool | None


@dataclass(frozen=True)
class BookingSubmission:
    """A booking as its agency submits it.

    Attributes
    ----------
    booking : Booking
        The population's booking, with its ground truth (``booking.truth``).
    tcn : str
    data : bytes
        The CARF transaction: Type-1, Type-2 and ten Type-9 minutiae records.
    expected : ExpectedOutcome
    """

    booking: Booking
    tcn: str
    data: bytes
    expected: ExpectedOutcome

    @property
    def ori(self) -> str:
        """The submitting agency."""
        return self.booking.ori


@dataclass(frozen=True)
class IdentEnrolment:
    """A DHS encounter during the replay: prints (or one more encounter) in IDENT.

    Attributes
    ----------
    person : Person
    encounter : Encounter
    subject_id : str
        The IDENT record (:func:`ident_subject_id`).
    first : bool
        The person's first encounter: the record and its ten-print are made.
    finger_seed_base : int
        Of the scenario (:func:`finger_seed_base`).
    """

    person: Person
    encounter: Encounter
    subject_id: str
    first: bool
    finger_seed_base: int

    @property
    def on(self) -> date:
        """Day of the encounter."""
        return self.encounter.on


def enrol_in_ident(store: Store, enrolment: IdentEnrolment) -> None:
    """Write an encounter into IDENT (its record and ten-print on a first one).

    Idempotent: an encounter already recorded is not written again.
    """
    sid = enrolment.subject_id
    with store.engine.begin() as connection:
        if (
            enrolment.first
            and connection.scalar(select(func.count()).where(ImmigrationSubject.a_number == sid))
            == 0
        ):
            _insert(
                connection, ImmigrationSubject, [_immigration_subject_row(sid, enrolment.person)]
            )
            task = (IMMIGRATION_SYSTEM, sid, enrolment.person.person_id, IDENT_IMPRESSION)
            _insert(connection, SubjectTemplate, _template_rows(enrolment.finger_seed_base, [task]))
        seen = connection.scalar(
            select(func.count()).where(
                ImmigrationEncounter.a_number == sid,
                ImmigrationEncounter.kind == enrolment.encounter.kind.value,
                ImmigrationEncounter.on == enrolment.on,
            )
        )
        if not seen:
            _insert(connection, ImmigrationEncounter, [_encounter_row(sid, enrolment.encounter)])


def _history(arrests: Iterable[Arrest]) -> list[HistoryEntry]:
    return [
        HistoryEntry(a.charge, a.arrested_on, a.disposition, a.disposed_on, _lesser(a))
        for a in arrests
    ]


def _submission(
    scenario: Scenario, booking: Booking, person: Person, as_of: date, booked_before: bool
) -> BookingSubmission:
    day = booking.booked_at.date()
    truth = booking.truth
    prior = [a for a in person.arrests if a.arrested_on < as_of]
    matched = truth.submitted and truth.in_ident
    level = classify(_history(prior), day, citizen=person.status.citizen).level if matched else None
    expected = ExpectedOutcome(
        criminal_identified=bool(prior) or booked_before,
        forwarded=truth.submitted,
        ident_match=truth.in_ident if truth.submitted else None,
        a_number=ident_subject_id(scenario, person) if matched else None,
        priority_level=level,
        citizen=person.status.citizen if matched else None,
    )
    fingers = person_fingers(
        scenario.seed, booking.person_id, FIRST_BOOKING_IMPRESSION + booking.booking_id
    )
    car = replace(
        car_from_booking(booking, {}, OFFENCES[booking.charge].title.upper()), minutiae=fingers
    )
    return BookingSubmission(booking, car.tcn, build_car(car), expected)


def replay(
    scenario: Scenario,
    *,
    as_of: date | None = None,
    limit: int | None = None,
    through: date | None = None,
    people: Container[int] | None = None,
) -> Iterator[BookingSubmission | IdentEnrolment]:
    """The scenario from ``as_of`` on: bookings and DHS encounters, in time order.

    Pairs with :func:`seed_scenario` at the same ``as_of``. An encounter
    comes before the bookings of its day (a search that day finds it, as
    ``truth.in_ident`` says).

    Parameters
    ----------
    scenario : Scenario
    as_of : date, optional, keyword-only
        First booking day; the scenario's first day by default.
    limit : int, optional, keyword-only
        Stop after this many bookings (and the encounters up to the last
        one's day).
    through : date, optional, keyword-only
        Last day replayed (the scenario's last day by default).
    people : container of int, optional, keyword-only
        Only these people's bookings and encounters (as :func:`seed_scenario`).

    Yields
    ------
    BookingSubmission or IdentEnrolment
        Building a submission synthesises ten impressions and encodes the
        transaction (a few milliseconds).
    """
    as_of = scenario.calibration.start if as_of is None else as_of
    chunks = list(scenario.chunks())
    table = scenario.booking_table(iter(chunks))
    end = scenario.calibration.end if through is None else through
    bookings = list(
        islice(
            (
                b
                for b in scenario.bookings(table)
                if as_of <= b.booked_at.date() <= end and (people is None or b.person_id in people)
            ),
            limit,
        )
    )
    last = bookings[-1].booked_at.date() if limit is not None and bookings else end
    booked = {b.person_id for b in bookings}
    base = finger_seed_base(scenario.seed)
    persons: dict[int, Person] = {}
    encounters: list[IdentEnrolment] = []
    for chunk in chunks:
        for person in scenario.people_of(chunk):
            if people is not None and person.person_id not in people:
                continue
            later = [e for e in person.encounters if as_of <= e.on <= last]
            if person.person_id in booked:
                persons[person.person_id] = person
            for e in later:
                first = person.encounters[0] is e
                encounters.append(
                    IdentEnrolment(person, e, ident_subject_id(scenario, person), first, base)
                )
    encounters.sort(key=lambda x: (x.on, x.person.person_id))
    seen: set[int] = set()
    k = 0
    for b in bookings:
        day = b.booked_at.date()
        while k < len(encounters) and encounters[k].on <= day:
            yield encounters[k]
            k += 1
        yield _submission(scenario, b, persons[b.person_id], as_of, b.person_id in seen)
        seen.add(b.person_id)
    if limit is None:
        yield from encounters[k:]


def outcome_mismatches(case: Case | None, expected: ExpectedOutcome) -> list[str]:
    """Names of the case's fields that differ from what was expected (empty: right).

    ``final`` when the case is missing or not final; otherwise among
    ``criminal_identified``, ``forwarded_to_ident``, ``ident_match``,
    ``a_number``, ``priority_level``, ``citizen``. Names only: nothing
    about the person, so the list can be logged.
    """
    if case is None or not case.final:
        return ["final"]
    level = None if expected.priority_level is None else int(expected.priority_level)
    wanted: Mapping[str, object] = {
        "criminal_identified": expected.criminal_identified,
        "forwarded_to_ident": expected.forwarded,
        "ident_match": expected.ident_match,
        "a_number": expected.a_number,
        "priority_level": level,
        "citizen": expected.citizen,
    }
    return [name for name, value in wanted.items() if getattr(case, name) != value]
