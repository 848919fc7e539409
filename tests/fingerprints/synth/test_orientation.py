"""Pattern classes, singular points and the zero-pole orientation field."""

from __future__ import annotations

import numpy as np
import pytest

from interop.fingerprints.synth import CLASS_FREQUENCIES, PatternClass, pattern_class
from interop.fingerprints.synth.orientation import (
    SingularPoints,
    arch_orientation,
    master_orientation,
    place_singular_points,
    zero_pole_orientation,
)
from interop.fingerprints.synth.parameters import DEFAULT_MASTER_PARAMETERS

SHAPE = (432, 336)
CENTRE = (167.5, 215.5)


def winding(theta: np.ndarray, x: float, y: float, radius: float) -> float:
    """Total turn of the orientation (radians) along a circle around (x, y)."""
    t = np.linspace(0, 2 * np.pi, 721)
    cols = np.rint(x + radius * np.cos(t)).astype(int)
    rows = np.rint(y + radius * np.sin(t)).astype(int)
    doubled = 2.0 * theta[rows, cols].astype(np.float64)
    steps = np.angle(np.exp(1j * np.diff(doubled)))
    return float(steps.sum() / 2)


def test_frequencies_sum_to_one() -> None:
    assert sum(CLASS_FREQUENCIES.values()) == pytest.approx(1.0)


def test_class_distribution_over_seeds() -> None:
    n = 20_000
    counts = dict.fromkeys(PatternClass, 0)
    for seed in range(n):
        counts[pattern_class(seed)] += 1
    for cls, p in CLASS_FREQUENCIES.items():
        # 4 binomial standard deviations
        assert abs(counts[cls] / n - p) < 4 * np.sqrt(p * (1 - p) / n), (cls, counts)


def test_core_and_delta_have_index_plus_and_minus_half() -> None:
    pts = SingularPoints(np.array([[150.0, 150.0]]), np.array([[220.0, 260.0]]))
    theta = zero_pole_orientation(SHAPE, pts)
    assert winding(theta, 150, 150, 20) == pytest.approx(np.pi, abs=0.05)
    assert winding(theta, 220, 260, 20) == pytest.approx(-np.pi, abs=0.05)
    assert winding(theta, 60, 360, 20) == pytest.approx(0.0, abs=0.05)


@pytest.mark.parametrize("pattern", list(PatternClass))
def test_class_has_its_singular_points(pattern: PatternClass) -> None:
    rng = np.random.default_rng(5)
    pts = place_singular_points(pattern, CENTRE, rng, DEFAULT_MASTER_PARAMETERS)
    expected = {
        PatternClass.ARCH: 0,
        PatternClass.TENTED_ARCH: 1,
        PatternClass.LEFT_LOOP: 1,
        PatternClass.RIGHT_LOOP: 1,
        PatternClass.WHORL: 2,
    }[pattern]
    assert pts.cores.shape == pts.deltas.shape == (expected, 2)
    for core in pts.cores:  # every delta lies below the cores
        assert np.all(pts.deltas[:, 1] > core[1])
    if pattern is PatternClass.RIGHT_LOOP:  # opens to the right: delta on the left
        assert pts.deltas[0, 0] < pts.cores[0, 0]
    if pattern is PatternClass.LEFT_LOOP:
        assert pts.deltas[0, 0] > pts.cores[0, 0]


@pytest.mark.parametrize("pattern", list(PatternClass))
def test_master_orientation_range_and_singularities(pattern: PatternClass) -> None:
    theta, pts = master_orientation(
        pattern, SHAPE, CENTRE, np.random.default_rng(11), DEFAULT_MASTER_PARAMETERS
    )
    assert theta.shape == SHAPE and theta.dtype == np.float32
    assert float(theta.min()) >= 0.0 and float(theta.max()) < np.pi
    for x, y in pts.cores:
        assert winding(theta, x, y, 6) == pytest.approx(np.pi, abs=0.3)
    for x, y in pts.deltas:
        assert winding(theta, x, y, 6) == pytest.approx(-np.pi, abs=0.3)


def test_arch_is_horizontal_at_bottom_and_rises_in_the_middle() -> None:
    theta = arch_orientation(SHAPE, CENTRE, height_px=60.0, width_px=70.0)
    assert winding(theta, *CENTRE, 40) == pytest.approx(0.0, abs=0.05)
    bottom = float(theta[-1, 100])
    assert min(bottom, np.pi - bottom) < 0.01
    # left of the bump the ridges rise to the right, i.e. towards -y: angle near pi
    left = float(theta[int(CENTRE[1]), int(CENTRE[0] - 70)])
    assert np.pi / 2 < left < np.pi - 0.2
