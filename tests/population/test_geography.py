"""Jurisdictions, ORIs and the activation schedule against the published deployment record."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from interop.population import STATE_TIME_ZONES, Geography, JurisdictionKind, build_geography


@pytest.fixture(scope="module")
def geo() -> Geography:
    return build_geography()


def test_every_county_equivalent_of_the_country(geo: Geography) -> None:
    assert len(geo.jurisdictions) == 3142  # 3,143 in the 2010 census, territories aside
    assert {j.state for j in geo.jurisdictions} == set(geo.state_codes)
    assert len(geo.state_codes) == 51
    assert sum(j.population for j in geo.jurisdictions) == pytest.approx(308.7e6, rel=0.01)
    kinds = {j.kind for j in geo.jurisdictions}
    assert JurisdictionKind.INDEPENDENT_CITY in kinds and JurisdictionKind.PARISH in kinds


def test_oris_are_unique_and_well_formed(geo: Geography) -> None:
    oris = [j.ori for j in geo.jurisdictions]
    assert len(set(oris)) == len(oris) and oris == sorted(oris)
    for j in geo.jurisdictions:
        assert re.fullmatch(r"[A-Z]{2}\d{3}0000", j.ori) and j.ori[:2] == j.state
        assert 0 < j.foreign_born_share < 1 and j.annual_bookings >= 0
    assert [b.ori for b in geo.bureaus] == [f"{s}SIB0000" for s in sorted(geo.state_codes)]


@pytest.mark.parametrize(
    ("on", "jurisdictions", "states"),
    [
        (date(2008, 10, 31), 14, None),
        (date(2009, 11, 30), 95, 11),
        (date(2010, 9, 30), 658, 32),
        (date(2011, 3, 31), 1_123, 40),
        (date(2011, 5, 31), 1_300, 42),
        (date(2011, 8, 31), 1_508, 43),
        (date(2011, 10, 31), 1_595, None),
    ],
)
def test_activation_counts_follow_the_published_record(
    geo: Geography, on: date, jurisdictions: int, states: int | None
) -> None:
    assert geo.activated_count(on) == pytest.approx(jurisdictions, abs=2)
    if states is not None:
        assert geo.activated_states(on) == pytest.approx(states, abs=1)


def test_harris_county_first_and_nationwide_by_january_2013(geo: Geography) -> None:
    first = min(geo.jurisdictions, key=lambda j: j.activated_on)
    assert (first.name, first.state, first.activated_on) == (
        "Harris County",
        "TX",
        date(2008, 10, 27),
    )
    assert geo.activated_count(date(2013, 1, 22)) == len(geo.jurisdictions)
    assert geo.activated_count(date(2008, 10, 26)) == 0


def test_illinois_26_counties_not_cook_then_suspended(geo: Geography) -> None:
    illinois = [j for j in geo.jurisdictions if j.state == "IL"]
    first = [j for j in illinois if j.activated_on == date(2009, 11, 24)]
    assert len(first) == 26
    assert "Cook County" not in {j.name for j in first}
    rest = [j for j in illinois if j not in first]
    assert min(j.activated_on for j in rest) >= date(2011, 8, 5)
    days = (date(2010, 12, 31) - date(2009, 11, 24)).days + 1
    volume = sum(j.annual_bookings for j in first) * days / 365.25
    assert volume == pytest.approx(100_000, rel=0.05)  # ~100,000 screened


def test_memoranda_of_agreement(geo: Geography) -> None:
    bureaus = {b.state: b for b in geo.bureaus}
    assert bureaus["IL"].moa_terminated_on == date(2011, 5, 4)
    assert bureaus["CA"].moa_signed_on == date(2009, 1, 15)
    for b in geo.bureaus:
        if b.moa_signed_on is not None:
            assert b.moa_terminated_on is not None
            assert b.moa_terminated_on <= date(2011, 8, 5)


def test_the_map_is_fixed(geo: Geography) -> None:
    assert build_geography() is geo


def test_every_state_has_a_time_zone(geo: Geography) -> None:
    assert set(STATE_TIME_ZONES) == set(geo.state_codes)
    for zone in STATE_TIME_ZONES.values():
        ZoneInfo(zone)
