"""Stage 1: local grey-level normalisation and local contrast."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interop.fingerprints.extraction.normalization import local_contrast, normalize
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS
from tests.fingerprints.patterns import sinusoid, to_uint8

SIGMA = DEFAULT_PARAMETERS.contrast_sigma_px
INNER = (slice(32, -32), slice(32, -32))  # away from the reflected borders


@pytest.mark.parametrize("period", [6.0, 9.0, 13.0])
@pytest.mark.parametrize("phi_deg", [0, 35, 90, 140])
def test_sinusoid_becomes_zero_mean_unit_variance(period: float, phi_deg: float) -> None:
    image = to_uint8(sinusoid(160, 160, math.radians(phi_deg), period, amplitude=90, mean=120))
    out = normalize(image, sigma_px=SIGMA)
    assert out.shape == image.shape and out.dtype == np.float32
    inner = out[INNER]
    assert abs(float(inner.mean())) < 0.06
    assert 0.93 < float(inner.std()) < 1.02


def test_ridges_are_negative() -> None:
    """Dark ridges map to negative values: the output follows the centred input."""
    grey = sinusoid(128, 128, 0.3, 9.0)
    out = normalize(to_uint8(grey), sigma_px=SIGMA)
    centred = grey - 128
    assert np.corrcoef(out[INNER].ravel(), centred[INNER].ravel())[0, 1] > 0.99
    dark = grey[INNER] < 60
    assert np.all(out[INNER][dark] < 0)


def test_invariant_to_a_brightness_offset() -> None:
    grey = sinusoid(128, 128, 1.0, 10.0, amplitude=60, mean=100)
    a = normalize(to_uint8(grey), sigma_px=SIGMA)
    b = normalize(to_uint8(grey + 50), sigma_px=SIGMA)
    np.testing.assert_allclose(a, b, atol=1e-3)


def test_nearly_invariant_to_contrast() -> None:
    """Halving the contrast changes the output only through the +1 noise floor."""
    strong = normalize(to_uint8(sinusoid(128, 128, 2.0, 8.0, amplitude=100)), sigma_px=SIGMA)
    weak = normalize(to_uint8(sinusoid(128, 128, 2.0, 8.0, amplitude=50)), sigma_px=SIGMA)
    assert float(np.abs(strong - weak)[INNER].max()) < 0.05


def test_local_brightness_gradient_is_removed() -> None:
    """A slow illumination ramp across the image does not survive normalisation."""
    y, x = np.mgrid[0:160, 0:160]
    ramp = 40 + 0.9 * x  # 40 .. 183 grey levels from left to right
    image = to_uint8(ramp + 35 * np.sin(2 * np.pi * y / 9.0))
    out = normalize(image, sigma_px=SIGMA)[INNER]
    left, right = out[:, :20], out[:, -20:]
    assert abs(float(left.mean()) - float(right.mean())) < 0.1
    assert abs(float(left.std()) - float(right.std())) < 0.1


@pytest.mark.parametrize("level", [0, 77, 255])
def test_flat_image_normalises_to_zero(level: int) -> None:
    out = normalize(np.full((80, 90), level, dtype=np.uint8), sigma_px=SIGMA)
    assert np.all(np.isfinite(out))
    assert float(np.abs(out).max()) < 1e-3


def test_local_contrast_of_a_sinusoid_is_its_rms() -> None:
    amplitude = 80.0
    contrast = local_contrast(
        to_uint8(sinusoid(160, 160, 0.7, 9.0, amplitude=amplitude)), sigma_px=SIGMA
    )
    assert contrast.dtype == np.float32 and contrast.shape == (160, 160)
    rms = amplitude / math.sqrt(2)
    np.testing.assert_allclose(contrast[INNER], rms, rtol=0.05)


def test_local_contrast_is_local() -> None:
    """Flat background far from the pattern has (almost) no contrast."""
    grey = np.full((160, 320), 200.0)
    grey[:, :160] = sinusoid(160, 160, 0.0, 9.0)
    contrast = local_contrast(to_uint8(grey), sigma_px=SIGMA)
    assert float(contrast[40:120, 40:120].min()) > 50
    assert float(contrast[:, 220:].max()) < 1.0


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        st.tuples(st.integers(8, 96), st.integers(8, 96)),
        elements=st.integers(0, 255),
    )
)
def test_any_image_gives_finite_bounded_output(image: np.ndarray) -> None:
    out = normalize(image, sigma_px=SIGMA)
    contrast = local_contrast(image, sigma_px=SIGMA)
    assert out.shape == image.shape == contrast.shape
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(contrast))
    # |I - mean| is at most sqrt(2π) σ local standard deviations (one bright
    # pixel in the dark is the extreme case)
    assert float(np.abs(out).max()) <= math.sqrt(2 * math.pi) * SIGMA
    assert float(contrast.min()) >= 0 and float(contrast.max()) <= 255
