"""Stage 2: the ridge orientation field and its coherence.

Ridge orientation is perpendicular to the dominant grey-level gradient. The
gradient's structure tensor is averaged in a Gaussian window (Kass & Witkin
1987; Bazen & Gerez 2002), giving an orientation in doubled-angle form that
can be averaged without the 0/180 degree ambiguity.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt


def orientation_field(
    image: npt.NDArray[np.float32],
    *,
    gradient_sigma_px: float,
    window_sigma_px: float,
    smoothing_sigma_px: float,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Ridge orientation and coherence at every pixel.

    Parameters
    ----------
    image : (H, W) float32 ndarray
        Normalised fingerprint (see :func:`normalize`).
    gradient_sigma_px, window_sigma_px, smoothing_sigma_px : float
        Pre-smoothing before differentiation, structure-tensor window, and the
        extra smoothing of the doubled-angle field, all Gaussian sigmas in px.

    Returns
    -------
    theta : (H, W) float32 ndarray
        Ridge orientation in radians in ``[0, pi)``, **image coordinates**:
        measured from +x towards +y (y down), i.e. clockwise as seen.
    coherence : (H, W) float32 ndarray
        ``(l1 - l2) / (l1 + l2)`` of the structure tensor, 0 (isotropic) .. 1
        (perfectly parallel ridges).

    Examples
    --------
    Vertical ridges (grey level varies along x) have orientation pi/2:

    >>> import numpy as np
    >>> x = np.tile(np.sin(np.arange(64) / 9 * 2 * np.pi).astype(np.float32), (64, 1))
    >>> theta, coh = orientation_field(x, gradient_sigma_px=1, window_sigma_px=4,
    ...                                smoothing_sigma_px=2)
    >>> round(float(np.rad2deg(theta[32, 32])))
    90
    """
    img = cv2.GaussianBlur(image, (0, 0), gradient_sigma_px) if gradient_sigma_px > 0 else image
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    gxx = cv2.GaussianBlur(gx * gx, (0, 0), window_sigma_px)
    gyy = cv2.GaussianBlur(gy * gy, (0, 0), window_sigma_px)
    gxy = cv2.GaussianBlur(gx * gy, (0, 0), window_sigma_px)
    c = gxx - gyy
    s = 2.0 * gxy
    energy = gxx + gyy
    anisotropy = np.sqrt(c * c + s * s)
    coherence = anisotropy / (energy + 1e-6)
    # Average the doubled-angle vectors once more, at a larger scale, so that
    # noisy or scarred regions take the orientation of their surroundings.
    c_smooth = cv2.GaussianBlur(c, (0, 0), smoothing_sigma_px)
    s_smooth = cv2.GaussianBlur(s, (0, 0), smoothing_sigma_px)
    gradient_angle = 0.5 * np.arctan2(s_smooth, c_smooth)
    theta = np.mod(gradient_angle + np.pi / 2, np.pi).astype(np.float32)
    return theta, coherence.astype(np.float32)
