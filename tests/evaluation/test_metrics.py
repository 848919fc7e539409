"""Error rates from score arrays, against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.evaluation.metrics import (
    det_curve,
    eer,
    eer_interval,
    fmr,
    fnmr,
    fnmr_at_fmr,
    verification_metrics,
    zero_fmr,
)


def test_rates_accept_ties_at_the_threshold() -> None:
    scores = [1.0, 2.0, 2.0, 3.0]
    assert fmr(scores, [0.0, 2.0, 2.5, 3.0, 4.0]).tolist() == [1.0, 0.75, 0.25, 0.25, 0.0]
    assert fnmr(scores, [0.0, 2.0, 2.5, 3.0, 4.0]).tolist() == [0.0, 0.25, 0.75, 0.75, 1.0]


def test_det_curve_by_hand() -> None:
    c = det_curve([3.0, 5.0], [1.0, 2.0, 4.0])
    assert c.thresholds.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, math.inf]
    assert c.fmr.tolist() == pytest.approx([1, 2 / 3, 1 / 3, 1 / 3, 0, 0])
    assert c.fnmr.tolist() == [0.0, 0.0, 0.0, 0.5, 0.5, 1.0]


def test_perfect_separation_gives_zero_everywhere() -> None:
    m = verification_metrics([5.0, 6.0, 7.0], [1.0, 2.0, 3.0])
    assert (m.eer, m.eer_low, m.eer_high) == (0.0, 0.0, 0.0)
    assert (m.fmr100, m.fmr1000, m.zero_fmr) == (0.0, 0.0, 0.0)


def test_identical_scores_give_one_half() -> None:
    same = [1.0, 2.0, 3.0, 4.0]
    iv = eer_interval(same, same)
    assert (iv.low, iv.high, iv.eer) == (0.5, 0.5, 0.5)
    assert iv.threshold_low == iv.threshold_high == 3.0


def test_identical_distributions_give_about_one_half() -> None:
    rng = np.random.default_rng(7)
    assert eer(rng.normal(size=4000), rng.normal(size=4000)) == pytest.approx(0.5, abs=0.03)


def test_all_scores_tied_gives_one_half() -> None:
    # One threshold accepts everything (FMR 1, FNMR 0), the next rejects all.
    iv = eer_interval([1.0, 1.0], [1.0, 1.0, 1.0])
    assert (iv.low, iv.high) == (0.0, 1.0)
    assert iv.eer == 0.5


def test_eer_interval_when_curves_cross_between_thresholds() -> None:
    # FMR:  1, 2/3, 1/3, 1/3, 0, 0   FNMR: 0, 0, 0, 1/2, 1/2, 1   (t = 1, 2, 3, 4, 5, +inf)
    # t1 = 3 (0 <= 1/3), t2 = 4 (1/2 >= 1/3); sums 1/3 <= 5/6 -> [FNMR(t1), FMR(t1)]
    iv = eer_interval([3.0, 5.0], [1.0, 2.0, 4.0])
    assert (iv.threshold_low, iv.threshold_high) == (3.0, 4.0)
    assert (iv.low, iv.high) == (0.0, pytest.approx(1 / 3))
    assert iv.eer == pytest.approx(1 / 6)


def test_eer_interval_other_branch() -> None:
    # FMR: 1, 1, 1, 1/2, 1/2, 0   FNMR: 0, 1/3, 2/3, 2/3, 1, 1   (t = 1, 2, 3, 4, 5, +inf)
    # t1 = 3 (sum 5/3), t2 = 4 (sum 7/6) -> [FMR(t2), FNMR(t2)] = [1/2, 2/3]
    iv = eer_interval([1.0, 2.0, 4.0], [3.0, 5.0])
    assert (iv.threshold_low, iv.threshold_high) == (3.0, 4.0)
    assert (iv.low, iv.high) == (0.5, pytest.approx(2 / 3))
    assert iv.eer == pytest.approx(7 / 12)


def test_ties_between_genuine_and_impostor() -> None:
    # t = 0, 1, 2, +inf: FMR 1, 1/2, 0, 0; FNMR 0, 0, 2/3, 1 (the tie at 1 is accepted).
    g, i = [1.0, 1.0, 2.0], [0.0, 1.0]
    iv = eer_interval(g, i)
    assert (iv.low, iv.high, iv.eer) == (0.0, 0.5, 0.25)
    assert fnmr_at_fmr(g, i, 0.5) == 0.0
    assert zero_fmr(g, i) == pytest.approx(2 / 3)


def test_operating_points_at_exactly_one_percent() -> None:
    impostor = np.arange(100, dtype=float)  # FMR(99) = 1/100 exactly
    genuine = [99.0, 99.5, 100.0, 101.0]
    m = verification_metrics(genuine, impostor)
    assert m.fmr100 == 0.0  # t = 99: FMR = 1% is allowed, FNMR 0
    assert m.fmr1000 == 0.25  # needs FMR = 0: t = 99.5 rejects the 99
    assert m.zero_fmr == 0.25


def test_fmr1000_between_zero_fmr_and_fmr100() -> None:
    impostor = np.arange(2000, dtype=float)
    genuine = np.array([1990.0, 1995.0, 1998.5, 2500.0])
    # FMR <= 1% down to t = 1980 (20/2000), <= 0.1% at t = 1998 (2/2000), 0 above 1999.
    assert fnmr_at_fmr(genuine, impostor, 0.01) == 0.0
    assert fnmr_at_fmr(genuine, impostor, 0.001) == 0.5
    assert zero_fmr(genuine, impostor) == 0.75


def test_lowest_score_is_never_accepted() -> None:
    g = [-math.inf, 5.0, 6.0]
    i = [-math.inf, 1.0]
    # t = -inf, 1, 5, 6, +inf: FMR 1, 1/2, 0, 0, 0; FNMR 0, 1/3, 1/3, 2/3, 1.
    assert zero_fmr(g, i) == pytest.approx(1 / 3)
    iv = eer_interval(g, i)
    # t1 = 1 (sum 5/6), t2 = 5 (sum 1/3) -> [FMR(t2), FNMR(t2)] = [0, 1/3]
    assert (iv.threshold_low, iv.threshold_high) == (1.0, 5.0)
    assert (iv.low, iv.high) == (0.0, pytest.approx(1 / 3))
    assert iv.eer == pytest.approx(1 / 6)


def test_fvc_impostors_feed_eer_fvc_only() -> None:
    m = verification_metrics([5.0, 6.0], [1.0, 2.0], impostor_fvc=[5.0, 6.0])
    assert m.eer == 0.0
    assert m.eer_fvc == 0.5


@pytest.mark.parametrize("bad", [[], [1.0, math.nan]])
def test_rejects_empty_or_nan(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        eer(bad, [1.0])
    with pytest.raises(ValueError):
        eer([1.0], bad)


def test_rejects_max_fmr_out_of_range() -> None:
    with pytest.raises(ValueError):
        fnmr_at_fmr([1.0], [0.0], 1.5)


scores = st.lists(st.integers(-5, 5).map(float), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(scores, scores)
def test_properties(genuine: list[float], impostor: list[float]) -> None:
    c = det_curve(genuine, impostor)
    assert np.all(np.diff(c.fmr) <= 0) and np.all(np.diff(c.fnmr) >= 0)
    assert (c.fmr[0], c.fnmr[0], c.fmr[-1], c.fnmr[-1]) == (1.0, 0.0, 0.0, 1.0)
    iv = eer_interval(genuine, impostor)
    assert 0.0 <= iv.low <= iv.high <= 1.0
    assert iv.threshold_low <= iv.threshold_high
    m = verification_metrics(genuine, impostor)
    assert m.fmr100 <= m.fmr1000 <= m.zero_fmr
    assert m.eer == (m.eer_low + m.eer_high) / 2
