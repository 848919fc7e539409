"""Stage 1: grey-level normalisation.

Removes the sensor's slowly varying brightness and contrast so that later
stages see ridges as zero-mean, unit-contrast oscillations.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt


def normalize(pixels: npt.NDArray[np.uint8], *, sigma_px: float) -> npt.NDArray[np.float32]:
    """Zero-mean, unit-variance image under a local Gaussian window.

    Parameters
    ----------
    pixels : (H, W) uint8 ndarray
        Fingerprint at 500 ppi; ridges dark.
    sigma_px : float
        Standard deviation of the Gaussian window, pixels.

    Returns
    -------
    (H, W) float32 ndarray
        ``(I - mean) / std`` with both statistics local; ridges negative.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.tile((np.sin(np.arange(64) / 10 * 2 * np.pi) * 60 + 128).astype(np.uint8), (64, 1))
    >>> out = normalize(x, sigma_px=7.0)
    >>> bool(abs(float(out[20:44, 20:44].mean())) < 0.2)
    True
    """
    return normalize_with_contrast(pixels, sigma_px=sigma_px)[0]


def local_contrast(pixels: npt.NDArray[np.uint8], *, sigma_px: float) -> npt.NDArray[np.float32]:
    """Local standard deviation of grey levels, (H, W) float32, grey levels."""
    return normalize_with_contrast(pixels, sigma_px=sigma_px)[1]


def normalize_with_contrast(
    pixels: npt.NDArray[np.uint8], *, sigma_px: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """:func:`normalize` and :func:`local_contrast` together, from one pair of blurs.

    Returns
    -------
    normalized, contrast : (H, W) float32 ndarrays
        ``(I - mean) / (std + 1)`` and ``std``, both statistics local under
        a Gaussian window of ``sigma_px`` pixels.
    """
    img = pixels.astype(np.float32)
    mean = cv2.GaussianBlur(img, (0, 0), sigma_px)
    centred = img - mean
    var = cv2.GaussianBlur(centred * centred, (0, 0), sigma_px)
    std = np.sqrt(np.maximum(var, 0.0))
    return (centred / (std + 1.0)).astype(np.float32), std.astype(np.float32)
