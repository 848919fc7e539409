"""Stage 3: the foreground mask, where there is usable fingerprint.

A pixel is foreground when its local grey-level contrast is a sizeable
fraction of the image's strong contrast and its ridges have a dominant
orientation. The mask is then cleaned morphologically and reduced to its
largest connected region with holes filled, which is what a finger contact
looks like.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from scipy import ndimage


def foreground_mask(
    contrast: npt.NDArray[np.float32],
    coherence: npt.NDArray[np.float32],
    *,
    contrast_ratio: float,
    coherence_min: float,
    smoothing_px: int,
) -> npt.NDArray[np.bool_]:
    """Boolean foreground mask.

    Parameters
    ----------
    contrast : (H, W) float32 ndarray
        Local standard deviation of grey levels.
    coherence : (H, W) float32 ndarray
        Orientation coherence, 0..1.
    contrast_ratio : float
        Fraction of the 95th-percentile contrast a pixel must reach.
    coherence_min : float
        Minimum orientation coherence.
    smoothing_px : int
        Radius of the structuring element of the morphological clean-up.

    Returns
    -------
    (H, W) bool ndarray
    """
    reference = float(np.percentile(contrast, 95))
    if reference <= 0:
        return np.zeros(contrast.shape, dtype=bool)
    raw = (contrast > contrast_ratio * reference) & (coherence >= coherence_min)
    k = 2 * smoothing_px + 1
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    closed = cv2.morphologyEx(raw.astype(np.uint8), cv2.MORPH_CLOSE, disk)
    m = cv2.morphologyEx(closed, cv2.MORPH_OPEN, disk)
    labels, n = ndimage.label(m)
    if n == 0:
        return np.zeros(contrast.shape, dtype=bool)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    largest = labels == int(np.argmax(sizes))
    return np.asarray(ndimage.binary_fill_holes(largest), dtype=bool)


def inner_mask(mask: npt.NDArray[np.bool_], *, margin_px: int) -> npt.NDArray[np.bool_]:
    """The mask shrunk by ``margin_px`` pixels, and never touching the image edge."""
    m = mask.astype(np.uint8)
    m[:1, :] = 0
    m[-1:, :] = 0
    m[:, :1] = 0
    m[:, -1:] = 0
    k = 2 * margin_px + 1
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.erode(m, disk).astype(bool)
