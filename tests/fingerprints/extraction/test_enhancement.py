"""Stage 5: contextual Gabor filtering."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from interop.fingerprints.extraction.enhancement import gabor_enhance, gabor_kernel
from interop.fingerprints.extraction.frequency import ridge_period
from interop.fingerprints.extraction.normalization import normalize
from interop.fingerprints.extraction.orientation import orientation_field
from interop.fingerprints.extraction.parameters import DEFAULT_PARAMETERS as P
from tests.fingerprints.patterns import ridge_orientation, sinusoid, to_uint8

INNER = (slice(24, -24), slice(24, -24))


def enhance(
    image: npt.NDArray[np.float32],
    theta: npt.NDArray[np.float32],
    period: npt.NDArray[np.float32],
    mask: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float32]:
    if mask is None:
        mask = np.ones(image.shape, dtype=bool)
    return gabor_enhance(
        image,
        theta,
        period,
        mask,
        n_orientations=P.gabor_orientations,
        periods_px=P.gabor_periods_px,
        sigma_along_px=P.gabor_sigma_along_px,
        sigma_across_px=P.gabor_sigma_across_px,
    )


def correlation(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


# --- the kernel ---------------------------------------------------------------


@pytest.mark.parametrize(("sigma_along", "sigma_across"), [(4.5, 4.0), (2.0, 3.1), (5.0, 1.0)])
def test_kernel_shape_zero_mean_and_even(sigma_along: float, sigma_across: float) -> None:
    kernel = gabor_kernel(0.7, 9.0, sigma_along, sigma_across)
    side = 2 * math.ceil(3 * max(sigma_along, sigma_across)) + 1
    assert kernel.shape == (side, side) and kernel.dtype == np.float32
    assert abs(float(kernel.sum())) < 1e-4 * float(np.abs(kernel).sum())
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], atol=1e-7)


def test_kernel_turns_with_theta() -> None:
    """Rotating the ridge orientation by 90° transposes the kernel."""
    horizontal = gabor_kernel(0.0, 9.0, 4.5, 4.0)
    vertical = gabor_kernel(math.pi / 2, 9.0, 4.5, 4.0)
    np.testing.assert_allclose(vertical, horizontal.T, atol=1e-6)
    # horizontal ridges: constant along x through the centre, oscillating along y
    c = horizontal.shape[0] // 2
    assert float(horizontal[c, c]) > 0
    assert np.all(np.diff(horizontal[c, c:]) < 0)  # only the envelope decays along the ridge
    assert float(horizontal[c + 4, c]) < 0  # half a period (4.5 px) across: a valley


@pytest.mark.parametrize("phi_deg", [0, 40, 90, 120])
def test_kernel_prefers_its_own_orientation(phi_deg: float) -> None:
    import cv2

    phi = math.radians(phi_deg)
    image = sinusoid(96, 96, phi, 9.0, amplitude=1.0, mean=0.0).astype(np.float32)
    matched = gabor_kernel(ridge_orientation(phi), 9.0, 4.5, 4.0)
    crossed = gabor_kernel(ridge_orientation(phi + math.pi / 2), 9.0, 4.5, 4.0)
    inner = (slice(20, -20), slice(20, -20))
    r_matched = cv2.filter2D(image, cv2.CV_32F, matched)[inner]
    r_crossed = cv2.filter2D(image, cv2.CV_32F, crossed)[inner]
    assert float(np.abs(r_matched).max()) > 10 * float(np.abs(r_crossed).max())
    assert correlation(r_matched, image[inner]) > 0.99  # even filter: no phase shift


# --- the contextual filter ----------------------------------------------------


def noisy_sinusoid(seed: int, phi: float, period: float, noise: float) -> tuple:
    rng = np.random.default_rng(seed)
    clean = sinusoid(160, 160, phi, period, amplitude=60)
    noisy = to_uint8(clean + rng.normal(0, noise, clean.shape))
    return clean, normalize(noisy, sigma_px=P.contrast_sigma_px)


@pytest.mark.parametrize(("phi_deg", "period", "seed"), [(35, 9.0, 0), (100, 7.0, 1), (0, 11.5, 2)])
def test_enhancement_restores_a_noisy_sinusoid(phi_deg: float, period: float, seed: int) -> None:
    """With the true orientation and period, the output is much closer to the clean image."""
    phi = math.radians(phi_deg)
    clean, image = noisy_sinusoid(seed, phi, period, noise=70)
    theta = np.full(image.shape, ridge_orientation(phi), dtype=np.float32)
    out = enhance(image, theta, np.full(image.shape, period, dtype=np.float32))
    before = correlation(image[INNER], clean[INNER])
    after = correlation(out[INNER], clean[INNER])
    assert before < 0.7
    assert after > 0.95 and after > before + 0.25


def test_enhancement_with_estimated_orientation_and_period() -> None:
    """The stages chained as in extract(): noisy in, clean ridges out."""
    phi = math.radians(-25)
    clean, image = noisy_sinusoid(5, phi, 9.0, noise=70)
    mask = np.ones(image.shape, dtype=bool)
    theta, _ = orientation_field(
        image,
        gradient_sigma_px=P.gradient_sigma_px,
        window_sigma_px=P.orientation_sigma_px,
        smoothing_sigma_px=P.orientation_smoothing_sigma_px,
    )
    period = ridge_period(
        image,
        mask,
        step_px=P.block_px,
        window_px=P.frequency_window_px,
        min_period_px=P.min_period_px,
        max_period_px=P.max_period_px,
        smoothing_sigma_blocks=P.frequency_smoothing_sigma_blocks,
    )
    out = enhance(image, theta, period, mask)
    assert correlation(out[INNER], clean[INNER]) > 0.9
    assert correlation(out[INNER], clean[INNER]) > correlation(image[INNER], clean[INNER]) + 0.25


def test_each_pixel_uses_its_own_orientation() -> None:
    """Two halves with crossed ridges, each filtered along its own orientation."""
    rng = np.random.default_rng(7)
    phi_left, phi_right = 0.2, 0.2 + math.pi / 2
    clean = sinusoid(160, 240, phi_left, 9.0, amplitude=60)
    clean[:, 120:] = sinusoid(160, 120, phi_right, 9.0, amplitude=60)
    image = normalize(to_uint8(clean + rng.normal(0, 50, clean.shape)), sigma_px=7.0)
    theta = np.full(image.shape, ridge_orientation(phi_left), dtype=np.float32)
    theta[:, 120:] = ridge_orientation(phi_right)
    out = enhance(image, theta, np.full(image.shape, 9.0, dtype=np.float32))
    left, right = (slice(20, -20), slice(20, 100)), (slice(20, -20), slice(140, 220))
    assert correlation(out[left], clean[left]) > 0.9
    assert correlation(out[right], clean[right]) > 0.9


def test_output_is_zero_outside_the_mask() -> None:
    clean, image = noisy_sinusoid(3, 0.4, 9.0, noise=10)
    mask = np.zeros(image.shape, dtype=bool)
    mask[40:120, 30:100] = True
    theta = np.full(image.shape, ridge_orientation(0.4), dtype=np.float32)
    out = enhance(image, theta, np.full(image.shape, 9.0, dtype=np.float32), mask)
    assert out.dtype == np.float32 and out.shape == image.shape
    assert not out[~mask].any()
    assert correlation(out[mask], clean[mask]) > 0.95  # ridges stay negative


def test_empty_mask_gives_zeros() -> None:
    image = np.ones((64, 64), dtype=np.float32)
    zeros = np.zeros((64, 64), dtype=np.float32)
    out = enhance(image, zeros, zeros + 9, np.zeros((64, 64), dtype=bool))
    assert not out.any()
