"""Argument checks shared by the fingerprint stages.

Each helper names the offending argument in its error, in the manner of
scikit-image's ``check_nD``, so that a caller can tell which of several
arguments was wrong.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

#: Inclusive range of scanning resolutions accepted anywhere in the engine,
#: in pixels per inch. Below 100 ppi ridges (about 0.5 mm apart) are not
#: resolved; above 2000 ppi no fingerprint sensor exists.
PPI_RANGE: tuple[float, float] = (100.0, 2000.0)


def as_gray_image(pixels: Any, name: str = "pixels") -> npt.NDArray[np.uint8]:
    """Check that *pixels* is an 8-bit grey image and return it C-contiguous.

    Parameters
    ----------
    pixels : (H, W) ndarray of uint8
        Image, rows = y (top row first), columns = x.
    name : str, optional
        Argument name used in error messages.

    Returns
    -------
    (H, W) ndarray of uint8
        *pixels* itself when already C-contiguous, else a contiguous copy.

    Raises
    ------
    TypeError
        If *pixels* is not an ndarray of dtype uint8.
    ValueError
        If *pixels* is not two-dimensional or has an empty side.

    Examples
    --------
    >>> as_gray_image(np.zeros((2, 3), dtype=np.uint8)).shape
    (2, 3)
    """
    if not isinstance(pixels, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(pixels).__name__}")
    if pixels.dtype != np.uint8:
        raise TypeError(f"{name} must have dtype uint8, got {pixels.dtype}")
    if pixels.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (H, W) array, got {pixels.ndim}-D")
    if 0 in pixels.shape:
        raise ValueError(f"{name} must not be empty, got shape {pixels.shape}")
    return np.ascontiguousarray(pixels)


def check_ppi(value: Any, name: str) -> float:
    """Check a resolution in pixels per inch and return it as a float.

    Parameters
    ----------
    value : float
        Resolution in pixels per inch (ppi, also called dpi).
    name : str
        Argument name used in error messages.

    Returns
    -------
    float
        *value*, in the inclusive range :data:`PPI_RANGE` (100 to 2000 ppi).

    Raises
    ------
    TypeError
        If *value* is not a real number (``bool`` is refused).
    ValueError
        If *value* is not finite or lies outside :data:`PPI_RANGE`.

    Examples
    --------
    >>> check_ppi(569, "source_ppi")
    569.0
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a real number of pixels per inch, got {type(value).__name__}"
        )
    result = float(value)
    low, high = PPI_RANGE
    if not math.isfinite(result) or not low <= result <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g} ppi, got {result!r}")
    return result


def check_positive_int(value: Any, name: str) -> int:
    """Check that *value* is a positive ``int`` (``bool`` is refused) and return it.

    Raises
    ------
    TypeError
        If *value* is not an integer.
    ValueError
        If *value* is zero or negative.

    Examples
    --------
    >>> check_positive_int(256, "width")
    256
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {int(value)}")
    return int(value)
