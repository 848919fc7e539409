"""The master orientation field: pattern class, singular points, ridge flow.

Ridge flow follows the zero-pole model of Sherlock & Monro (1993): with
``z = x + iy`` a pixel, ``c_i`` the cores and ``d_j`` the deltas,

    theta(z) = 1/2 * sum_i arg(z - c_i) - 1/2 * sum_j arg(z - d_j) + theta_0

(mod pi). The formula holds unchanged in image coordinates (y down, angles
from +x towards +y), because mirroring the y axis negates every term. A plain
arch has no singular point and gets its own smooth bump-shaped field. As in
SFinGe (Cappelli, Maio & Maltoni 2000) a smooth random correction keeps the
flow from looking too regular.

Orientation convention (as :func:`interop.fingerprints.extraction.extract`
uses internally): radians in ``[0, pi)``, **image coordinates**, measured
from +x towards +y (clockwise as seen); rows are y.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interop.fingerprints.synth._noise import smooth_field
from interop.fingerprints.synth.parameters import MasterParameters


class PatternClass(enum.Enum):
    """Henry pattern classes, as in NIST SD4 and SFinGe.

    A *right loop*'s ridges enter and leave on the right of the image (its
    delta is on the left); a *left loop* is the mirror image.
    """

    ARCH = "arch"
    TENTED_ARCH = "tented_arch"
    LEFT_LOOP = "left_loop"
    RIGHT_LOOP = "right_loop"
    WHORL = "whorl"


CLASS_FREQUENCIES: dict[PatternClass, float] = {
    PatternClass.ARCH: 0.037,
    PatternClass.TENTED_ARCH: 0.029,
    PatternClass.LEFT_LOOP: 0.338,
    PatternClass.RIGHT_LOOP: 0.317,
    PatternClass.WHORL: 0.279,
}
"""Natural class frequencies (Wilson, Candela & Watson 1994; used by SFinGe)."""


@dataclass(frozen=True)
class SingularPoints:
    """Cores and deltas of a master fingerprint.

    Attributes
    ----------
    cores, deltas : (K, 2) float64 ndarray
        ``(x, y)`` positions in pixels (500 ppi, origin top-left, y down).
    """

    cores: npt.NDArray[np.float64]
    deltas: npt.NDArray[np.float64]


def sample_pattern_class(rng: np.random.Generator) -> PatternClass:
    """Draw a pattern class with the natural frequencies :data:`CLASS_FREQUENCIES`."""
    classes = list(CLASS_FREQUENCIES)
    p = np.array([CLASS_FREQUENCIES[c] for c in classes])
    return classes[int(rng.choice(len(classes), p=p / p.sum()))]


def place_singular_points(
    pattern: PatternClass,
    centre_xy: tuple[float, float],
    rng: np.random.Generator,
    params: MasterParameters,
) -> SingularPoints:
    """Random, class-typical positions of the cores and deltas.

    Parameters
    ----------
    pattern : PatternClass
        The class decides how many points and where (an arch has none).
    centre_xy : (float, float)
        Centre of the fingertip, pixels ``(x, y)``.
    rng : numpy.random.Generator
    params : MasterParameters
        The ranges used (``loop_*``, ``tented_*``, ``whorl_*``).

    Returns
    -------
    SingularPoints
    """
    cx, cy = centre_xy
    p = params

    def u(r: tuple[float, float]) -> float:
        return float(rng.uniform(*r))

    cores: list[tuple[float, float]] = []
    deltas: list[tuple[float, float]] = []
    if pattern in (PatternClass.LEFT_LOOP, PatternClass.RIGHT_LOOP):
        core = (cx + float(rng.normal(0.0, p.loop_core_dx_sd_px)), cy + u(p.loop_core_dy_px))
        # a right loop opens to the right, so its delta sits on the left
        side = -1.0 if pattern is PatternClass.RIGHT_LOOP else 1.0
        cores.append(core)
        deltas.append(
            (core[0] + side * u(p.loop_delta_side_px), core[1] + u(p.loop_delta_below_core_px))
        )
    elif pattern is PatternClass.TENTED_ARCH:
        core = (cx + float(rng.normal(0.0, p.loop_core_dx_sd_px)), cy + u(p.tented_core_dy_px))
        cores.append(core)
        deltas.append(
            (
                core[0] + float(rng.normal(0.0, p.tented_delta_dx_sd_px)),
                core[1] + u(p.tented_delta_below_core_px),
            )
        )
    elif pattern is PatternClass.WHORL:
        mx = cx + float(rng.normal(0.0, p.loop_core_dx_sd_px))
        my = cy + u(p.whorl_centre_dy_px)
        half = 0.5 * u(p.whorl_core_separation_px)
        tilt = u(p.whorl_core_tilt_rad)
        dx, dy = half * np.cos(tilt), half * np.sin(tilt)
        cores += [(mx - dx, my - dy), (mx + dx, my + dy)]
        below = my + u(p.whorl_delta_below_px)
        deltas += [(mx - u(p.whorl_delta_side_px), below), (mx + u(p.whorl_delta_side_px), below)]
    return SingularPoints(
        np.array(cores, dtype=np.float64).reshape(-1, 2),
        np.array(deltas, dtype=np.float64).reshape(-1, 2),
    )


def zero_pole_orientation(
    shape: tuple[int, int], points: SingularPoints, *, rotation_rad: float = 0.0
) -> npt.NDArray[np.float32]:
    """Sherlock-Monro orientation field of the given singular points.

    Parameters
    ----------
    shape : (H, W)
        Field size in pixels.
    points : SingularPoints
        Cores (poles, index +1/2) and deltas (zeros, index -1/2).
    rotation_rad : float, keyword-only
        Constant added to the whole field (``theta_0``).

    Returns
    -------
    (H, W) float32 ndarray
        Ridge orientation, radians in ``[0, pi)``, image coordinates.

    Examples
    --------
    Between a core and the delta straight below it ridges run vertically
    (a tented arch), and far to the side they flatten out:

    >>> pts = SingularPoints(np.array([[50.0, 40.0]]), np.array([[50.0, 60.0]]))
    >>> theta = zero_pole_orientation((100, 1000), pts)
    >>> round(float(np.rad2deg(theta[50, 50])))
    90
    >>> round(float(np.rad2deg(theta[50, 999])))
    1
    """
    h, w = shape
    z = np.arange(w, dtype=np.float64)[None, :] + 1j * np.arange(h, dtype=np.float64)[:, None]
    theta = np.full((h, w), rotation_rad, dtype=np.float64)
    for x, y in points.cores:
        theta += 0.5 * np.angle(z - complex(x, y))
    for x, y in points.deltas:
        theta -= 0.5 * np.angle(z - complex(x, y))
    return np.mod(theta, np.pi).astype(np.float32)


def arch_orientation(
    shape: tuple[int, int],
    centre_xy: tuple[float, float],
    *,
    height_px: float,
    width_px: float,
    rotation_rad: float = 0.0,
) -> npt.NDArray[np.float32]:
    """Orientation field of a plain arch: ridges rising over a smooth bump.

    The ridges are the level lines of ``f(x, y) = y + a(y) g(x)`` with ``g`` a
    Gaussian bump of standard deviation ``width_px`` centred on the centre's
    x and ``a(y)`` the bump height, ``height_px`` at the centre's y, growing
    slowly upwards and vanishing towards the bottom of the field (the flat
    ridges above the crease).

    Returns
    -------
    (H, W) float32 ndarray
        Ridge orientation, radians in ``[0, pi)``, image coordinates.
    """
    h, w = shape
    cx, cy = centre_xy
    ys = np.arange(h, dtype=np.float64)[:, None]
    xs = np.arange(w, dtype=np.float64)[None, :]
    g = np.exp(-0.5 * ((xs - cx) / width_px) ** 2)
    dg = -(xs - cx) / width_px**2 * g
    # height falls linearly from the centre's level to zero at the bottom edge
    span = max(h - cy, 1.0)
    a = height_px * np.clip((h - ys) / span, 0.0, None)
    da = np.where(ys < h, -height_px / span, 0.0)
    fx = a * dg
    fy = 1.0 + da * g
    # ridges run perpendicular to the gradient of f
    theta = np.arctan2(fy, fx) + np.pi / 2 + rotation_rad
    return np.mod(theta, np.pi).astype(np.float32)


def master_orientation(
    pattern: PatternClass,
    shape: tuple[int, int],
    centre_xy: tuple[float, float],
    rng: np.random.Generator,
    params: MasterParameters,
) -> tuple[npt.NDArray[np.float32], SingularPoints]:
    """Orientation field of a new finger of class ``pattern``.

    Places the singular points (:func:`place_singular_points`), evaluates
    the zero-pole model (or the arch model), then adds a whole-field rotation
    and a smooth random correction.

    Returns
    -------
    theta : (H, W) float32 ndarray
        Ridge orientation, radians in ``[0, pi)``, image coordinates.
    points : SingularPoints
    """
    p = params
    rotation = float(rng.normal(0.0, p.background_rotation_sd_rad))
    points = place_singular_points(pattern, centre_xy, rng, p)
    if pattern is PatternClass.ARCH:
        centre = (centre_xy[0], centre_xy[1] + float(rng.uniform(*p.arch_centre_dy_px)))
        theta = arch_orientation(
            shape,
            centre,
            height_px=float(rng.uniform(*p.arch_height_px)),
            width_px=float(rng.uniform(*p.arch_width_px)),
            rotation_rad=rotation,
        )
    else:
        theta = zero_pole_orientation(shape, points, rotation_rad=rotation)
    correction = p.correction_sd_rad * smooth_field(shape, p.correction_scale_px, rng)
    return np.mod(theta + correction, np.pi).astype(np.float32), points
