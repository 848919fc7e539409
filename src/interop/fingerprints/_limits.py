"""Size limits on decoded images, checked from headers before pixels are decoded."""

from __future__ import annotations

from typing import NamedTuple

from interop.fingerprints._validate import check_positive_int
from interop.fingerprints.errors import ImageLimitError


class Limits(NamedTuple):
    """Largest pixel count and side, smallest side, of an accepted image (px)."""

    max_pixels: int
    max_side: int
    min_side: int


def limits(*, max_pixels: int, max_side: int, min_side: int) -> Limits:
    """Validated :class:`Limits`."""
    return Limits(
        max_pixels=check_positive_int(max_pixels, "max_pixels"),
        max_side=check_positive_int(max_side, "max_side"),
        min_side=check_positive_int(min_side, "min_side"),
    )


def check_dimensions(width: int, height: int, limits: Limits) -> None:
    """Refuse declared dimensions outside *limits* (before any pixel is decoded)."""
    if width > limits.max_side or height > limits.max_side:
        raise ImageLimitError(
            f"image of {width}x{height} pixels exceeds the limit of {limits.max_side} px per side"
        )
    if width * height > limits.max_pixels:
        raise ImageLimitError(
            f"image of {width}x{height} pixels exceeds the limit of {limits.max_pixels} pixels"
        )
    if width < limits.min_side or height < limits.min_side:
        raise ImageLimitError(
            f"image of {width}x{height} pixels is below the minimum of {limits.min_side} px "
            "per side: too small to be a fingerprint"
        )
