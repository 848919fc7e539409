"""Template-level synthesis: minutiae sets at the scale of 1:N benchmarks.

Image-level synthesis (:func:`~interop.fingerprints.synth.master_fingerprint`,
:func:`~interop.fingerprints.synth.impression`, then
:func:`~interop.fingerprints.extract`) costs about a second per finger and
a tenth of a second per impression. This module skips the images: it draws a
finger's minutiae directly and perturbs them the way a capture followed by
extraction does, in a fraction of a millisecond::

    master = master_minutiae(7)                 # the finger's true minutiae
    a = minutiae_impression(master, 0)          # a Template, as extract() gives
    b = minutiae_impression(master, 1)          # another capture of the finger
    for finger in synthetic_templates(1000, 2): # streaming: lists of Templates
        ...

Master (one finger, :func:`master_minutiae`)
    Pattern class, singular points and orientation field come from the
    image-level model (:func:`~interop.fingerprints.synth.orientation.master_orientation`
    with the :class:`~interop.fingerprints.synth.MasterParameters`),
    evaluated on a grid of :data:`FIELD_STEP_PX` pixels with every length
    scaled down to match (the zero-pole and arch models are scale-free, so
    this is the full-resolution field sampled coarsely; only its smooth
    random correction is drawn on the coarse grid). The silhouette is the
    image-level one. Minutiae are a point process over it with a hard core
    (Matérn type II: no two closer than ``min_spacing_px``, about a ridge
    period) and two parts. *Flow-driven* minutiae (share ``flow_share``)
    lie where the ridge flow forces them: where neighbouring ridges spread
    apart, new ridges must start, so their density is proportional to the
    divergence of the ridge direction field and they point the way the
    ridges spread (for ridge endings and bifurcations alike). The others lie
    uniformly and point either way along the flow. Each is typed with
    ``ending_share`` and given a *fragility* (how easily extraction misses
    it, so that its misses are correlated across impressions).

Impression (one capture, :func:`minutiae_impression`)
    Placement, contact region and distortion follow
    :func:`~interop.fingerprints.synth.impression`, with its parameters
    (:class:`~interop.fingerprints.synth.ImpressionParameters`) and the same
    random draws: rotation, shift and contact ellipse of template impression
    ``k`` of master ``s`` are those of image impression ``k`` of image master
    ``s``. A rigid placement, an elliptical contact region with a wobbly
    outline, and a smooth elastic displacement growing away from the contact
    centre (drawn at the minutiae only, by random Fourier features). Then
    what extraction does: the chance of finding a minutia falls off across
    the contact border (``detection_rho``, ``detection_width``), nothing is
    found within ``border_margin_px`` of the frame or the finger's outline,
    some findable minutiae are missed (``missing_rate``), spurious ones
    appear inside (``spurious_rate``) and along the contact edge
    (``edge_spurious``), close pairs are dropped (``cluster_radius_px``), and
    positions, angles and types get the errors of extraction.

Every function is a pure function of its seeds. Coordinates and angles follow
:mod:`interop.fingerprints.template` (pixels at 500 ppi, origin top-left,
y down; ISO angles, counter-clockwise as seen). The numbers that stand for
extraction in :class:`TemplateSynthesisParameters` were measured on
image-level synthesis; ``flow_share`` sets how alike different fingers
look to the matcher (its default gives the impostor scores of real sensors,
0.9 those of FVC2002 DB4_B). Figures: ``BENCHMARKS.md``, "Template-level
synthesis"; ``benchmarks/synth_templates.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from interop.fingerprints.synth.orientation import (
    PatternClass,
    SingularPoints,
    master_orientation,
    sample_pattern_class,
)
from interop.fingerprints.synth.parameters import (
    DEFAULT_IMPRESSION_PARAMETERS,
    DEFAULT_MASTER_PARAMETERS,
    ImpressionParameters,
    MasterParameters,
)
from interop.fingerprints.template import MINUTIA_DTYPE, Template

__all__ = [
    "DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS",
    "FIELD_STEP_PX",
    "MasterMinutiae",
    "TemplateSynthesisParameters",
    "master_minutiae",
    "minutiae_impression",
    "synthetic_template_arrays",
    "synthetic_templates",
]

Range = tuple[float, float]

FIELD_STEP_PX = 16
"""Grid step (pixels) of a template master's orientation field."""

# A master's random stream: this child of SeedSequence(seed) (image-level
# masters use children 0..4).
_STREAM = 5
_STEP = float(FIELD_STEP_PX)
# Fourier terms of the contact outline's wobble (as in ``impression.py``).
_OUTLINE_HARMONICS = 3
# Random Fourier features per component of the distortion field.
_DISTORTION_FEATURES = 8
# impression() blurs white noise by a Gaussian of distortion_scale_px: the
# covariance of the result is a Gaussian of sqrt(2) times that length.
_DISTORTION_CORRELATION = float(np.sqrt(2.0))
# |div t| (per pixel) above this counts as this much in the flow-driven
# density (the field's divergence grows without bound at the cores).
_DIVERGENCE_CAP = 0.03


