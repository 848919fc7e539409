"""Stage 2: ridge orientation (image coordinates, [0, π)) and coherence."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interop.fingerprints.extraction.normalization import normalize
from interop.fingerprints.extraction.orientation import orientation_field
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS as P
from tests.fingerprints.patterns import (
    concentric_circles,
    orientation_error,
    ridge_orientation,
    sinusoid,
    to_uint8,
)

INNER = (slice(32, -32), slice(32, -32))


def field(image: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Orientation and coherence with the engine's default parameters."""
    return orientation_field(
        normalize(image, sigma_px=P.contrast_sigma_px),
        gradient_sigma_px=P.gradient_sigma_px,
        window_sigma_px=P.orientation_sigma_px,
        smoothing_sigma_px=P.orientation_smoothing_sigma_px,
    )


@pytest.mark.parametrize("period", [7.0, 10.0, 13.0])
@pytest.mark.parametrize("phi_deg", range(0, 180, 15))
def test_sinusoid_orientation_is_perpendicular_to_the_wave(phi_deg: int, period: float) -> None:
    """Grey level varying along φ (image coordinates): ridges run along φ + 90°."""
    phi = math.radians(phi_deg)
    theta, coherence = field(to_uint8(sinusoid(160, 160, phi, period)))
    assert theta.dtype == np.float32 and coherence.dtype == np.float32
    assert theta.shape == coherence.shape == (160, 160)
    error = orientation_error(theta[INNER], ridge_orientation(phi))
    assert float(np.rad2deg(error.max())) < 2.0
    assert float(coherence[INNER].min()) > 0.95


def test_orientation_is_measured_clockwise_as_seen() -> None:
    """Ridges going down to the right as seen (y grows with x) have theta = 45°."""
    y, x = np.mgrid[0:128, 0:128].astype(np.float64)
    # constant along the line x - y = c, i.e. ridges along the direction (1, 1)
    image = to_uint8(128 + 100 * np.cos(2 * np.pi * (x - y) / (10 * math.sqrt(2))))
    theta, _ = field(image)
    assert float(np.rad2deg(orientation_error(theta[INNER], math.pi / 4).max())) < 1.0


def test_concentric_ridges_are_tangent_to_the_circles() -> None:
    size = 241
    c = 120
    theta, coherence = field(concentric_circles(size, 9.0))
    r = 70
    d = round(r / math.sqrt(2))
    expected = {  # (x, y) -> ridge orientation in image coordinates
        (c + r, c): 90.0,  # right of the centre: vertical ridges
        (c, c + r): 0.0,  # below: horizontal
        (c + d, c + d): 135.0,  # down-right as seen: the tangent goes up-right
        (c - d, c + d): 45.0,  # down-left as seen: the tangent goes down-right
        (c + d, c - d): 45.0,
    }
    for (x, y), deg in expected.items():
        assert float(np.rad2deg(orientation_error(theta[y, x], math.radians(deg)))) < 3.0
        assert coherence[y, x] > 0.8


def test_rotating_the_image_rotates_the_field(finger_images: dict) -> None:
    """np.rot90 turns the picture 90° counter-clockwise as seen: theta drops by 90°."""
    image = finger_images[(0, 0)]
    theta, _ = field(image)
    theta_rot, _ = field(np.ascontiguousarray(np.rot90(image)))
    expected = np.mod(np.rot90(theta) - np.pi / 2, np.pi)
    assert float(np.rad2deg(orientation_error(theta_rot, expected).max())) < 0.5


def test_noise_has_low_coherence() -> None:
    rng = np.random.default_rng(3)
    _, coherence = field(rng.integers(0, 256, (200, 200), dtype=np.uint8))
    assert float(np.median(coherence)) < 0.3


def test_coherence_separates_ridges_from_noise() -> None:
    """Left half ridges, right half noise of the same contrast."""
    rng = np.random.default_rng(4)
    grey = sinusoid(160, 320, 0.4, 9.0, amplitude=70)
    grey[:, 160:] = rng.normal(128, 50, (160, 160))
    _, coherence = field(to_uint8(grey))
    assert float(coherence[40:120, 20:120].min()) > 0.8
    assert float(np.median(coherence[40:120, 200:300])) < 0.3


@settings(max_examples=20, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        st.tuples(st.integers(16, 128), st.integers(16, 128)),
        elements=st.integers(0, 255),
    )
)
def test_ranges_on_any_image(image: npt.NDArray[np.uint8]) -> None:
    theta, coherence = field(image)
    assert np.all((theta >= 0) & (theta < np.pi))
    assert np.all(np.isfinite(coherence))
    assert float(coherence.min()) >= 0 and float(coherence.max()) <= 1 + 1e-4
