"""Smooth random fields, the raw material of every random variation here."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

# The field is drawn on a grid this many times coarser than the image and
# interpolated up: the correlation lengths used are tens of pixels, so
# nothing is lost, and blurring the coarse grid is 16 times cheaper.
_COARSENING = 4


def smooth_field(
    shape: tuple[int, int], scale_px: float, rng: np.random.Generator
) -> npt.NDArray[np.float32]:
    """Gaussian random field of zero mean and unit standard deviation.

    Parameters
    ----------
    shape : (H, W)
        Output shape in pixels.
    scale_px : float
        Correlation length: the white noise is blurred by a Gaussian of this
        standard deviation (pixels).
    rng : numpy.random.Generator
        Source of randomness (the field is a pure function of its state).

    Returns
    -------
    (H, W) float32 ndarray
        Values of the field; their sample standard deviation is 1.
    """
    h, w = shape
    ch, cw = h // _COARSENING + 2, w // _COARSENING + 2
    noise = rng.standard_normal((ch, cw)).astype(np.float32)
    sigma = max(scale_px / _COARSENING, 0.5)
    coarse = cv2.GaussianBlur(noise, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    field = np.asarray(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
    field -= field.mean()
    sd = float(field.std())
    if sd > 0:
        field /= np.float32(sd)
    return field
