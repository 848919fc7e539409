"""The population stream: determinism, consistency of people and bookings, ground truth."""

from __future__ import annotations

import re
import types
from collections import Counter
from datetime import date

import pytest

from interop.population import (
    CALIBRATION,
    IDENT_ENCOUNTERS,
    Booking,
    Disposition,
    EncounterKind,
    Person,
    Scenario,
    Status,
)
from interop.population.generator import CHUNK_SIZE

START = CALIBRATION.start


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario(40_000, 5)


@pytest.fixture(scope="module")
def people(scenario: Scenario) -> list[Person]:
    return list(scenario.people())


@pytest.fixture(scope="module")
def bookings(scenario: Scenario) -> list[Booking]:
    return list(scenario.bookings())


def test_same_seed_same_scenario(people: list[Person], bookings: list[Booking]) -> None:
    again = Scenario(40_000, 5)
    assert list(again.people()) == people
    assert list(again.bookings()) == bookings


def test_other_seed_other_people(people: list[Person]) -> None:
    other = list(Scenario(1_000, 6).people())
    assert [p.to_record() for p in other] != [p.to_record() for p in people[:1_000]]


def test_a_chunk_does_not_depend_on_the_population_size(people: list[Person]) -> None:
    larger = Scenario(CHUNK_SIZE + 7, 5).people()
    assert [next(larger) for _ in range(CHUNK_SIZE)] == people[:CHUNK_SIZE]


def test_people_are_streamed(scenario: Scenario) -> None:
    stream = scenario.people()
    assert isinstance(stream, types.GeneratorType)
    assert next(stream).person_id == 0


def test_statuses_and_identities(people: list[Person]) -> None:
    counts = Counter(p.status for p in people)
    assert set(counts) == set(Status)
    assert counts[Status.US_BORN_CITIZEN] / len(people) == pytest.approx(0.86, abs=0.01)
    for p in people:
        assert p.given_name and p.surname
        assert p.date_of_birth < START
        born_here = p.status is Status.US_BORN_CITIZEN
        assert p.place_of_birth.startswith("US-") is born_here
        assert (p.entered_us_on is None) is born_here
        if p.entered_us_on is not None:
            assert p.date_of_birth < p.entered_us_on < START


def test_identifiers_are_unique_and_well_formed(people: list[Person]) -> None:
    a_numbers = [p.a_number for p in people if p.a_number]
    fbi = [p.fbi_number for p in people if p.fbi_number]
    assert len(set(a_numbers)) == len(a_numbers) and len(set(fbi)) == len(fbi)
    assert all(re.fullmatch(r"A\d{9}", a) for a in a_numbers)
    assert all(re.fullmatch(r"\d{6}[A-Z]{2}\d", f) for f in fbi)
    for p in people:
        assert (p.fbi_number is None) == (not p.arrests)
        if p.status in (Status.LAWFUL_PERMANENT_RESIDENT, Status.PREVIOUSLY_REMOVED):
            assert p.a_number is not None


def test_encounters(people: list[Person]) -> None:
    for p in people:
        days = [e.on for e in p.encounters]
        assert days == sorted(days)
        assert all(e.kind in IDENT_ENCOUNTERS for e in p.encounters)
        if p.status is Status.PREVIOUSLY_REMOVED:
            assert EncounterKind.REMOVAL in {e.kind for e in p.encounters}
        if p.status is Status.VISA_HOLDER and p.encounters:
            assert p.encounters[0].kind is EncounterKind.VISA_APPLICATION
        assert p.in_ident(date(2100, 1, 1)) == bool(p.encounters)


def test_criminal_histories(people: list[Person], scenario: Scenario) -> None:
    oris = {j.ori for j in scenario.jurisdictions}
    arrested = [p for p in people if p.arrests]
    assert 0.15 < len(arrested) / len(people) < 0.35
    for p in arrested:
        days = [a.arrested_on for a in p.arrests]
        assert days == sorted(days)
        assert days[0] >= date(p.date_of_birth.year + 18, 1, 1)
        for a in p.arrests:
            assert a.ori in oris and a.ori[:2] == p.residence_ori[:2]
            convicted = a.disposition in (Disposition.CONVICTED, Disposition.CONVICTED_LESSER)
            assert (a.conviction is not None) is convicted
            assert (a.sentence_days is not None) is convicted
            assert (a.disposed_on is None) is (a.disposition is Disposition.PENDING)
            if a.disposition is Disposition.CONVICTED:
                assert a.conviction == a.charge


def test_bookings_are_the_arrests_of_the_scenario(
    people: list[Person], bookings: list[Booking]
) -> None:
    expected = Counter(
        (p.person_id, a.arrested_on, a.ori, a.charge)
        for p in people
        for a in p.arrests
        if a.arrested_on >= START
    )
    got = Counter((b.person_id, b.booked_at.date(), b.ori, b.charge) for b in bookings)
    assert got == expected
    assert [b.booking_id for b in bookings] == list(range(len(bookings)))
    assert [b.booked_at for b in bookings] == sorted(b.booked_at for b in bookings)


def test_booking_truth(people: list[Person], bookings: list[Booking], scenario: Scenario) -> None:
    by_id = {p.person_id: p for p in people}
    activated = {j.ori: j.activated_on for j in scenario.jurisdictions}
    for b in bookings:
        p, t, day = by_id[b.person_id], b.truth, b.booked_at.date()
        assert (b.given_name, b.surname, b.date_of_birth) == (
            p.given_name,
            p.surname,
            p.date_of_birth,
        )
        assert t.submitted == (activated[b.ori] <= day)
        assert t.in_ident == p.in_ident(day)
        assert t.ident_match == (t.submitted and t.in_ident)
        assert (t.match_level is None) != t.ident_match
        if t.removed_on is not None:
            assert t.ice_custody_on is not None and t.ice_custody_on < t.removed_on
            assert not p.status.citizen
            # removed, so never booked again after ICE took custody
            assert all(a.arrested_on <= t.ice_custody_on for a in p.arrests)
            assert p.encounters[-1].kind is EncounterKind.REMOVAL
        if t.ice_custody_on is not None:
            assert t.ident_match and t.ice_custody_on > day


def test_statistics_count_the_bookings(bookings: list[Booking], scenario: Scenario) -> None:
    through = date(2012, 6, 30)
    stats = scenario.statistics(through)
    window = [b for b in bookings if b.booked_at.date() <= through]
    assert stats.submissions == sum(b.truth.submitted for b in window)
    assert stats.matches == sum(b.truth.ident_match for b in window)
    removed = [b for b in window if b.truth.removed_on and b.truth.removed_on <= through]
    assert stats.removals_total == len(removed)


def test_residence_filter() -> None:
    texas = Scenario(2_000, 1, residence={"TX"})
    assert {p.residence_ori[:2] for p in texas.people()} == {"TX"}
    assert texas.scale == pytest.approx(25_145_561 / 2_000, rel=0.01)
    with pytest.raises(ValueError, match="unknown"):
        Scenario(10, 1, residence={"XX"})


@pytest.mark.parametrize(("people", "seed"), [(0, 1), (10, -1)])
def test_bad_arguments(people: int, seed: int) -> None:
    with pytest.raises(ValueError):
        Scenario(people, seed)
