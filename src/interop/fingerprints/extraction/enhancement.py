"""Stage 5: contextual (Gabor) filtering.

Each pixel is filtered by the even-symmetric Gabor filter tuned to its own
ridge orientation and period (Hong, Wan & Jain 1998). The image is filtered
once per (orientation, period) bin of a small bank and each pixel takes the
response of its bin; bins that no foreground pixel uses are skipped.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import numpy.typing as npt


@functools.lru_cache(maxsize=256)
def gabor_kernel(
    theta_rad: float, period_px: float, sigma_along_px: float, sigma_across_px: float
) -> npt.NDArray[np.float32]:
    """Even-symmetric, zero-mean Gabor kernel for ridges of orientation ``theta_rad``.

    ``theta_rad`` is in image coordinates (see :func:`orientation_field`);
    the cosine oscillates across the ridges with the given period. Returns a
    square (K, K) float32 kernel, K = 2 * ceil(3 * max sigma) + 1.
    """
    radius = int(np.ceil(3 * max(sigma_along_px, sigma_across_px)))
    ys, xs = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float64)
    along = xs * np.cos(theta_rad) + ys * np.sin(theta_rad)
    across = -xs * np.sin(theta_rad) + ys * np.cos(theta_rad)
    envelope = np.exp(-0.5 * (along**2 / sigma_along_px**2 + across**2 / sigma_across_px**2))
    kernel = envelope * np.cos(2 * np.pi * across / period_px)
    kernel -= envelope * (kernel.sum() / envelope.sum())  # zero DC response
    # Unit energy: neighbouring pixels filtered with different kernels then
    # respond with comparable amplitude, so bin boundaries draw no seams.
    kernel /= np.sqrt((kernel**2).sum())
    out: npt.NDArray[np.float32] = kernel.astype(np.float32)
    return out


def gabor_enhance(
    image: npt.NDArray[np.float32],
    theta: npt.NDArray[np.float32],
    period: npt.NDArray[np.float32],
    mask: npt.NDArray[np.bool_],
    *,
    n_orientations: int,
    periods_px: tuple[float, ...],
    sigma_along_px: float,
    sigma_across_px: float,
) -> npt.NDArray[np.float32]:
    """Gabor-filtered image, ridges negative, 0 outside ``mask``.

    Parameters
    ----------
    image : (H, W) float32 ndarray
        Normalised fingerprint, ridges negative.
    theta : (H, W) float32 ndarray
        Ridge orientation, radians in [0, pi), image coordinates.
    period : (H, W) float32 ndarray
        Ridge period, pixels.
    mask : (H, W) bool ndarray
        Foreground.
    n_orientations : int
        Orientation bins over [0, pi).
    periods_px : tuple of float
        Period bins; each pixel uses the nearest.

    Returns
    -------
    (H, W) float32 ndarray
    """
    o_bin = np.rint(theta / (np.pi / n_orientations)).astype(np.int32) % n_orientations
    periods = np.asarray(periods_px, dtype=np.float32)
    p_bin = np.argmin(np.abs(period[..., None] - periods[None, None, :]), axis=2).astype(np.int32)
    code = o_bin * len(periods) + p_bin
    out = np.zeros(image.shape, dtype=np.float32)
    used = np.unique(code[mask])
    for c in used:
        o, p = divmod(int(c), len(periods))
        kernel = gabor_kernel(
            o * np.pi / n_orientations, float(periods[p]), sigma_along_px, sigma_across_px
        )
        where = mask & (code == c)
        # filter only the bounding box (plus the kernel radius) of the pixels using this bin
        rows = np.flatnonzero(where.any(axis=1))
        cols = np.flatnonzero(where.any(axis=0))
        r = kernel.shape[0] // 2
        r0, r1 = max(rows[0] - r, 0), min(rows[-1] + r + 1, image.shape[0])
        c0, c1 = max(cols[0] - r, 0), min(cols[-1] + r + 1, image.shape[1])
        response = cv2.filter2D(
            image[r0:r1, c0:c1], cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT
        )
        sub = where[r0:r1, c0:c1]
        out[r0:r1, c0:c1][sub] = response[sub]
    return out
