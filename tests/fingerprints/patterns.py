"""Synthetic inputs for the extraction and matcher tests (no test functions here).

Conventions, as in :mod:`interop.fingerprints.template`: ``x`` is the column
(to the right), ``y`` the row (downwards). *Image-coordinate* angles are
measured from +x towards +y (clockwise as seen, the convention of the
extraction stages); *ISO* angles counter-clockwise as seen, direction vector
``(cos a, -sin a)`` (the convention of templates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from interop.fingerprints.template import Template


def to_uint8(values: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Round and clip to an 8-bit grey image."""
    return np.clip(np.rint(np.asarray(values, dtype=np.float64)), 0, 255).astype(np.uint8)


def sinusoid(
    height: int,
    width: int,
    phi_rad: float,
    period_px: float,
    *,
    amplitude: float = 100.0,
    mean: float = 128.0,
) -> npt.NDArray[np.float64]:
    """``mean + amplitude * sin(2π (x cos φ + y sin φ) / period)``.

    The grey level varies along the image-coordinate direction ``φ``, so the
    ridges (and valleys) run along ``φ + 90°`` in image coordinates.
    """
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    phase = 2 * np.pi * (x * np.cos(phi_rad) + y * np.sin(phi_rad)) / period_px
    out: npt.NDArray[np.float64] = mean + amplitude * np.sin(phase)
    return out


def ridge_orientation(phi_rad: float) -> float:
    """Image-coordinate ridge orientation in [0, π) of :func:`sinusoid` (φ + 90°)."""
    return float(np.mod(phi_rad + np.pi / 2, np.pi))


