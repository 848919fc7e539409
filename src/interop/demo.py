"""``interop demo``: the program end to end on a calibrated synthetic scenario.

One call builds a fresh embedded store and puts a scenario through the real
pipeline, as an operator would see it:

1. **scenario**: a synthetic population of a few states (Illinois among
   them) calibrated to the program's published figures
   (:class:`interop.population.Scenario`), large enough that at least
   ``bookings`` people are booked between the first activation (October
   2008) and the end of August 2011, when ICE ended every MOA;
2. **store**: the program (states, bureaus, jurisdictions and their
   activation days, MOAs, opt-out requests) and the records of the people
   the replay books, and of a sample of others (distractors), as they
   stood on the first day (:func:`interop.agencies.seed.seed_scenario`);
3. **pipeline**: every booking submitted in time order as an ANSI/NIST CAR
   (Type-9 minutiae; a sample as ten synthetic WSQ images that the FBI
   must extract), handled by the agencies' handlers over the durable bus,
   with IDENT's own encounters, ICE taking custody on the days the
   population says, and detainers expiring on the scenario's clock;
4. **results**: each booking's final state checked against the
   population's ground truth, the monthly statistics (CSV, HTML, PDF) and
   the Illinois what-if.

Nothing here is personal data: every person is synthetic.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import multiprocessing
import os
import queue
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue

import numpy as np

from interop.agencies.detainers import (
    DetainerError,
    assume_custody,
    expire_detainers,
    reschedule_release,
)
from interop.agencies.intake import submit_car
from interop.agencies.prefetch import Prefetcher, lower_priority
from interop.agencies.runtime import Runtime
from interop.agencies.seed import (
    BookingSubmission,
    IdentEnrolment,
    SeedReport,
    enrol_in_ident,
    outcome_mismatches,
    replay,
    seed_scenario,
)
from interop.bus import Worker
from interop.fingerprints.synth import impression, master_fingerprint
from interop.nist.car import build_car, car_from_booking
from interop.policy.offences import OFFENCES
from interop.population import Scenario
from interop.store import Store
from interop.store.models import Case

DEMO_STATES = ("AZ", "CA", "IL", "MA", "NY", "TX")
"""States of the demonstration: Illinois (whose opt-out the what-if replays),
Massachusetts and New York (which also tried to leave), and three of the
largest programs."""

DEMO_START = date(2008, 10, 1)
"""First day replayed: the month of the first activations."""

DEMO_THROUGH = date(2011, 8, 31)
"""Last day replayed: the month ICE ended every MOA (5 August 2011)."""

DEMO_BOOKINGS = 10_000
"""Fewest bookings the default demonstration replays."""

PRODUCER_BATCH = 20
"""Events the replay's producer process sends at a time."""

PRODUCER_AHEAD = 100
"""Batches the producer may build ahead of the pipeline (bounds memory)."""

WORK_BATCH = 50
"""Bookings submitted before the worker drains the bus (at the end of a day,
or before a DHS encounter: a search must not find an encounter of a later
day). Then ICE takes custody and detainers expire as of that day's end: the
detainer checks compare instants, so doing a few days' at once changes
nothing. Larger batches let the prefetcher work ahead of the handlers."""

Tick = Callable[[str, int, int], None]
"""``tick(phase, done, total)``: progress of a phase."""


@dataclass(frozen=True)
class DemoPlan:
    """What the demonstration replays.

    Attributes
    ----------
    bookings : int
        Fewest bookings between :data:`DEMO_START` and ``through``.
    seed : int
        Seed of the population and of every fingerprint.
    states : tuple of str
        Postal codes of the states whose residents are simulated.
    through : date
        Last day replayed.
    distractors : int
        People not booked in the replay whose records (if they have any)
        are written too, so that the galleries hold people nobody searches for.
    image_bookings : int
        Bookings submitted as ten synthetic fingerprint images (WSQ) instead
        of minutiae: the FBI extracts the features (about 0.5 s a finger).
    """

    bookings: int = DEMO_BOOKINGS
    seed: int = 2008
    states: tuple[str, ...] = DEMO_STATES
    through: date = DEMO_THROUGH
    distractors: int = 4_000
    image_bookings: int = 5


