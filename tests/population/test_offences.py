"""NCIC offence table and ICE's priority levels (June 2010 definitions)."""

from __future__ import annotations

import re

import pytest

from interop.population import OFFENCES, MatchLevel, PriorityLevel, conviction_level, match_level
from interop.population.calibration import CALIBRATION

L1, L2, L3, NC = (
    PriorityLevel.LEVEL_1,
    PriorityLevel.LEVEL_2,
    PriorityLevel.LEVEL_3,
    PriorityLevel.NON_CRIMINAL,
)


def test_codes_are_four_digits_and_lesser_offences_are_misdemeanours() -> None:
    for code, offence in OFFENCES.items():
        assert re.fullmatch(r"\d{4}", code) and offence.code == code
        if offence.lesser is not None:
            assert not OFFENCES[offence.lesser].felony, code
            assert offence.felony, code


@pytest.mark.parametrize(
    ("prefix", "level_1"),
    [("09", True), ("10", True), ("11", True), ("12", True), ("54", False), ("03", False)],
)
def test_level_1_categories(prefix: str, level_1: bool) -> None:
    """Homicide, kidnapping, sexual assault, robbery are Level 1; traffic, immigration not."""
    codes = [c for c in OFFENCES if c.startswith(prefix)]
    assert codes
    assert all(OFFENCES[c].level_1 is level_1 for c in codes)


def test_drug_trafficking_is_level_1_and_possession_is_not() -> None:
    assert OFFENCES["3530"].aggravated_felony  # cocaine, sell
    assert OFFENCES["3571"].aggravated_felony  # methamphetamine, sell
    assert not OFFENCES["3532"].level_1  # cocaine, possess
    assert not OFFENCES["3562"].felony  # marijuana, possess


@pytest.mark.parametrize(
    ("codes", "level"),
    [
        ((), NC),
        (("5499",), L3),
        (("5404", "5311"), L3),
        (("5404", "5311", "2303"), L2),  # three or more misdemeanours
        (("2399",), L2),  # one other felony
        (("2399", "3532"), L1),  # two felonies
        (("1206",), L1),  # an aggravated felony alone
        (("5499", "5499", "1304"), L1),
    ],
)
def test_conviction_level(codes: tuple[str, ...], level: PriorityLevel) -> None:
    assert conviction_level(OFFENCES[c] for c in codes) is level


def test_match_level_counts_a_level_1_charge() -> None:
    assert match_level(OFFENCES["1305"], NC) is MatchLevel.LEVEL_1
    assert match_level(OFFENCES["5499"], L1) is MatchLevel.LEVEL_1
    assert match_level(OFFENCES["5499"], L2) is MatchLevel.LEVEL_2_3


def test_every_calibrated_charge_is_in_the_table() -> None:
    codes = [c for c, _ in CALIBRATION.offences.weights]
    assert len(codes) == len(set(codes))
    assert set(codes) <= set(OFFENCES)
    for offence in OFFENCES.values():
        if offence.lesser is not None:
            assert offence.lesser in codes
