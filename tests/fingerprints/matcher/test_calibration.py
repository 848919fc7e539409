"""Score calibration: raw similarity to t = -10 log10(FMR), capped at MAX_SCORE."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.fingerprints.matcher._calibration_table import RAW_KNOTS, SCORE_KNOTS, TAIL_SLOPE
from interop.fingerprints.matcher.calibration import MAX_SCORE, calibrate

raws = st.floats(0.0, 1.0, allow_nan=False)


def test_fixed_points() -> None:
    assert calibrate(0.0) == 0.0
    assert calibrate(1.0) == MAX_SCORE == 100.0
    assert isinstance(calibrate(0.5), float)


def test_knot_table_is_well_formed() -> None:
    assert len(RAW_KNOTS) == len(SCORE_KNOTS) >= 2
    assert RAW_KNOTS[0] == 0.0 and SCORE_KNOTS[0] == 0.0
    assert all(b > a for a, b in itertools.pairwise(RAW_KNOTS))
    assert all(b > a for a, b in itertools.pairwise(SCORE_KNOTS))
    assert RAW_KNOTS[-1] < 1.0 and SCORE_KNOTS[-1] < MAX_SCORE
    assert TAIL_SLOPE > 0


def test_knots_are_hit_exactly() -> None:
    for raw, score in zip(RAW_KNOTS, SCORE_KNOTS, strict=True):
        assert calibrate(raw) == pytest.approx(score, abs=1e-9)


def test_linear_between_knots() -> None:
    for i in range(len(RAW_KNOTS) - 1):
        mid = 0.5 * (RAW_KNOTS[i] + RAW_KNOTS[i + 1])
        assert calibrate(mid) == pytest.approx(0.5 * (SCORE_KNOTS[i] + SCORE_KNOTS[i + 1]))


def test_tail_is_continuous_and_follows_the_fitted_slope() -> None:
    last_raw, last_score = RAW_KNOTS[-1], SCORE_KNOTS[-1]
    eps = 1e-9
    assert calibrate(last_raw + eps) == pytest.approx(last_score, abs=1e-5)
    step = 0.001
    assert calibrate(last_raw + step) == pytest.approx(last_score + TAIL_SLOPE * step)


def test_capped_at_max_score() -> None:
    raw_at_cap = RAW_KNOTS[-1] + (MAX_SCORE - SCORE_KNOTS[-1]) / TAIL_SLOPE
    assert calibrate(raw_at_cap * 0.999) < MAX_SCORE
    for raw in (raw_at_cap * 1.001, 0.5, 1.0, 5.0):
        assert calibrate(raw) == MAX_SCORE


@settings(max_examples=200, deadline=None)
@given(raws, raws)
def test_monotone_and_bounded(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert 0.0 <= calibrate(lo) <= calibrate(hi) <= MAX_SCORE


def test_scale_meaning() -> None:
    """t = -10 log10(FMR): every 10 points is a tenfold fall in false matches;
    the documented anchors 10, 20 and 22 are reached inside the fitted table."""
    grid = np.linspace(0.0, RAW_KNOTS[-1], 2001)
    scores = np.array([calibrate(float(r)) for r in grid])
    assert np.all(np.diff(scores) >= 0)
    for t in (10.0, 20.0):
        assert scores.min() < t < scores.max()
    assert scores.max() == pytest.approx(SCORE_KNOTS[-1])
