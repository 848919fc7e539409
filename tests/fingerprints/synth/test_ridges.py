"""Finger silhouette, period map and ridge growth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from interop.fingerprints.synth.parameters import DEFAULT_MASTER_PARAMETERS
from interop.fingerprints.synth.ridges import (
    finger_silhouette,
    grow_ridges,
    growth_kernel,
    interrupt_ridges,
    period_map,
)

SHAPE = (432, 336)
CENTRE = (167.5, 215.5)


@pytest.mark.parametrize("theta", [0.0, 0.7, np.pi / 2, 2.5])
@pytest.mark.parametrize("period", [7.5, 9.0, 10.5])
def test_kernel_has_unit_gain_on_matched_ridges_and_none_on_flat(
    theta: float, period: float
) -> None:
    k = growth_kernel(theta, period, 4.0, 3.2).astype(np.float64)
    r = k.shape[0] // 2
    ys, xs = np.mgrid[-r : r + 1, -r : r + 1]
    across = -xs * np.sin(theta) + ys * np.cos(theta)
    assert float((k * np.cos(2 * np.pi * across / period)).sum()) == pytest.approx(1.0)
    assert float(k.sum()) == pytest.approx(0.0, abs=1e-5)
    # ridges at right angles hardly pass
    along = xs * np.cos(theta) + ys * np.sin(theta)
    assert abs(float((k * np.cos(2 * np.pi * along / period)).sum())) < 0.05


def test_silhouette_is_round_on_top_and_square_at_bottom() -> None:
    mask = finger_silhouette(SHAPE, CENTRE, 140.0, 195.0, bottom_exponent=3.5)
    assert mask.shape == SHAPE and mask.dtype == np.bool_
    assert mask[int(CENTRE[1]), int(CENTRE[0])]
    assert not mask[0, 0] and not mask[-1, -1]
    # at 80% of the half height, the bottom is wider than the top
    top = mask[int(CENTRE[1] - 0.8 * 195)].sum()
    bottom = mask[int(CENTRE[1] + 0.8 * 195)].sum()
    assert bottom > top * 1.3
    assert 0.75 * np.pi * 140 * 195 < mask.sum() < 1.05 * 4 * 140 * 195


def test_period_map_is_in_range_and_longer_at_the_bottom() -> None:
    mask = finger_silhouette(SHAPE, CENTRE, 140.0, 195.0, bottom_exponent=3.5)
    p = DEFAULT_MASTER_PARAMETERS
    periods = []
    for seed in range(8):
        period = period_map(SHAPE, mask, np.random.default_rng(seed), p)
        assert period.shape == SHAPE and period.dtype == np.float32
        assert p.period_limits_px[0] <= period.min() and period.max() <= p.period_limits_px[1]
        periods.append(period)
    mean = np.mean(periods, axis=0)
    assert mean[60:120].mean() < mean[-120:-60].mean()


def test_growth_fills_the_finger_with_ridges_of_the_requested_period() -> None:
    shape = (128, 128)
    mask = np.zeros(shape, bool)
    mask[16:-16, 16:-16] = True
    theta = np.full(shape, np.pi / 2, np.float32)  # vertical ridges
    period = np.full(shape, 9.0, np.float32)
    params = dataclasses.replace(DEFAULT_MASTER_PARAMETERS, seed_count=(3.0, 3.0))
    ridges, iterations = grow_ridges(theta, period, mask, np.random.default_rng(0), params)
    assert ridges.shape == shape and ridges.dtype == np.float32
    assert 1 < iterations < params.max_iterations
    inside = ridges[mask]
    assert np.mean(np.abs(inside) > 0.5) > 0.9
    assert ridges.min() >= -1.0 and ridges.max() <= 1.0
    # vertical ridges: the profile along x oscillates with a 9 px period
    profile = ridges[40:88, 16:-16].mean(axis=0)
    spectrum = np.abs(np.fft.rfft(profile - profile.mean()))
    peak = int(np.argmax(spectrum))
    assert profile.size / peak == pytest.approx(9.0, rel=0.1)


def test_growth_is_deterministic() -> None:
    shape = (96, 96)
    mask = np.ones(shape, bool)
    theta = np.full(shape, 0.3, np.float32)
    period = np.full(shape, 8.5, np.float32)
    a, _ = grow_ridges(theta, period, mask, np.random.default_rng(3), DEFAULT_MASTER_PARAMETERS)
    b, _ = grow_ridges(theta, period, mask, np.random.default_rng(3), DEFAULT_MASTER_PARAMETERS)
    np.testing.assert_array_equal(a, b)


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _straight_ridges(period: float = 10.0) -> Arrays:
    """Horizontal ridges (+1 on rows 0, period, ...), with orientation, period, mask."""
    ys = np.arange(200, dtype=np.float32)[:, None]
    ridges = np.repeat(np.cos(2 * np.pi * ys / period), 200, axis=1).astype(np.float32)
    theta = np.zeros_like(ridges)
    periods = np.full_like(ridges, period)
    mask = np.zeros(ridges.shape, dtype=bool)
    mask[45:155, 45:155] = True
    return ridges, theta, periods, mask


def test_breaks_cut_ridges_into_pieces_and_leave_valleys_and_neighbours_alone() -> None:
    ridges, theta, periods, mask = _straight_ridges()
    params = dataclasses.replace(
        DEFAULT_MASTER_PARAMETERS, ridge_breaks=(4.0, 4.0), ridge_break_length_periods=(3.0, 3.0)
    )
    out = interrupt_ridges(ridges, theta, periods, mask, np.random.default_rng(3), params)
    assert out.dtype == np.float32 and out.min() >= -1.0 and out.max() <= 1.0
    ridge_rows = np.arange(0, 200, 10)
    pieces = sum(
        int(np.count_nonzero(np.diff((out[r] > 0).astype(np.int8)) == 1)) for r in ridge_rows
    )
    starts = sum(int(out[r, 0] > 0) for r in ridge_rows)
    # 20 whole ridges before; each break adds one piece (two may share a ridge and merge)
    assert 20 < pieces + starts <= 24
    valley_rows = np.arange(5, 200, 10)
    np.testing.assert_array_equal(out[valley_rows] <= ridges[valley_rows] + 1e-6, True)
    assert (out <= ridges + 1e-6).all()  # a cut only darkens
    # every changed pixel belongs to a ridge that was cut near that column
    cut_centre = out[ridge_rows] < 0.5
    near_cut = np.zeros_like(cut_centre)
    for shift in range(-3, 4):
        near_cut |= np.roll(cut_centre, shift, axis=1)
    ys, xs = np.nonzero(np.abs(out - ridges) > 0.1)  # beyond the blur's faint tail
    nearest = np.clip(np.rint(ys / 10).astype(int), 0, ridge_rows.size - 1)
    assert near_cut[nearest, xs].all()
    again = interrupt_ridges(ridges, theta, periods, mask, np.random.default_rng(3), params)
    np.testing.assert_array_equal(out, again)


def test_no_breaks_leaves_the_pattern_as_grown() -> None:
    ridges, theta, periods, mask = _straight_ridges()
    params = dataclasses.replace(DEFAULT_MASTER_PARAMETERS, ridge_breaks=(0.0, 0.0))
    out = interrupt_ridges(ridges, theta, periods, mask, np.random.default_rng(0), params)
    np.testing.assert_array_equal(out, ridges)
