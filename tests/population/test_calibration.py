"""A generated scenario reproduces ICE's published Secure Communities figures.

Every target below is a published figure from ``docs/domain.md``, written
out here (never read from the calibration module), with a tolerance of
about three standard deviations of the figure across seeds at this scale
(or the spread of the published figures themselves, where wider). A drift
in a calibration parameter moves a figure out of its band; the last test
shows one such drift caught.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pytest

from interop.population import CALIBRATION, InteroperabilityStatistics, Scenario, Status

NATIONAL_PEOPLE = 3_000_000  # ~450 removals to Jun 2010, ~1,000 to Mar 2011
ILLINOIS_PEOPLE = 1_000_000  # residents of the 26 Illinois counties: ~27,000 screened
SEED = 2011

FEB_2011 = date(2011, 2, 28)
MAR_2011 = date(2011, 3, 31)
JUN_2010 = date(2010, 6, 30)
MAR_2012 = date(2012, 3, 31)
OCT_2011 = date(2011, 10, 31)
ILLINOIS_FROM = date(2009, 11, 24)
ILLINOIS_TO = date(2010, 12, 31)


@dataclass(frozen=True)
class Figure:
    """Published value, tolerance, and how to measure it in a scenario."""

    published: float
    tolerance: float
    measure: Callable[[Scenario], float]
    relative: bool = False

    def check(self, scenario: Scenario) -> tuple[bool, float]:
        value = self.measure(scenario)
        allowed = self.tolerance * self.published if self.relative else self.tolerance
        return abs(value - self.published) <= allowed, value


def _at(through: date) -> Callable[[Scenario], InteroperabilityStatistics]:
    return lambda s: s.statistics(through)


def _non_l1(s: Scenario, level: int) -> float:
    custody = s.statistics(FEB_2011).custody
    return custody[level] / sum(custody[1:])


NATIONAL: dict[str, Figure] = {
    # Oct 2008 - Mar 2011: 7,225,393 submissions
    "submissions to Mar 2011": Figure(
        7_225_393, 0.04, lambda s: s.statistics(MAR_2011).submissions * s.scale, relative=True
    ),
    # 477,035 matches to Feb 2011 over 7,225,393 submissions to Mar 2011 (6.6%), the
    # Feb-2011 submissions being about one month fewer (~7.0%)
    "match rate to Mar 2011": Figure(0.068, 0.007, lambda s: s.statistics(MAR_2011).match_rate),
    "matches to Feb 2011": Figure(
        477_035, 0.07, lambda s: s.statistics(FEB_2011).matches * s.scale, relative=True
    ),
    # 71,197 Level 1 of 477,035 matches
    "Level 1 share of matches": Figure(
        71_197 / 477_035, 0.02, lambda s: s.statistics(FEB_2011).level_1_share_of_matches
    ),
    # booked into ICE custody to Feb 2011: 52,603 non-criminal, 24,884 L2, 49,019 L3
    "non-criminal share of non-L1 custody": Figure(
        52_603 / 126_506, 0.035, lambda s: _non_l1(s, 3)
    ),
    "Level 2 share of non-L1 custody": Figure(24_884 / 126_506, 0.04, lambda s: _non_l1(s, 1)),
    "Level 3 share of non-L1 custody": Figure(49_019 / 126_506, 0.05, lambda s: _non_l1(s, 2)),
    # 197,302 booked into ICE custody to Mar 2011
    "custody to Mar 2011": Figure(
        197_302, 0.09, lambda s: s.statistics(MAR_2011).custody_total * s.scale, relative=True
    ),
    # to Jun 2010: 46,929 removed, 12,293 (26%) non-criminal, 9,831 (21%) Level 1
    "removals to Jun 2010": Figure(
        46_929, 0.15, lambda s: s.statistics(JUN_2010).removals_total * s.scale, relative=True
    ),
    "non-criminal share of removals to Jun 2010": Figure(
        12_293 / 46_929, 0.055, lambda s: s.statistics(JUN_2010).non_criminal_share_of_removals
    ),
    "Level 1 share of removals to Jun 2010": Figure(
        9_831 / 46_929, 0.06, lambda s: s.statistics(JUN_2010).level_1_share_of_removals
    ),
    # to Mar 2011: 101,741 removed, of whom 72,445 convicted
    "removals to Mar 2011": Figure(
        101_741, 0.12, lambda s: s.statistics(MAR_2011).removals_total * s.scale, relative=True
    ),
    "non-criminal share of removals to Mar 2011": Figure(
        1 - 72_445 / 101_741, 0.035, lambda s: s.statistics(MAR_2011).non_criminal_share_of_removals
    ),
    # to Mar 2012: ~183,000 removed, 74% with a conviction
    "removals to Mar 2012": Figure(
        183_000, 0.10, lambda s: s.statistics(MAR_2012).removals_total * s.scale, relative=True
    ),
    "non-criminal share of removals to Mar 2012": Figure(
        0.26, 0.04, lambda s: s.statistics(MAR_2012).non_criminal_share_of_removals
    ),
    # Warren Institute (Oct 2011): about 3,600 US citizens arrested through the program
    "US citizens in ICE custody to Oct 2011": Figure(
        3_600, 0.40, lambda s: s.statistics(OCT_2011).citizens_in_custody * s.scale, relative=True
    ),
    # Illinois, 24 Nov 2009 - 31 Dec 2010: ~100,000 screened
    "Illinois screened": Figure(
        100_000,
        0.12,
        lambda s: (
            s.statistics(ILLINOIS_TO, since=ILLINOIS_FROM, states={"IL"}).submissions * s.scale
        ),
        relative=True,
    ),
}


@pytest.fixture(scope="module")
def national() -> Scenario:
    return Scenario(NATIONAL_PEOPLE, SEED)


@pytest.fixture(scope="module")
def illinois(national: Scenario) -> InteroperabilityStatistics:
    """The Illinois figures from a population living in the 26 activated counties."""
    counties = {
        j.ori for j in national.jurisdictions if j.state == "IL" and j.activated_on == ILLINOIS_FROM
    }
    scenario = Scenario(ILLINOIS_PEOPLE, SEED, residence=counties)
    return scenario.statistics(ILLINOIS_TO, since=ILLINOIS_FROM, states={"IL"})


@pytest.mark.parametrize("name", sorted(NATIONAL))
def test_national_figure(national: Scenario, name: str) -> None:
    figure = NATIONAL[name]
    ok, value = figure.check(national)
    assert ok, f"{name}: {value:,.4g}, published {figure.published:,.4g} ± {figure.tolerance}"


def test_match_rate_is_six_to_seven_percent(national: Scenario) -> None:
    assert 0.060 <= national.statistics(MAR_2011).match_rate <= 0.072


def test_non_criminal_share_of_removals_is_26_to_29_percent(national: Scenario) -> None:
    for through in (JUN_2010, MAR_2011, MAR_2012):
        share = national.statistics(through).non_criminal_share_of_removals
        assert 0.22 <= share <= 0.33, (through, share)


def test_illinois_scaled_to_its_volume(illinois: InteroperabilityStatistics) -> None:
    """6,355 matches, 1,430 charged, >430 removed per ~100,000 screened."""
    per_screened = illinois.submissions / 100_000
    assert illinois.submissions > 20_000  # a sample large enough for the tolerances
    assert illinois.matches == pytest.approx(6_355 * per_screened, rel=0.10)
    assert illinois.custody_total == pytest.approx(1_430 * per_screened, rel=0.15)
    assert illinois.removals_total > 430 * per_screened
    assert illinois.removals_total < 650 * per_screened  # ">430", not far more


def test_illinois_ratios(illinois: InteroperabilityStatistics) -> None:
    assert illinois.match_rate == pytest.approx(6_355 / 100_000, abs=0.006)
    assert illinois.custody_total / illinois.matches == pytest.approx(1_430 / 6_355, abs=0.03)
    assert illinois.removals_total / illinois.matches >= 430 / 6_355


def test_a_drifted_parameter_is_caught() -> None:
    """IDENT coverage of entrants without inspection 0.5 -> 0.75: the match rate leaves its band."""
    coverage = list(CALIBRATION.ident.coverage)
    coverage[list(Status).index(Status.ENTERED_WITHOUT_INSPECTION)] *= 1.5
    drifted = replace(CALIBRATION, ident=replace(CALIBRATION.ident, coverage=tuple(coverage)))
    scenario = Scenario(1_000_000, SEED, calibration=drifted)
    ok, value = NATIONAL["match rate to Mar 2011"].check(scenario)
    assert not ok, value
