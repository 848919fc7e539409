"""Stage 4: the local ridge period."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interop.fingerprints.extraction.frequency import ridge_period
from interop.fingerprints.extraction.normalization import normalize
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS as P
from tests.fingerprints.patterns import sinusoid, to_uint8

INNER = (slice(32, -32), slice(32, -32))


def period_of(
    image: npt.NDArray[np.uint8], mask: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.float32]:
    """Ridge period map with the engine's default parameters."""
    if mask is None:
        mask = np.ones(image.shape, dtype=bool)
    return ridge_period(
        normalize(image, sigma_px=P.contrast_sigma_px),
        mask,
        step_px=P.block_px,
        window_px=P.frequency_window_px,
        min_period_px=P.min_period_px,
        max_period_px=P.max_period_px,
        smoothing_sigma_blocks=P.frequency_smoothing_sigma_blocks,
    )


@pytest.mark.parametrize("phi_deg", [0, 30, 45, 70, 90, 135])
@pytest.mark.parametrize("period", [6.0, 8.0, 10.0, 12.0])
def test_sinusoid_period_is_recovered(period: float, phi_deg: int) -> None:
    image = to_uint8(sinusoid(160, 176, math.radians(phi_deg), period))
    estimate = period_of(image)
    assert estimate.shape == image.shape and estimate.dtype == np.float32
    np.testing.assert_allclose(estimate[INNER], period, rtol=0.10)


def test_period_follows_a_change_of_ridge_spacing() -> None:
    grey = sinusoid(192, 320, 0.0, 7.0)
    grey[:, 160:] = sinusoid(192, 160, 0.0, 12.0)
    estimate = period_of(to_uint8(grey))
    np.testing.assert_allclose(estimate[40:-40, 20:100], 7.0, rtol=0.10)
    np.testing.assert_allclose(estimate[40:-40, 220:300], 12.0, rtol=0.10)


def test_background_blocks_are_filled_from_the_foreground() -> None:
    """Outside the mask the period is interpolated, not left at zero."""
    image = to_uint8(sinusoid(192, 192, 0.5, 9.0))
    mask = np.zeros(image.shape, dtype=bool)
    mask[48:144, 48:144] = True
    estimate = period_of(image, mask)
    np.testing.assert_allclose(estimate[60:132, 60:132], 9.0, rtol=0.10)
    assert np.all(np.isfinite(estimate))
    np.testing.assert_allclose(estimate, 9.0, rtol=0.2)


def test_empty_mask_gives_the_middle_of_the_range() -> None:
    image = to_uint8(sinusoid(100, 120, 0.5, 9.0))
    estimate = period_of(image, np.zeros(image.shape, dtype=bool))
    np.testing.assert_array_equal(estimate, np.float32(0.5 * (P.min_period_px + P.max_period_px)))


def test_flat_foreground_gives_a_uniform_plausible_period() -> None:
    """No ridges anywhere: one value everywhere, inside the plausible range."""
    estimate = period_of(np.full((128, 128), 90, dtype=np.uint8))
    assert float(estimate.max() - estimate.min()) < 1e-3
    assert P.min_period_px <= float(estimate[0, 0]) <= P.max_period_px


@settings(max_examples=20, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        st.tuples(st.integers(16, 160), st.integers(16, 160)),
        elements=st.integers(0, 255),
    ),
    st.floats(0.0, 1.0),
)
def test_period_is_always_within_the_plausible_range(
    image: npt.NDArray[np.uint8], fraction: float
) -> None:
    mask = np.zeros(image.shape, dtype=bool)
    mask[: max(1, round(fraction * image.shape[0]))] = True
    estimate = period_of(image, mask)
    assert estimate.shape == image.shape
    assert np.all(np.isfinite(estimate))
    assert float(estimate.min()) >= P.min_period_px
    assert float(estimate.max()) <= P.max_period_px