def orientation_error(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Absolute difference of orientations (mod π), radians in [0, π/2]."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    out: npt.NDArray[np.float64] = np.abs(np.angle(np.exp(2j * d))) / 2
    return out


def direction_error(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Absolute difference of directions (mod 2π), radians in [0, π]."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    out: npt.NDArray[np.float64] = np.abs(np.angle(np.exp(1j * d)))
    return out


def parallel_ridges(
    size: int,
    alpha_rad: float,
    period_px: float,
    gaps: Sequence[tuple[int, float, float]] = (),
    *,
    invert: bool = False,
) -> npt.NDArray[np.uint8]:
    """Square image of straight dark ridges running along ISO angle ``alpha_rad``.

    Ridge ``k`` (an integer, 0 through the image centre) is the line
    ``across = k * period_px``. Each gap ``(k, a0, a1)`` erases ridge ``k``
    (fills it with valley grey) where its along-ridge coordinate, measured
    from the centre in the direction ``(cos α, -sin α)``, is in ``[a0, a1]``.
    With ``invert`` the grey levels are inverted: each erased ridge becomes
    a valley enclosed by two ridges that fork at the gap's ends.
    """
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    c = (size - 1) / 2
    along = (x - c) * np.cos(alpha_rad) - (y - c) * np.sin(alpha_rad)
    across = (x - c) * np.sin(alpha_rad) + (y - c) * np.cos(alpha_rad)
    grey = 128 - 100 * np.cos(2 * np.pi * across / period_px)
    for k, a0, a1 in gaps:
        band = (np.abs(across - k * period_px) < period_px / 2) & (along >= a0) & (along <= a1)
        grey[band] = 228
    if invert:
        grey = 255 - grey
    return to_uint8(grey)


def gap_ends(
    size: int, alpha_rad: float, period_px: float, gaps: Sequence[tuple[int, float, float]]
) -> list[tuple[float, float, float]]:
    """``(x, y, iso_angle)`` of the two ridge endings at each gap of :func:`parallel_ridges`.

    An ending's direction points along the ridge, away from the gap (into
    the ridge that remains): ``α + π`` at ``a0``, ``α`` at ``a1``.
    """
    c = (size - 1) / 2
    u = np.array([np.cos(alpha_rad), -np.sin(alpha_rad)])  # along the ridge
    n = np.array([np.sin(alpha_rad), np.cos(alpha_rad)])  # across, to increasing k
    out: list[tuple[float, float, float]] = []
    for k, a0, a1 in gaps:
        for a, angle in ((a0, alpha_rad + np.pi), (a1, alpha_rad)):
            p = c + a * u + k * period_px * n
            out.append((float(p[0]), float(p[1]), float(np.mod(angle, 2 * np.pi))))
    return out


def concentric_circles(
    size: int, period_px: float, *, centre: tuple[float, float] | None = None
) -> npt.NDArray[np.uint8]:
    """Ridges on circles around ``centre`` (``(x, y)``, default the image centre)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    cx, cy = centre if centre is not None else ((size - 1) / 2, (size - 1) / 2)
    r = np.hypot(x - cx, y - cy)
    return to_uint8(128 + 100 * np.sin(2 * np.pi * r / period_px))


def random_template(
    rng: np.random.Generator,
    n: int,
    *,
    width: int = 300,
    height: int = 400,
    margin: float = 20.0,
    resolution_ppi: int = 500,
) -> Template:
    """``n`` uniformly random minutiae (types ENDING/BIFURCATION) inside the image."""
    return Template.from_arrays(
        rng.uniform(margin, width - margin, n),
        rng.uniform(margin, height - margin, n),
        rng.uniform(0, 2 * np.pi, n),
        type=rng.integers(1, 3, n),
        quality=rng.integers(1, 101, n),
        width=width,
        height=height,
        resolution_ppi=resolution_ppi,
    )


def well_spread_template(rng: np.random.Generator, n: int = 36) -> Template:
    """``n`` minutiae on a jittered grid (about 40 px apart), random directions."""
    side = math.ceil(math.sqrt(n))
    gy, gx = np.divmod(np.arange(n), side)
    x = 60 + 40 * gx + rng.uniform(-8, 8, n)
    y = 60 + 40 * gy + rng.uniform(-8, 8, n)
    return Template.from_arrays(
        x,
        y,
        rng.uniform(0, 2 * np.pi, n),
        type=rng.integers(1, 3, n),
        quality=rng.integers(40, 101, n),
        width=int(x.max()) + 60,
        height=int(y.max()) + 60,
    )


def rigid_motion(
    template: Template,
    rotation_rad: float,
    dx: float,
    dy: float,
    *,
    centre: tuple[float, float] | None = None,
) -> Template:
    """``template`` rotated counter-clockwise as seen about ``centre``, then shifted.

    Minutia directions turn by the same angle (ISO angles are counter-clockwise
    as seen, so they simply add).
    """
    m = template.minutiae
    cx, cy = centre if centre is not None else (template.width / 2, template.height / 2)
    x = m["x"].astype(np.float64) - cx
    y = m["y"].astype(np.float64) - cy
    c, s = math.cos(rotation_rad), math.sin(rotation_rad)
    # counter-clockwise as seen is counter-clockwise in the y-up frame (x, -y)
    xr = c * x + s * y
    yr = -s * x + c * y
    return Template.from_arrays(
        xr + cx + dx,
        yr + cy + dy,
        m["angle"].astype(np.float64) + rotation_rad,
        type=m["type"],
        quality=m["quality"],
        width=template.width,
        height=template.height,
        resolution_ppi=template.resolution_ppi,
    )


def rescaled(template: Template, resolution_ppi: int) -> Template:
    """The same minutiae expressed in pixels at another resolution."""
    f = resolution_ppi / template.resolution_ppi
    m = template.minutiae
    return Template.from_arrays(
        m["x"].astype(np.float64) * f,
        m["y"].astype(np.float64) * f,
        m["angle"],
        type=m["type"],
        quality=m["quality"],
        width=round(template.width * f),
        height=round(template.height * f),
        resolution_ppi=resolution_ppi,
    )


def shared_minutiae(
    rng: np.random.Generator, a: Template, k: int, *, jitter_px: float = 1.5
) -> Template:
    """A template sharing its first ``k`` minutiae with ``a`` (jittered); the rest random."""
    other = random_template(rng, len(a), width=a.width, height=a.height)
    ma, mo = a.minutiae, other.minutiae
    return Template.from_arrays(
        np.concatenate([ma["x"][:k] + rng.normal(0, jitter_px, k), mo["x"][k:]]),
        np.concatenate([ma["y"][:k] + rng.normal(0, jitter_px, k), mo["y"][k:]]),
        np.concatenate([ma["angle"][:k] + rng.normal(0, 0.05, k), mo["angle"][k:]]),
        type=np.concatenate([ma["type"][:k], mo["type"][k:]]),
        width=a.width,
        height=a.height,
    )