@dataclass(frozen=True, slots=True)
class TemplateSynthesisParameters:
    """Parameters of template-level synthesis: the finger's minutiae and extraction.

    Lengths are pixels at 500 ppi (``_px``), angles radians (``_rad``); a
    pair ``(low, high)`` is the range of a uniform draw made per impression,
    a ``_sd`` the standard deviation of a normal draw, a ``_rate`` or
    ``_probability`` a fraction in [0, 1]. The finger outline and orientation
    model are the image-level
    :class:`~interop.fingerprints.synth.MasterParameters`, the placement,
    contact and distortion the image-level
    :class:`~interop.fingerprints.synth.ImpressionParameters`. The values
    below were measured by extracting image-level masters and impressions
    (``benchmarks/synth_templates.py --noise``), except ``flow_share``,
    set on the matcher's impostor scores.
    """

    # --- master --------------------------------------------------------------------
    minutiae_density_per_10k_px2: float = 6.5
    """Mean number of true minutiae per 10,000 px² of fingertip (after the
    hard-core thinning), about 58 on a whole fingertip: the density that
    extraction finds inside clean renderings of image-level masters."""
    density_sd: float = 0.2
    """Finger-to-finger spread of that density (standard deviation of its log)."""
    min_spacing_px: float = 9.0
    """No two true minutiae closer than this (about one ridge period)."""
    flow_share: float = 0.5
    """Share of the minutiae that the ridge flow forces: where neighbouring
    ridges spread apart, new ridges must start, so these lie with a density
    proportional to the divergence of the ridge direction field and point
    the way the ridges spread. The others lie uniformly, with either sense.
    The more of the first kind, the more alike different fingers of a
    pattern class look to a matcher: 0.5 gives the engine's impostor scores
    on real sensors (FMR about 10%, 1%, 0.1% at calibrated scores 10, 20,
    30), 0.9 those on FVC2002 DB4_B (SFinGe). On image-level masters 94% of
    the minutiae point the way the ridges spread."""
    direction_sd_rad: float = 0.08
    """Deviation of a minutia's direction from the ridge flow at its place."""
    ending_share: float = 0.53
    """Share of ridge endings (type 1) among the minutiae; the rest bifurcate."""
    fragility_shape: float = 0.4
    """Gamma shape of a true minutia's fragility (mean 1), the factor on
    ``missing_rate`` of its chance to be missed: small values concentrate the
    misses on a few minutiae that are missed in most impressions."""

    # --- impression: where extraction finds minutiae --------------------------------
    detection_rho: float = 0.89
    detection_width: float = 0.05
    """The chance to find a minutia falls off across the contact border as a
    logistic of its relative distance ``rho`` from the contact centre (1 on
    the outline): one half at ``detection_rho``, slope set by ``detection_width``."""
    border_margin_px: float = 12.0
    """Nothing is found closer than this to the frame or the finger's outline
    (the extractor's border margin)."""
    missing_rate: Range = (0.0, 0.08)
    """Mean chance that a findable true minutia is missed, drawn per impression."""
    spurious_rate: Range = (0.01, 0.07)
    """Density of spurious minutiae inside the contact region, as a share of
    the mean true density, drawn per impression."""
    edge_spurious: Range = (5.0, 13.0)
    """Mean number of spurious minutiae along the contact edge (relative
    distance 0.8..1.2 from its centre), drawn per impression."""

    # --- impression: measurement errors ----------------------------------------------
    cluster_radius_px: float = 7.0
    """Found minutiae closer than this to each other are both dropped (as the
    extractor does)."""
    position_sd_px: float = 2.6
    """Position error of a found minutia, each axis (on top of the distortion)."""
    angle_sd_rad: float = 0.08
    """Direction error of a found minutia."""
    reversal_probability: float = 0.005
    """Chance that a found minutia's direction comes out reversed."""
    type_flip_probability: float = 0.17
    """Chance that an ending is reported as a bifurcation or vice versa."""
    quality_range: Range = (55.0, 95.0)
    """Impression quality (0..100); a minutia's quality falls from it towards
    the contact border and is lower when the minutia is spurious."""

    def __post_init__(self) -> None:
        for name in (
            "ending_share",
            "flow_share",
            "reversal_probability",
            "type_flip_probability",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        for name in ("missing_rate", "spurious_rate", "edge_spurious", "quality_range"):
            lo, hi = getattr(self, name)
            if not 0.0 <= lo <= hi:
                raise ValueError(f"{name} must be a range 0 <= low <= high, got {(lo, hi)}")
        if self.missing_rate[1] > 1.0:
            raise ValueError(f"missing_rate must lie in [0, 1], got {self.missing_rate}")
        for name in (
            "minutiae_density_per_10k_px2",
            "fragility_shape",
            "detection_rho",
            "detection_width",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in (
            "density_sd",
            "min_spacing_px",
            "direction_sd_rad",
            "border_margin_px",
            "cluster_radius_px",
            "position_sd_px",
            "angle_sd_rad",
        ):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        cover = self.minutiae_density_per_10k_px2 * 1e-4 * np.pi * self.min_spacing_px**2
        if cover >= 0.9:
            raise ValueError("minutiae_density_per_10k_px2 too high for min_spacing_px")

    def to_json(self) -> str:
        """Serialise to a JSON object string."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TemplateSynthesisParameters:
        """Inverse of :meth:`to_json`; unknown keys raise ``TypeError``."""
        data: dict[str, Any] = json.loads(text)
        names = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) and k in names else v for k, v in data.items()
        }
        return cls(**kwargs)


DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS = TemplateSynthesisParameters()


@dataclass(frozen=True, eq=False)
class MasterMinutiae:
    """A template-level synthetic finger: its true minutiae and ridge flow.

    Attributes
    ----------
    seed : int
        The seed it was made from.
    pattern : PatternClass
    minutiae : (N,) ndarray of :data:`~interop.fingerprints.template.MINUTIA_DTYPE`
        True minutiae in master coordinates (pixels on the image-level
        master's canvas, whose centre is ``centre_xy``), ISO angles, types
        1 or 2, quality 0. Read-only.
    fragility : (N,) float32 ndarray
        Each minutia's factor (mean 1) on an impression's missing rate.
        Read-only.
    orientation : (h, w) float32 ndarray
        Ridge orientation, radians in ``[0, pi)``, image convention (from +x
        towards +y), sampled every :data:`FIELD_STEP_PX` pixels: cell
        ``[i, j]`` is canvas pixel ``(x, y) = (j, i) * FIELD_STEP_PX``.
        Read-only.
    singular_points : SingularPoints
        Cores and deltas, canvas pixels ``(x, y)``.
    centre_xy : (float, float)
        Centre of the silhouette, canvas pixels.
    half_width_px, half_height_px, bottom_exponent : float
        The fingertip silhouette (as
        :func:`~interop.fingerprints.synth.ridges.finger_silhouette` takes it).
    flow : (h, w) complex128 ndarray
        ``exp(2i orientation)``, the form that interpolates. Read-only.
    """

    seed: int
    pattern: PatternClass
    minutiae: npt.NDArray[np.void]
    fragility: npt.NDArray[np.float32]
    orientation: npt.NDArray[np.float32]
    singular_points: SingularPoints
    centre_xy: tuple[float, float]
    half_width_px: float
    half_height_px: float
    bottom_exponent: float
    flow: npt.NDArray[np.complex128] = dataclasses.field(repr=False)

    def __post_init__(self) -> None:
        for name in ("minutiae", "fragility", "orientation", "flow"):
            getattr(self, name).setflags(write=False)

    def __len__(self) -> int:
        return int(self.minutiae.shape[0])


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


@functools.lru_cache(maxsize=8)
def _coarse_parameters(params: MasterParameters, step: int) -> MasterParameters:
    """``params`` with every float length (``*_px``) divided by ``step``."""
    scaled: dict[str, Any] = {}
    for f in fields(params):
        value = getattr(params, f.name)
        if not f.name.endswith("_px"):
            continue
        if isinstance(value, float):
            scaled[f.name] = value / step
        elif isinstance(value, tuple) and all(isinstance(v, float) for v in value):
            scaled[f.name] = tuple(v / step for v in value)
    return dataclasses.replace(params, **scaled)


@numba.njit(cache=True, nogil=True, inline="always")
def _inside(dx: float, dy: float, a: float, b: float, exponent: float) -> bool:
    """Whether an offset from the centre lies inside the fingertip silhouette.

    The outline of :func:`~interop.fingerprints.synth.ridges.finger_silhouette`
    evaluated at a point: a half ellipse of semi-axes ``a``, ``b`` above the
    centre, a super-ellipse of ``exponent`` below it.
    """
    u = abs(dx) / a
    v = dy / b
    e = 2.0 if v < 0 else exponent
    return bool(u**e + abs(v) ** e <= 1.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _interpolate(flow: npt.NDArray[np.complex128], x: float, y: float) -> complex:
    """Bilinear interpolation of a coarse grid (cell ``[i, j]`` at ``(j, i) * step``), clamped."""
    h, w = flow.shape
    gx = min(max(x / _STEP, 0.0), w - 1.000001)
    gy = min(max(y / _STEP, 0.0), h - 1.000001)
    j = int(gx)
    i = int(gy)
    fx = gx - j
    fy = gy - i
    return complex(
        (flow[i, j] * (1 - fx) + flow[i, j + 1] * fx) * (1 - fy)
        + (flow[i + 1, j] * (1 - fx) + flow[i + 1, j + 1] * fx) * fy
    )


@numba.njit(cache=True, nogil=True)
def _flow_field(
    theta: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.complex128], npt.NDArray[np.complex128], npt.NDArray[np.complex128]]:
    """``z = exp(2i theta)`` of a coarse orientation grid, and its d/dx, d/dy (per pixel).

    Central differences, one-sided at the edges.
    """
    h, w = theta.shape
    z = np.empty((h, w), dtype=np.complex128)
    for i in range(h):
        for j in range(w):
            z[i, j] = complex(np.cos(2.0 * theta[i, j]), np.sin(2.0 * theta[i, j]))
    zx = np.empty_like(z)
    zy = np.empty_like(z)
    for i in range(h):
        for j in range(w):
            j0, j1 = max(j - 1, 0), min(j + 1, w - 1)
            i0, i1 = max(i - 1, 0), min(i + 1, h - 1)
            zx[i, j] = (z[i, j1] - z[i, j0]) / ((j1 - j0) * _STEP)
            zy[i, j] = (z[i1, j] - z[i0, j]) / ((i1 - i0) * _STEP)
    return z, zx, zy


@numba.njit(cache=True, nogil=True, inline="always")
def _divergence(z: complex, zx: complex, zy: complex) -> tuple[float, float]:
    """Ridge direction and its divergence from ``z = exp(2i theta)`` and its gradient.

    Returns the ISO angle ``-theta`` of the unit ridge vector
    ``t = (cos theta, sin theta)`` (image convention) and ``div t`` (per
    pixel): where it is positive, ridges spread apart along ``+t`` and new
    ridges must start there (an ending or a bifurcation pointing along
    ``+t``); where it is negative, along ``-t``.
    """
    norm = max(abs(z) ** 2, 1e-12)
    theta = 0.5 * np.arctan2(z.imag, z.real)
    # d theta = Im(dz / z) / 2
    theta_x = 0.5 * (z.real * zx.imag - z.imag * zx.real) / norm
    theta_y = 0.5 * (z.real * zy.imag - z.imag * zy.real) / norm
    return -theta, -np.sin(theta) * theta_x + np.cos(theta) * theta_y


@numba.njit(cache=True, nogil=True)
def _mean_divergence(
    flow: npt.NDArray[np.complex128],
    zx: npt.NDArray[np.complex128],
    zy: npt.NDArray[np.complex128],
    cx: float,
    cy: float,
    a: float,
    b: float,
    exponent: float,
    cap: float,
) -> float:
    """Mean of ``min(|div t|, cap)`` over the silhouette (every other grid node)."""
    h, w = flow.shape
    total = 0.0
    count = 0
    for i in range(0, h, 2):
        for j in range(0, w, 2):
            if _inside(j * _STEP - cx, i * _STEP - cy, a, b, exponent):
                total += min(abs(_divergence(flow[i, j], zx[i, j], zy[i, j])[1]), cap)
                count += 1
    return total / max(count, 1)


@numba.njit(cache=True, nogil=True)
def _master_kernel(
    flow: npt.NDArray[np.complex128],
    zx: npt.NDArray[np.complex128],
    zy: npt.NDArray[np.complex128],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    uniforms: npt.NDArray[np.float64],
    cx: float,
    cy: float,
    a: float,
    b: float,
    exponent: float,
    spacing: float,
    flow_share: float,
    mean_divergence: float,
    cap: float,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Thin candidate points into a finger's minutiae; give them directions.

    ``flow`` is ``exp(2i theta)`` of the coarse orientation field, ``zx`` and
    ``zy`` its gradient (:func:`_flow_field`). Candidates (canvas pixels
    ``x``, ``y``; (3, N) ``uniforms``) inside the silhouette are accepted
    with probability proportional to
    ``(1 - f) + f g / mean_divergence`` (``f = flow_share``,
    ``g = min(|div t|, cap)``), then thinned by a hard core (Matérn II: a
    candidate goes if an earlier accepted one lies within ``spacing``). A
    kept point is flow-driven with probability ``f g / mean_divergence``
    over that sum, and then points where the ridges spread apart (the sign
    of ``div t``); otherwise its sense is random.

    Returns the (N,) keep mask and the (N,) ISO angles (valid where kept).
    """
    n = x.shape[0]
    accepted = np.zeros(n, dtype=np.bool_)
    keep = np.zeros(n, dtype=np.bool_)
    angle = np.zeros(n)
    top = (1.0 - flow_share) + flow_share * cap / mean_divergence
    r2 = spacing * spacing
    for i in range(n):
        if not _inside(x[i] - cx, y[i] - cy, a, b, exponent):
            continue
        iso, div = _divergence(
            _interpolate(flow, x[i], y[i]),
            _interpolate(zx, x[i], y[i]),
            _interpolate(zy, x[i], y[i]),
        )
        driven = flow_share * min(abs(div), cap) / mean_divergence
        weight = (1.0 - flow_share) + driven
        if uniforms[0, i] * top >= weight:
            continue
        accepted[i] = True
        free = True
        for j in range(i):
            if accepted[j] and (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2 < r2:
                free = False
                break
        if not free:
            continue
        keep[i] = True
        if uniforms[1, i] * weight < driven:
            angle[i] = iso if div > 0 else iso + np.pi
        else:
            angle[i] = iso + (np.pi if uniforms[2, i] < 0.5 else 0.0)
    return keep, angle


# Slots of the impression kernel's scalar vector.
(
    _PHI,
    _SHIFT_X,
    _SHIFT_Y,
    _CONTACT_X,
    _CONTACT_Y,
    _CONTACT_A,
    _CONTACT_B,
    _STRENGTH,
    _MISSING,
    _QUALITY,
    _FRAME_W,
    _FRAME_H,
    _MASTER_X,
    _MASTER_Y,
    _FINGER_A,
    _FINGER_B,
    _FINGER_EXPONENT,
    _SATURATION,
    _DISTORTION_EXPONENT,
    _DETECTION_RHO,
    _DETECTION_WIDTH,
    _MARGIN,
    _POSITION_SD,
    _ANGLE_SD,
    _DIRECTION_SD,
    _REVERSAL,
    _FLIP,
    _ENDING_SHARE,
    _CLUSTER_RADIUS,
    _N_SCALARS,
) = range(30)


@numba.njit(cache=True, nogil=True, inline="always")
def _outline(harmonics: npt.NDArray[np.float64], t: float) -> float:
    """Relative radius of the contact outline at polar angle ``t`` (as impression())."""
    r = 1.0
    for k in range(harmonics.shape[0]):
        r += harmonics[k, 0] * np.cos((k + 1) * t) + harmonics[k, 1] * np.sin((k + 1) * t)
    return r


@numba.njit(cache=True, nogil=True)
def _impression_kernel(
    mx: npt.NDArray[np.float32],
    my: npt.NDArray[np.float32],
    ma: npt.NDArray[np.float32],
    mtype: npt.NDArray[np.uint8],
    fragility: npt.NDArray[np.float32],
    flow: npt.NDArray[np.complex128],
    c: npt.NDArray[np.float64],
    harmonics: npt.NDArray[np.float64],
    n_inside: int,
    n_edge: int,
    spots: npt.NDArray[np.float64],
    uniforms: npt.NDArray[np.float64],
    normals: npt.NDArray[np.float64],
    omega: npt.NDArray[np.float64],
    phase: npt.NDArray[np.float64],
) -> tuple[
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]:
    """One impression's found minutiae: x, y, ISO angle, type, quality; raster order.

    Points ``0 .. n_true - 1`` are the master's minutiae, the next
    ``n_inside`` spurious ones uniform over the contact box (from ``spots``),
    the last ``n_edge`` spurious ones along the contact edge. ``c`` holds the
    scalars (slots ``_PHI`` ...), ``uniforms`` and ``normals`` are (5, n)
    draws, ``omega`` (2, K, 2) and ``phase`` (2, K) the distortion field's
    random Fourier features.
    """
    n_true = mx.shape[0]
    n = n_true + n_inside + n_edge
    cos_phi = np.cos(c[_PHI])
    sin_phi = np.sin(c[_PHI])
    ccx, ccy, ax, ay = c[_CONTACT_X], c[_CONTACT_Y], c[_CONTACT_A], c[_CONTACT_B]
    margin = c[_MARGIN]
    sil_a = max(c[_FINGER_A] - margin, 1.0)
    sil_b = max(c[_FINGER_B] - margin, 1.0)
    k_features = omega.shape[1]
    rff = np.sqrt(2.0 / k_features)
    xs = np.empty(n)
    ys = np.empty(n)
    angles = np.empty(n)
    kinds = np.empty(n, dtype=np.uint8)
    quality = np.empty(n)
    m = 0
    for i in range(n):
        spurious = i >= n_true
        if i < n_true:
            fx = mx[i] - c[_MASTER_X]
            fy = my[i] - c[_MASTER_Y]
        elif i < n_true + n_inside:
            j = i - n_true
            fx = ccx + ax * (2.0 * spots[j] - 1.0)
            fy = ccy + ay * (2.0 * spots[n_inside + j] - 1.0)
        else:
            j = i - n_true - n_inside
            t = 2.0 * np.pi * spots[2 * n_inside + j]
            r = (0.8 + 0.4 * spots[2 * n_inside + n_edge + j]) * _outline(harmonics, t)
            fx = ccx + ax * r * np.cos(t)
            fy = ccy + ay * r * np.sin(t)
        ex = (fx - ccx) / ax
        ey = (fy - ccy) / ay
        rho = np.hypot(ex, ey) / _outline(harmonics, np.arctan2(ey, ex))
        found = 1.0
        if i < n_true + n_inside:
            found = 1.0 / (1.0 + np.exp((rho - c[_DETECTION_RHO]) / c[_DETECTION_WIDTH]))
        if i < n_true:
            found *= 1.0 - min(c[_MISSING] * fragility[i], 1.0)
        if uniforms[0, i] >= found or not _inside(fx, fy, sil_a, sil_b, c[_FINGER_EXPONENT]):
            continue
        # elastic distortion, placement, position error
        d = c[_STRENGTH] * min(rho, c[_SATURATION]) ** c[_DISTORTION_EXPONENT]
        g0 = 0.0
        g1 = 0.0
        for k in range(k_features):
            g0 += np.cos(omega[0, k, 0] * fx + omega[0, k, 1] * fy + phase[0, k])
            g1 += np.cos(omega[1, k, 0] * fx + omega[1, k, 1] * fy + phase[1, k])
        gx = fx - d * rff * g0
        gy = fy - d * rff * g1
        u = 0.5 * (c[_FRAME_W] - 1) + c[_SHIFT_X] + cos_phi * gx - sin_phi * gy
        v = 0.5 * (c[_FRAME_H] - 1) + c[_SHIFT_Y] + sin_phi * gx + cos_phi * gy
        u += c[_POSITION_SD] * normals[0, i]
        v += c[_POSITION_SD] * normals[1, i]
        if u < margin or u > c[_FRAME_W] - 1 - margin:
            continue
        if v < margin or v > c[_FRAME_H] - 1 - margin:
            continue
        # direction, type, quality
        if spurious:
            z = _interpolate(flow, fx + c[_MASTER_X], fy + c[_MASTER_Y])
            a = -0.5 * np.arctan2(z.imag, z.real)
            a += np.pi * (uniforms[1, i] < 0.5) + c[_DIRECTION_SD] * normals[2, i]
            kind = 1 if uniforms[3, i] < c[_ENDING_SHARE] else 2
        else:
            a = float(ma[i])
            kind = int(mtype[i])
        a += c[_ANGLE_SD] * normals[3, i] - c[_PHI]
        if uniforms[2, i] < c[_REVERSAL]:
            a += np.pi
        if uniforms[4, i] < c[_FLIP]:
            kind = 3 - kind
        q = c[_QUALITY] - 25.0 * min(rho, 1.2) ** 2 + 8.0 * normals[4, i]
        if spurious:
            q -= 15.0
        xs[m] = u
        ys[m] = v
        angles[m] = a
        kinds[m] = kind
        quality[m] = q
        m += 1
    # the extractor drops both minutiae of a pair closer than its cluster radius
    drop = np.zeros(m, dtype=np.bool_)
    r2 = c[_CLUSTER_RADIUS] ** 2
    for i in range(m):
        for j in range(i + 1, m):
            if (xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2 < r2:
                drop[i] = True
                drop[j] = True
    key = np.empty(m)
    for i in range(m):
        key[i] = np.inf if drop[i] else np.floor(ys[i]) * 65536.0 + xs[i]
    order = np.argsort(key)[: m - int(drop.sum())]
    k_out = order.shape[0]
    ox = np.empty(k_out, dtype=np.float32)
    oy = np.empty(k_out, dtype=np.float32)
    oa = np.empty(k_out, dtype=np.float32)
    ot = np.empty(k_out, dtype=np.uint8)
    oq = np.empty(k_out, dtype=np.uint8)
    two_pi = 2.0 * np.pi
    for r in range(k_out):
        i = order[r]
        ox[r] = xs[i]
        oy[r] = ys[i]
        a32 = np.float32(angles[i] % two_pi)
        oa[r] = a32 if a32 < np.float32(two_pi) else np.float32(0.0)
        ot[r] = kinds[i]
        oq[r] = np.uint8(min(max(np.rint(quality[i]), 1.0), 100.0))
    return ox, oy, oa, ot, oq


def _minutiae_array(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    angle: npt.NDArray[np.float64],
    kind: npt.NDArray[np.uint8],
    quality: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.void]:
    """Structured MINUTIA_DTYPE array; angles wrapped to [0, 2π) in float32."""
    out = np.zeros(x.shape[0], dtype=MINUTIA_DTYPE)
    out["x"] = x
    out["y"] = y
    a = np.mod(angle, 2 * np.pi).astype(np.float32)
    a[a >= np.float32(2 * np.pi)] = 0.0  # float32 rounding can reach 2π
    out["angle"] = a
    out["type"] = kind
    if quality is not None:
        out["quality"] = quality
    return out


def master_minutiae(
    seed: int,
    *,
    pattern: PatternClass | None = None,
    params: TemplateSynthesisParameters = DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    master_params: MasterParameters = DEFAULT_MASTER_PARAMETERS,
) -> MasterMinutiae:
    """Make the template-level synthetic finger number ``seed``.

    Parameters
    ----------
    seed : int
        Non-negative; the same seed and parameters always give the same
        finger. Its pattern class, singular points and silhouette are those
        of :func:`~interop.fingerprints.synth.master_fingerprint` with the
        same seed (its minutiae are not: they are drawn, not grown).
    pattern : PatternClass, optional, keyword-only
        Force the class; by default it is drawn with the natural frequencies
        (:data:`~interop.fingerprints.synth.CLASS_FREQUENCIES`).
    params : TemplateSynthesisParameters, keyword-only
        Minutiae density, spacing, directions, types and fragility.
    master_params : MasterParameters, keyword-only
        Canvas, silhouette and orientation model (the image-level ones).

    Returns
    -------
    MasterMinutiae

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer.
    """
    seed = _check_seed(seed)
    p, mp = params, master_params
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM,)))
    drawn = sample_pattern_class(rng)
    pattern = drawn if pattern is None else PatternClass(pattern)
    a = float(rng.uniform(*mp.finger_half_width_px))
    b = float(rng.uniform(*mp.finger_half_height_px))
    centre = (0.5 * (mp.canvas_width_px - 1), 0.5 * (mp.canvas_height_px - 1))

    step = FIELD_STEP_PX
    coarse = (-(-mp.canvas_height_px // step) + 1, -(-mp.canvas_width_px // step) + 1)
    theta, coarse_points = master_orientation(
        pattern, coarse, (centre[0] / step, centre[1] / step), rng, _coarse_parameters(mp, step)
    )
    points = SingularPoints(coarse_points.cores * step, coarse_points.deltas * step)

    # Candidates at the intensity that thins (by the flow-driven density, then
    # Matérn II hard core) to about the target density.
    flow, zx, zy = _flow_field(theta)
    mean_div = _mean_divergence(
        flow, zx, zy, centre[0], centre[1], a, b, mp.finger_bottom_exponent, _DIVERGENCE_CAP
    )
    # (floored: on the straightest arches the flow-driven part would need
    # too many candidates; there it spreads a little more evenly instead)
    mean_div = max(mean_div, _DIVERGENCE_CAP / 15)
    density = p.minutiae_density_per_10k_px2 * 1e-4 * float(np.exp(rng.normal(0.0, p.density_sd)))
    core_area = np.pi * p.min_spacing_px**2
    cover = min(density * core_area, 0.95)
    intensity = -np.log1p(-cover) / core_area if core_area > 0 else density
    top = (1.0 - p.flow_share) + p.flow_share * _DIVERGENCE_CAP / mean_div
    n = int(rng.poisson(intensity * top * 4 * a * b))
    cand = rng.random((6, n))
    x = centre[0] + a * (2 * cand[0] - 1)
    y = centre[1] + b * (2 * cand[1] - 1)
    keep, angle = _master_kernel(
        flow,
        zx,
        zy,
        x,
        y,
        cand[2:5],
        centre[0],
        centre[1],
        a,
        b,
        mp.finger_bottom_exponent,
        p.min_spacing_px,
        p.flow_share,
        mean_div,
        _DIVERGENCE_CAP,
    )
    x, y, angle = x[keep], y[keep], angle[keep]
    n = x.size
    angle += rng.normal(0.0, p.direction_sd_rad, n)
    kind = (2 - (cand[5, keep] < p.ending_share)).astype(np.uint8)
    minutiae = _minutiae_array(x, y, angle, kind)
    fragility = rng.gamma(p.fragility_shape, 1.0 / p.fragility_shape, n).astype(np.float32)
    return MasterMinutiae(
        seed=seed,
        pattern=pattern,
        minutiae=minutiae,
        fragility=fragility,
        orientation=theta,
        singular_points=points,
        centre_xy=centre,
        half_width_px=a,
        half_height_px=b,
        bottom_exponent=mp.finger_bottom_exponent,
        flow=flow,
    )


def _uniform(r: float, bounds: Range) -> float:
    """Map ``r`` in [0, 1) onto the range ``bounds``."""
    return bounds[0] + r * (bounds[1] - bounds[0])


def _impression(
    master: MasterMinutiae,
    seed: int,
    p: TemplateSynthesisParameters,
    ip: ImpressionParameters,
) -> tuple[npt.NDArray[np.void], int]:
    """The minutiae (MINUTIA_DTYPE, raster order) and the quality of one impression."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, master.seed]))
    c = np.empty(_N_SCALARS)
    # --- placement, contact and distortion strength: impression()'s draws ------
    c[_PHI] = rng.uniform(-ip.max_rotation_rad, ip.max_rotation_rad)
    c[_SHIFT_X : _SHIFT_Y + 1] = rng.uniform(-ip.max_translation_px, ip.max_translation_px, 2)
    c[_CONTACT_X : _CONTACT_Y + 1] = rng.normal(0.0, ip.contact_centre_sd_px, 2)
    c[_CONTACT_A] = ax = rng.uniform(*ip.contact_half_width_px)
    c[_CONTACT_B] = ay = rng.uniform(*ip.contact_half_height_px)
    harmonics = rng.standard_normal((_OUTLINE_HARMONICS, 2)) * _harmonic_scale(ip.contact_roughness)
    c[_STRENGTH] = rng.uniform(*ip.distortion_px)
    # --- this impression's extraction ------------------------------------------
    r = rng.random(4)
    c[_MISSING] = _uniform(r[0], p.missing_rate)
    c[_QUALITY] = quality = _uniform(r[3], p.quality_range)
    # spurious minutiae: inside, uniform over the contact region's bounding box
    # (then found like true ones); along the edge, at relative distance 0.8..1.2
    inside = _uniform(r[1], p.spurious_rate) * p.minutiae_density_per_10k_px2 * 4e-4 * ax * ay
    n_inside, n_edge = (int(k) for k in rng.poisson((inside, _uniform(r[2], p.edge_spurious))))
    n = len(master) + n_inside + n_edge
    spots = rng.random(2 * (n_inside + n_edge))
    uniforms = rng.random((5, n))
    normals = rng.standard_normal((5, n))
    omega = rng.normal(
        0.0, 1.0 / (_DISTORTION_CORRELATION * ip.distortion_scale_px), (2, _DISTORTION_FEATURES, 2)
    )
    phase = rng.uniform(0.0, 2 * np.pi, (2, _DISTORTION_FEATURES))
    c[_FRAME_W], c[_FRAME_H] = ip.width_px, ip.height_px
    c[_MASTER_X], c[_MASTER_Y] = master.centre_xy
    c[_FINGER_A], c[_FINGER_B] = master.half_width_px, master.half_height_px
    c[_FINGER_EXPONENT] = master.bottom_exponent
    c[_SATURATION], c[_DISTORTION_EXPONENT] = ip.distortion_saturation, ip.distortion_exponent
    c[_DETECTION_RHO : _CLUSTER_RADIUS + 1] = _extraction_scalars(p)
    m = master.minutiae
    x, y, angle, kind, q = _impression_kernel(
        m["x"],
        m["y"],
        m["angle"],
        m["type"],
        master.fragility,
        master.flow,
        c,
        harmonics,
        n_inside,
        n_edge,
        spots,
        uniforms,
        normals,
        omega,
        phase,
    )
    out = np.empty(x.shape[0], dtype=MINUTIA_DTYPE)
    out["x"], out["y"], out["angle"], out["type"], out["quality"] = x, y, angle, kind, q
    return out, round(quality)


@functools.lru_cache(maxsize=4)
def _harmonic_scale(roughness: float) -> npt.NDArray[np.float64]:
    """(H, 1) standard deviations of the outline's Fourier coefficients (as impression())."""
    scale: npt.NDArray[np.float64] = (roughness / np.arange(1.0, _OUTLINE_HARMONICS + 1))[:, None]
    return scale


@functools.lru_cache(maxsize=8)
def _extraction_scalars(p: TemplateSynthesisParameters) -> npt.NDArray[np.float64]:
    """Slots ``_DETECTION_RHO .. _CLUSTER_RADIUS`` of the kernel's scalars."""
    return np.array(
        [
            p.detection_rho,
            p.detection_width,
            p.border_margin_px,
            p.position_sd_px,
            p.angle_sd_rad,
            p.direction_sd_rad,
            p.reversal_probability,
            p.type_flip_probability,
            p.ending_share,
            p.cluster_radius_px,
        ]
    )


def minutiae_impression(
    master: MasterMinutiae,
    seed: int,
    *,
    params: TemplateSynthesisParameters = DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    impression_params: ImpressionParameters = DEFAULT_IMPRESSION_PARAMETERS,
) -> Template:
    """Take impression number ``seed`` of ``master``, as extraction would report it.

    Parameters
    ----------
    master : MasterMinutiae
        The finger (:func:`master_minutiae`).
    seed : int
        Non-negative; the same master and seed always give the same template.
    params : TemplateSynthesisParameters, keyword-only
        What extraction does (missed, spurious minutiae, errors).
    impression_params : ImpressionParameters, keyword-only
        Frame, placement, contact region and distortion (the image-level ones).

    Returns
    -------
    Template
        Minutiae in pixels of the ``impression_params.width_px`` x
        ``impression_params.height_px`` frame at 500 ppi, ISO angles, types
        1 (ending) or 2 (bifurcation), per-minutia quality 1..100, in raster
        order (by row, then x); the template's ``quality`` is the
        impression's, and ``metadata`` holds ``master_seed`` and
        ``impression_seed``. It may hold few minutiae (a small contact
        region), even none: unlike :func:`~interop.fingerprints.extract`,
        this never refuses to enrol.

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer.
    """
    seed = _check_seed(seed)
    minutiae, quality = _impression(master, seed, params, impression_params)
    return Template(
        minutiae,
        width=impression_params.width_px,
        height=impression_params.height_px,
        resolution_ppi=500,
        quality=quality,
        metadata={"master_seed": master.seed, "impression_seed": seed},
    )


def synthetic_templates(
    n_fingers: int,
    impressions: int,
    *,
    first_seed: int = 0,
    params: TemplateSynthesisParameters = DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    master_params: MasterParameters = DEFAULT_MASTER_PARAMETERS,
    impression_params: ImpressionParameters = DEFAULT_IMPRESSION_PARAMETERS,
) -> Iterator[list[Template]]:
    """Stream the impressions of many synthetic fingers, finger by finger.

    Parameters
    ----------
    n_fingers : int
        Number of fingers: masters ``first_seed ... first_seed + n_fingers - 1``.
    impressions : int
        Impressions per finger: impression seeds ``0 ... impressions - 1``.
    first_seed : int, keyword-only
        Seed of the first master.
    params, master_params, impression_params : keyword-only
        As for :func:`master_minutiae` and :func:`minutiae_impression`.

    Yields
    ------
    list of Template
        The ``impressions`` templates of one finger, in impression order.
    """
    _check_seed(first_seed)
    for s in range(first_seed, first_seed + n_fingers):
        master = master_minutiae(s, params=params, master_params=master_params)
        yield [
            minutiae_impression(master, k, params=params, impression_params=impression_params)
            for k in range(impressions)
        ]


def synthetic_template_arrays(
    n_fingers: int,
    impressions: int,
    *,
    first_seed: int = 0,
    params: TemplateSynthesisParameters = DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    master_params: MasterParameters = DEFAULT_MASTER_PARAMETERS,
    impression_params: ImpressionParameters = DEFAULT_IMPRESSION_PARAMETERS,
) -> tuple[npt.NDArray[np.void], npt.NDArray[np.int64]]:
    """The templates of :func:`synthetic_templates`, packed in two flat arrays.

    The compact form for large galleries: no :class:`Template` objects, 14
    bytes per minutia plus 8 per template (about 0.4 KiB per template).

    Returns
    -------
    minutiae : (M,) ndarray of :data:`~interop.fingerprints.template.MINUTIA_DTYPE`
        Every template's minutiae, one template after the other.
    offsets : (n_fingers * impressions + 1,) int64 ndarray
        Template ``t = f * impressions + k`` (master seed ``first_seed + f``,
        impression seed ``k``) is ``minutiae[offsets[t]:offsets[t + 1]]``,
        equal to ``minutiae_impression(...).minutiae``. Frame size,
        resolution (500 ppi) and template quality are left out.
    """
    _check_seed(first_seed)
    parts: list[npt.NDArray[np.void]] = []
    for s in range(first_seed, first_seed + n_fingers):
        master = master_minutiae(s, params=params, master_params=master_params)
        parts.extend(
            _impression(master, k, params, impression_params)[0] for k in range(impressions)
        )
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([part.shape[0] for part in parts])
    minutiae = np.concatenate(parts) if parts else np.zeros(0, dtype=MINUTIA_DTYPE)
    return minutiae, offsets
