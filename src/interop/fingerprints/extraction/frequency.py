"""Stage 4: the local ridge period.

Each block's windowed spectrum has a ring of energy at the ridge frequency;
the ring's radius (with parabolic sub-bin interpolation) gives the period.
All blocks are transformed in one batched FFT. Unreliable blocks (background,
no clear peak) are filled from their neighbours by normalised convolution.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import numpy.typing as npt
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view

from interop.fingerprints.extraction.parameters import FFT_SIZE_PX

_FFT_SIZE = FFT_SIZE_PX  # zero-padded transform size: halves the radial bin width


@functools.cache
def _ring_weights() -> npt.NDArray[np.float32]:
    """(64 * 33, 33) matrix averaging an rfft2 power spectrum over rings of integer radius."""
    fy = np.fft.fftfreq(_FFT_SIZE)[:, None] * _FFT_SIZE
    fx = np.fft.rfftfreq(_FFT_SIZE)[None, :] * _FFT_SIZE
    r_max = _FFT_SIZE // 2
    radius = np.minimum(np.rint(np.sqrt(fx * fx + fy * fy)).astype(np.int64), r_max).ravel()
    weights = np.zeros((radius.size, r_max + 1), dtype=np.float32)
    weights[np.arange(radius.size), radius] = 1.0
    normalised: npt.NDArray[np.float32] = weights / np.maximum(
        weights.sum(axis=0, keepdims=True), np.float32(1.0)
    )
    return normalised


def ridge_period(
    image: npt.NDArray[np.float32],
    mask: npt.NDArray[np.bool_],
    *,
    step_px: int,
    window_px: int,
    min_period_px: float,
    max_period_px: float,
    smoothing_sigma_blocks: float,
) -> npt.NDArray[np.float32]:
    """Local ridge period, pixels, at every pixel.

    Parameters
    ----------
    image : (H, W) float32 ndarray
        Normalised fingerprint.
    mask : (H, W) bool ndarray
        Foreground.
    step_px, window_px : int
        Block grid step and spectral window side (``window_px`` <= 64).
    min_period_px, max_period_px : float
        Range of plausible ridge periods.
    smoothing_sigma_blocks : float
        Gaussian smoothing of the block map, in blocks.

    Returns
    -------
    (H, W) float32 ndarray
        Ridge period in pixels (inverse of the ridge frequency), clipped to
        ``[min_period_px, max_period_px]``.
    """
    h, w = image.shape
    half = window_px // 2
    padded = np.pad(image, half, mode="reflect")
    gh, gw = -(-h // step_px), -(-w // step_px)
    windows = sliding_window_view(padded, (window_px, window_px))[::step_px, ::step_px][:gh, :gw]
    block_mask = mask[::step_px, ::step_px][:gh, :gw]
    if not block_mask.any():
        fallback = np.float32(0.5 * (min_period_px + max_period_px))
        return np.full((h, w), fallback, dtype=np.float32)
    # only foreground blocks are transformed
    blocks = windows[block_mask]
    hann = np.outer(np.hanning(window_px), np.hanning(window_px)).astype(np.float32)
    # scipy's FFT: about three times NumPy's on these small batched transforms
    spectrum = scipy.fft.rfft2(blocks * hann, s=(_FFT_SIZE, _FFT_SIZE))
    power = spectrum.real**2 + spectrum.imag**2
    r_max = _FFT_SIZE // 2
    ring = power.reshape(power.shape[0], -1) @ _ring_weights()  # (n_blocks, r_max + 1)

    lo = int(np.floor(_FFT_SIZE / max_period_px))
    hi = int(np.ceil(_FFT_SIZE / min_period_px))
    lo, hi = max(lo, 2), min(hi, r_max - 1)
    band = ring[:, lo : hi + 1]
    k = np.argmax(band, axis=1) + lo
    idx = np.arange(ring.shape[0])
    if idx.size == 0:
        fallback = np.float32(0.5 * (min_period_px + max_period_px))
        return np.full((h, w), fallback, dtype=np.float32)
    left, centre, right = ring[idx, k - 1], ring[idx, k], ring[idx, k + 1]
    denom = left - 2 * centre + right
    offset = np.divide(
        0.5 * (left - right), denom, out=np.zeros_like(denom), where=np.abs(denom) > 1e-12
    )
    radius_peak = k + np.clip(offset, -0.5, 0.5)
    period = np.zeros((gh, gw))
    period[block_mask] = _FFT_SIZE / radius_peak
    # a clear peak stands well above the band's mean
    peakiness = np.zeros((gh, gw))
    peakiness[block_mask] = centre / (band.mean(axis=1) + 1e-12)

    reliable = (
        block_mask & (peakiness > 1.5) & (period >= min_period_px) & (period <= max_period_px)
    )
    weights = reliable.astype(np.float32)
    values = np.where(reliable, period, 0.0).astype(np.float32)
    if weights.sum() == 0:
        fallback = np.float32(0.5 * (min_period_px + max_period_px))
        return np.full((h, w), fallback, dtype=np.float32)
    sigma = smoothing_sigma_blocks
    num = cv2.GaussianBlur(values * weights, (0, 0), sigma)
    den = cv2.GaussianBlur(weights, (0, 0), sigma)
    median = float(np.median(period[reliable]))
    smooth = np.where(den > 1e-3, num / np.maximum(den, 1e-6), median).astype(np.float32)
    full = cv2.resize(smooth, (gw * step_px, gh * step_px), interpolation=cv2.INTER_LINEAR)
    full = full[:h, :w]
    return np.clip(full, min_period_px, max_period_px).astype(np.float32)
