"""Local and whole-image quality.

Quality here is how well ridges are defined where they are: the orientation
coherence, damped where grey-level contrast is weak. It ranks minutiae (the
matcher may weight them) and gives the 0-100 image score.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def quality_map(
    coherence: npt.NDArray[np.float32],
    contrast: npt.NDArray[np.float32],
    mask: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float32]:
    """Local quality 0..1, (H, W) float32; 0 outside ``mask``.

    ``coherence * min(1, contrast / c_ref)`` where ``c_ref`` is half the
    median foreground contrast.
    """
    if not mask.any():
        return np.zeros(coherence.shape, dtype=np.float32)
    c_ref = 0.5 * float(np.median(contrast[mask])) + 1e-6
    q = np.clip(coherence, 0, 1) * np.minimum(1.0, contrast / c_ref)
    return np.where(mask, q, 0).astype(np.float32)


def image_quality(q: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_], n_minutiae: int) -> int:
    """Whole-image quality 0..100.

    The mean local quality over the foreground, scaled down for small
    contact areas (below 60,000 px, about 15 x 15 mm at 500 ppi) and for
    few minutiae (below 25).
    """
    area = int(mask.sum())
    if area == 0:
        return 0
    mean_q = float(q[mask].mean())
    area_factor = min(1.0, area / 60_000)
    count_factor = min(1.0, n_minutiae / 25)
    return round(100 * mean_q * float(np.sqrt(area_factor * count_factor)))
