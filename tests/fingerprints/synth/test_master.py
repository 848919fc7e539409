"""Master fingerprints: determinism, shapes, classes."""

from __future__ import annotations

import numpy as np
import pytest

from interop.fingerprints.synth import (
    DEFAULT_MASTER_PARAMETERS,
    MasterFingerprint,
    MasterParameters,
    PatternClass,
    master_fingerprint,
    pattern_class,
)
from tests.fingerprints.synth.conftest import PATTERNS


def test_masters_have_documented_shapes_and_dtypes(masters: list[MasterFingerprint]) -> None:
    p = DEFAULT_MASTER_PARAMETERS
    shape = (p.canvas_height_px, p.canvas_width_px)
    for m, pattern in zip(masters, PATTERNS, strict=True):
        assert m.pattern is pattern
        assert m.shape == shape
        assert m.orientation.dtype == m.period.dtype == m.ridges.dtype == np.float32
        assert m.mask.dtype == np.bool_
        assert all(a.shape == shape for a in (m.orientation, m.period, m.ridges, m.mask))
        assert not m.ridges.flags.writeable
        assert 1 < m.iterations < p.max_iterations
        # the finger is filled with ridges and valleys in about equal parts
        # (a pixel in eight is in the ridge/valley transitions)
        inside = m.ridges[m.mask]
        assert np.mean(np.abs(inside) > 0.5) > 0.8
        assert 0.35 < np.mean(inside > 0) < 0.65


def test_same_seed_same_master(masters: list[MasterFingerprint]) -> None:
    again = master_fingerprint(masters[0].seed, pattern=masters[0].pattern)
    np.testing.assert_array_equal(again.ridges, masters[0].ridges)
    np.testing.assert_array_equal(again.orientation, masters[0].orientation)
    np.testing.assert_array_equal(again.singular_points.cores, masters[0].singular_points.cores)


def test_different_seeds_differ(masters: list[MasterFingerprint]) -> None:
    a, b = masters[0], masters[1]
    assert not np.array_equal(a.ridges, b.ridges)


def test_default_pattern_is_the_drawn_class() -> None:
    small = MasterParameters(max_iterations=2)  # class logic only: skip most of the growth
    for seed in range(3):
        assert master_fingerprint(seed, params=small).pattern is pattern_class(seed)


def test_forcing_the_class_keeps_the_rest() -> None:
    small = MasterParameters(max_iterations=2)
    a = master_fingerprint(4, pattern=PatternClass.WHORL, params=small)
    b = master_fingerprint(4, pattern=PatternClass.ARCH, params=small)
    assert (a.pattern, b.pattern) == (PatternClass.WHORL, PatternClass.ARCH)
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_array_equal(a.period, b.period)
    assert b.singular_points.cores.shape == (0, 2)


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_bad_seed_is_rejected(seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        master_fingerprint(seed)  # type: ignore[arg-type]


def test_parameters_round_trip_through_json() -> None:
    p = MasterParameters(period_px=(8.0, 9.0), gabor_periods_px=(8.0, 10.0))
    assert MasterParameters.from_json(p.to_json()) == p