@dataclass
class DemoRun:
    """What a demonstration did, for the summary.

    Attributes
    ----------
    people : int
        Size of the simulated population.
    seeded : SeedReport
    bookings, image_bookings, encounters : int
        Events replayed.
    wrong : dict of str to list of str
        Bookings (TCN) whose final state differs from the ground truth, with
        the fields that differ (:func:`interop.agencies.seed.outcome_mismatches`).
    custody : int
        Custody taken by ICE on the population's day.
    custody_refused : Counter of str
        Custody the store refused, by reason (the :class:`DetainerError`
        subclass: no detainer lodged, expired, ...).
    timings_s : dict of str to float
        Wall time of each phase, s.
    """

    people: int
    seeded: SeedReport
    bookings: int = 0
    image_bookings: int = 0
    encounters: int = 0
    wrong: dict[str, list[str]] = field(default_factory=dict)
    custody: int = 0
    custody_refused: Counter[str] = field(default_factory=Counter)
    timings_s: dict[str, float] = field(default_factory=dict)


def demo_scenario(plan: DemoPlan) -> Scenario:
    """The smallest population of ``plan.states`` that books at least
    ``plan.bookings`` people from :data:`DEMO_START` to ``plan.through``.

    Booking counts grow in proportion to the population, so one trial
    population gives the size, checked (and grown) until it books enough.
    """
    people = max(1_000, 12 * plan.bookings)  # about 1 booking in 12 people over the window
    while True:
        scenario = Scenario(people, plan.seed, residence=plan.states)
        n = len(_window(scenario, plan))
        if n >= plan.bookings:
            return scenario
        people = max(people + 1_000, math.ceil(people * plan.bookings / max(n, 1) * 1.02))


def _window(scenario: Scenario, plan: DemoPlan) -> list[int]:
    """Person ids of the bookings in the replayed window, in booking order."""
    return [
        b.person_id for b in scenario.bookings() if DEMO_START <= b.booked_at.date() <= plan.through
    ]


def demo_people(scenario: Scenario, plan: DemoPlan) -> set[int]:
    """The people whose records the demonstration writes: everyone it
    books, and ``plan.distractors`` others drawn with the plan's seed."""
    booked = set(_window(scenario, plan))
    rng = np.random.default_rng(plan.seed)
    others = np.setdiff1d(np.arange(scenario.size), np.fromiter(booked, dtype=np.int64))
    k = min(plan.distractors, others.size)
    return booked | {int(i) for i in rng.choice(others, size=k, replace=False)}


def image_booking(event: BookingSubmission, seed: int) -> BookingSubmission:
    """The same booking as ten synthetic fingerprint images (WSQ, 500 ppi).

    The images are of fingers of their own (not the person's minutiae), so
    only a first booking of someone with no record anywhere keeps its
    expected outcome: nobody to find in either gallery
    (:func:`_image_candidates`).
    """
    fingers = {
        p: impression(master_fingerprint(_finger_seed(seed, event.booking.person_id, p)), 0)
        for p in range(1, 11)
    }
    literal = OFFENCES[event.booking.charge].title.upper()
    return replace(event, data=build_car(car_from_booking(event.booking, fingers, literal)))


def _finger_seed(seed: int, person_id: int, position: int) -> int:
    return (seed * 1_000_003 + person_id * 11 + position) % (2**31 - 1)


