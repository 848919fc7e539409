"""A scenario seeded into the store, its bookings replayed through the pipeline
and checked against the population's ground truth, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import submit_car
from interop.agencies.seed import (
    FIRST_BOOKING_IMPRESSION,
    BookingSubmission,
    IdentEnrolment,
    SeedError,
    enrol_in_ident,
    ident_subject_id,
    outcome_mismatches,
    person_fingers,
    replay,
    seed_scenario,
)
from interop.agencies.services import (
    IMMIGRATION_SYSTEM,
    GalleryMirror,
    Services,
    jurisdiction_terms,
)
from interop.bus import Worker
from interop.nist import parse
from interop.nist.program import program_rules
from interop.nist.validation import validate
from interop.population import EncounterKind, Scenario
from interop.store import Store
from interop.store.models import (
    Agreement,
    Case,
    CriminalHistoryEntry,
    CriminalSubject,
    ImmigrationEncounter,
    ImmigrationSubject,
    Jurisdiction,
    OptOutRequest,
    State,
    SubjectTemplate,
)

AS_OF = date(2009, 6, 1)


def _scenario() -> Scenario:
    # 400 Californians from mid-2009: its first ten bookings hold jurisdictions
    # activated and not, IDENT matches (a citizen among them), people the FBI
    # knows and people it does not, and one person booked twice
    return Scenario(400, 1, residence=("CA",))


def _count(store: Store, model: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_store_holds_the_world_as_it_stood_before_the_first_booking(store: Store) -> None:
    scenario = _scenario()
    report = seed_scenario(store, scenario, as_of=AS_OF, progress=False)
    people = list(scenario.people())
    known = [p for p in people if any(a.arrested_on < AS_OF for a in p.arrests)]
    in_ident = [p for p in people if any(e.on < AS_OF for e in p.encounters)]
    assert report.as_of == AS_OF and report.subjects == len(known) + len(in_ident)
    assert report.rows["subject_templates"] == 10 * report.subjects
    assert _count(store, State) == len(scenario.bureaus) == 51
    assert _count(store, Jurisdiction) == len(scenario.jurisdictions)
    assert _count(store, CriminalSubject) == len(known)
    assert _count(store, ImmigrationSubject) == len(in_ident)
    assert _count(store, CriminalHistoryEntry) == sum(
        a.arrested_on < AS_OF for p in known for a in p.arrests
    )
    assert _count(store, ImmigrationEncounter) == sum(
        e.on < AS_OF for p in in_ident for e in p.encounters
    )
    with store.session() as s:
        moas = {m.state: m for m in s.scalars(select(Agreement))}
        # Illinois ended its own MOA; ICE ended the others
        assert (moas["IL"].terminated_on, moas["IL"].terminated_by) == (date(2011, 5, 4), "state")
        assert (moas["CA"].terminated_on, moas["CA"].terminated_by) == (date(2011, 8, 5), "ice")
        assert {o.state for o in s.scalars(select(OptOutRequest))} == {"NY", "MA"}
        cook = next(j.ori for j in scenario.jurisdictions if j.name == "Cook County")
        _, activation, terms = jurisdiction_terms(s, cook, date(2011, 6, 1))
        assert terms.moa_terminated_on == date(2011, 5, 4) and activation.activated_on is not None
        harris = s.get(Jurisdiction, "TX1010000")
        assert harris is not None and harris.time_zone == "America/Chicago"
        # the arrests before the first day, each with its disposition and its day
        person = known[0]
        fbi = s.get(CriminalSubject, person.fbi_number)
        assert fbi is not None and fbi.surname == person.surname.upper()
        assert [
            (h.arrested_on, h.offence_code, h.disposition, h.disposed_on) for h in fbi.history
        ] == [
            (a.arrested_on, a.charge, a.disposition.value, a.disposed_on)
            for a in person.arrests
            if a.arrested_on < AS_OF
        ]
        subject = s.get(ImmigrationSubject, ident_subject_id(scenario, in_ident[0]))
        assert subject is not None and subject.status == in_ident[0].status.value


def test_a_store_that_holds_data_is_refused(store: Store) -> None:
    scenario = Scenario(50, 2)
    seed_scenario(store, scenario, progress=False)
    before = _count(store, SubjectTemplate), _count(store, Jurisdiction)
    with pytest.raises(SeedError, match="already holds"):
        seed_scenario(store, scenario, progress=False)
    assert (_count(store, SubjectTemplate), _count(store, Jurisdiction)) == before


def test_replayed_bookings_end_as_the_population_says(store: Store) -> None:
    scenario = _scenario()
    seed_scenario(store, scenario, as_of=AS_OF, progress=False)
    submitted: dict[str, BookingSubmission] = {}
    for event in replay(scenario, as_of=AS_OF, limit=10):
        if isinstance(event, IdentEnrolment):
            enrol_in_ident(store, event)
            continue
        submit_car(store, event.data, submitter_ori=event.ori)
        submitted[event.tcn] = event
    assert len(submitted) == 10
    stats = Worker(store, agency_handlers(Services())).run(until_idle=True)
    assert stats.failed == 0
    expected = [e.expected for e in submitted.values()]
    # the bookings cover every branch of the flow
    assert {e.forwarded for e in expected} == {True, False}
    assert {e.criminal_identified for e in expected} == {True, False}
    assert {e.ident_match for e in expected} == {True, False, None}
    assert {e.citizen for e in expected} == {True, False, None}
    with store.session() as s:
        wrong = {
            tcn: outcome_mismatches(s.get(Case, tcn), e.expected) for tcn, e in submitted.items()
        }
    assert wrong == {tcn: [] for tcn in submitted}
    for e in submitted.values():
        truth = e.booking.truth
        assert e.expected.forwarded == truth.submitted
        assert e.expected.ident_match == (truth.in_ident if truth.submitted else None)


def test_a_submission_is_a_conforming_features_car_of_the_persons_fingers() -> None:
    scenario = _scenario()
    first = next(
        e for e in replay(scenario, as_of=AS_OF, limit=1) if isinstance(e, BookingSubmission)
    )
    assert validate(parse(first.data), program_rules()) == []
    assert first.tcn.startswith(first.ori)
    booking = first.booking
    fingers = person_fingers(scenario.seed, booking.person_id, 0)
    probe = person_fingers(
        scenario.seed, booking.person_id, FIRST_BOOKING_IMPRESSION + booking.booking_id
    )
    assert sorted(fingers) == sorted(probe) == list(range(1, 11))
    assert not all(fingers[p].minutiae.tobytes() == probe[p].minutiae.tobytes() for p in fingers)


def test_a_dhs_encounter_during_the_replay_enrols_the_person_in_ident(store: Store) -> None:
    scenario = Scenario(2_000, 3)
    traveller = next(
        p
        for p in scenario.people()
        if p.encounters
        and p.encounters[0].kind is EncounterKind.TRUSTED_TRAVELLER
        and p.encounters[0].on >= scenario.calibration.start
    )
    on = traveller.encounters[0].on
    events = list(replay(scenario, as_of=on, limit=1))
    mine = [e for e in events if isinstance(e, IdentEnrolment) and e.person == traveller]
    assert len(mine) == 1 and mine[0].first and mine[0].on == on
    # encounters come before the bookings of their day
    assert isinstance(events[-1], BookingSubmission) and events[-1].booking.booked_at.date() >= on
    sid = ident_subject_id(scenario, traveller)
    enrol_in_ident(store, mine[0])
    enrol_in_ident(store, mine[0])  # idempotent
    with store.session() as s:
        subject = s.get(ImmigrationSubject, sid)
        assert subject is not None and subject.citizen and len(subject.encounters) == 1
        probe = person_fingers(scenario.seed, traveller.person_id, 7)
        assert GalleryMirror(IMMIGRATION_SYSTEM).search(s, probe).identity == sid