def _image_slots(plan: DemoPlan) -> list[date]:
    """Starts of ``plan.image_bookings`` equal periods of the replayed window:
    the first eligible booking of each goes through the image path."""
    n = plan.image_bookings
    if n <= 0:
        return []
    span = (plan.through - DEMO_START).days + 1
    return [DEMO_START + timedelta(days=span * k // n) for k in range(n)]


def _produce(plan: DemoPlan, people: list[int], out: Queue[object]) -> None:
    """Build the replay's events (the costly part: ten impressions and a
    CAR a booking) in a process of its own, into ``out`` in time order,
    then ``None``; an error is put as its message (``str``).

    Image bookings: the first booking of each :func:`_image_slots` period
    whose person is booked once in the replay and has no record in either
    system that day (the images are of fingers of their own, so their
    expected outcome stays right: nobody to find).
    """
    lower_priority()
    try:
        scenario = demo_scenario(plan)
        wanted = set(people)
        booked = Counter(p for p in _window(scenario, plan) if p in wanted)
        slots = _image_slots(plan)
        batch: list[tuple[BookingSubmission | IdentEnrolment, bool]] = []
        for event in replay(scenario, as_of=DEMO_START, through=plan.through, people=wanted):
            imaged = False
            if isinstance(event, BookingSubmission):
                day = event.booking.booked_at.date()
                due = bool(slots) and slots[0] <= day
                if (
                    due
                    and booked[event.booking.person_id] == 1
                    and not event.expected.criminal_identified
                    and not event.booking.truth.in_ident
                ):
                    event, imaged = image_booking(event, plan.seed), True
                    while slots and slots[0] <= day:
                        slots.pop(0)
            batch.append((event, imaged))
            if len(batch) >= PRODUCER_BATCH:
                _put(out, batch)
                batch = []
        if batch:
            _put(out, batch)
        _put(out, None)
    except _OrphanedError:
        return
    except Exception as exc:  # reported to the consumer, which raises
        out.put(f"{type(exc).__name__}: {exc}")


class _OrphanedError(Exception):
    """The process that consumes the replay has gone."""


def _put(out: Queue[object], item: object) -> None:
    """``out.put(item)``, giving up if the consuming process has gone (a
    killed demo must not leave its producer waiting for ever)."""
    parent = multiprocessing.parent_process()
    while True:
        try:
            out.put(item, timeout=2.0)
            return
        except queue.Full:
            if parent is not None and not parent.is_alive():
                raise _OrphanedError from None


Event = tuple[BookingSubmission | IdentEnrolment, bool]
"""A replayed event and whether it is a booking submitted as images."""


def _consume(source: Queue[object], producer: BaseProcess) -> Iterator[Event]:
    """The events :func:`_produce` puts, in order."""
    while True:
        try:
            item = source.get(timeout=5.0)
        except queue.Empty:
            if not producer.is_alive():
                raise DemoError("the replay's producer process ended without finishing") from None
            continue
        if item is None:
            return
        if isinstance(item, str):
            raise DemoError(f"building the replay failed: {item}")
        yield from item  # type: ignore[misc]


class DemoError(RuntimeError):
    """The demonstration could not run (its producer process failed)."""


def _custody_at(day: date) -> datetime:
    """When the jail releases a person to ICE on ``day`` (23:00 UTC: the
    evening in every contiguous US time zone)."""
    return _noon(day) + timedelta(hours=11)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def run_demo(
    store: Store, runtime: Runtime, plan: DemoPlan, *, tick: Tick | None = None
) -> DemoRun:
    """Seed ``store`` and replay the plan's scenario through the pipeline.

    Parameters
    ----------
    store : Store
        A fresh, migrated store.
    runtime : Runtime
        The services, gallery mirrors and log key of this process
        (:func:`interop.agencies.runtime.open_runtime`).
    plan : DemoPlan
    tick : callable, optional
        Progress: phases ``"scenario"``, ``"seed"``, ``"galleries"``,
        ``"images"``, ``"bookings"``.

    Returns
    -------
    DemoRun
    """

    def step(phase: str, done: int, total: int) -> None:
        if tick is not None:
            tick(phase, done, total)

    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    step("scenario", 0, 1)
    scenario = demo_scenario(plan)
    people = demo_people(scenario, plan)
    total = len(_window(scenario, plan))
    step("scenario", 1, 1)
    lap("scenario")
    # the events are built in another process while this one seeds and runs
    # the pipeline: on two cores the replay then costs almost nothing
    context = multiprocessing.get_context("spawn")
    source: Queue[object] = context.Queue(maxsize=PRODUCER_AHEAD)
    producer = context.Process(
        target=_produce, args=(plan, sorted(people), source), name="demo-replay", daemon=True
    )
    producer.start()
    try:
        seeded = seed_scenario(
            store, scenario, as_of=DEMO_START, people=people, workers=2, progress=False
        )
        step("seed", 1, 1)
        lap("seed")
        step("galleries", 0, 1)
        runtime.warm_up()
        step("galleries", 1, 1)
        lap("galleries")
        run = DemoRun(people=scenario.size, seeded=seeded)
        _replay(store, runtime, _consume(source, producer), total, run, step)
        lap("pipeline")
    finally:
        producer.join(timeout=10)
        if producer.is_alive():
            producer.terminate()
    run.timings_s = timings
    return run


def _replay(
    store: Store,
    runtime: Runtime,
    events: Iterator[Event],
    total: int,
    run: DemoRun,
    step: Tick,
) -> None:
    """Submit, handle and check every event, on the scenario's clock."""
    prefetch = Prefetcher(1) if (os.cpu_count() or 1) > 1 else None
    try:
        _drive(store, runtime.worker(expire_detainers=False), events, total, run, step, prefetch)
    finally:
        if prefetch is not None:
            prefetch.close()


def _drive(
    store: Store,
    worker: Worker,
    events: Iterator[Event],
    total: int,
    run: DemoRun,
    step: Tick,
    prefetch: Prefetcher | None = None,
) -> None:
    """:func:`_replay` with its worker (and a helper that prepares each
    submission's CAR for the FBI as it is sent: :class:`Prefetcher`)."""
    expected = {}
    custody: list[tuple[date, str]] = []  # (day ICE takes custody, TCN)
    released: list[tuple[date, str]] = []  # custody days of the bookings not drained yet
    pending = 0
    today: date | None = None

    def drain(day: date) -> None:
        nonlocal pending
        worker.run(until_idle=True)
        pending = 0
        with store.session() as session:
            # the jail tells ICE when it will release each person ICE takes then
            for on, tcn in released:
                with contextlib.suppress(DetainerError):  # no detainer: refused below
                    reschedule_release(session, tcn, _custody_at(on))
        released.clear()
        while custody and custody[0][0] <= day:
            on, tcn = heapq.heappop(custody)
            with store.session() as session:
                try:
                    assume_custody(session, tcn, _custody_at(on))
                    run.custody += 1
                except DetainerError as exc:
                    run.custody_refused[type(exc).__name__] += 1
        with store.session() as session:
            expire_detainers(session, _noon(day) + timedelta(hours=12))

    for event, imaged in events:
        if isinstance(event, IdentEnrolment):
            if pending and today is not None:
                drain(today)  # the bookings before it must not find it
            enrol_in_ident(store, event)
            run.encounters += 1
            continue
        day = event.booking.booked_at.date()
        if pending >= WORK_BATCH and today is not None and day != today:
            drain(today)
        today = day
        if prefetch is not None:
            prefetch.prepare(event.data)
        submit_car(store, event.data, submitter_ori=event.ori)
        expected[event.tcn] = event.expected
        run.image_bookings += imaged
        on = event.booking.truth.ice_custody_on
        if on is not None:
            heapq.heappush(custody, (on, event.tcn))
            released.append((on, event.tcn))
        run.bookings += 1
        pending += 1
        step("bookings", run.bookings, total)
    if today is not None:
        drain(today)
    for on, _ in sorted(custody):
        drain(on)
    worker.run(until_idle=True)
    with store.session() as session:
        for tcn, wanted in expected.items():
            wrong = outcome_mismatches(session.get(Case, tcn), wanted)
            if wrong:
                run.wrong[tcn] = wrong
