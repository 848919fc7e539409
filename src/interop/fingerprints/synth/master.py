"""A master fingerprint: the finger itself, before any impression of it.

::

    pattern class -> singular points -> orientation field
    silhouette -> period map -> ridge growth  =>  MasterFingerprint

Every random choice comes from its own child of ``SeedSequence(seed)``, so a
seed always gives the same finger, and forcing the pattern class changes
nothing but the class-dependent parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interop.fingerprints.synth.orientation import (
    PatternClass,
    SingularPoints,
    master_orientation,
    sample_pattern_class,
)
from interop.fingerprints.synth.parameters import DEFAULT_MASTER_PARAMETERS, MasterParameters
from interop.fingerprints.synth.ridges import (
    finger_silhouette,
    grow_ridges,
    interrupt_ridges,
    period_map,
)

# Independent random streams of one master (SeedSequence children, by index).
_CLASS, _SHAPE, _ORIENTATION, _PERIOD, _GROWTH, _BREAKS = range(6)


@dataclass(frozen=True, eq=False)
class MasterFingerprint:
    """A synthetic finger: the ridge pattern every impression is taken from.

    All arrays are read-only, (H, W) with H = ``canvas_height_px`` and
    W = ``canvas_width_px`` of the parameters, at 500 ppi, rows = y.

    Attributes
    ----------
    seed : int
        The seed it was made from.
    pattern : PatternClass
    orientation : (H, W) float32 ndarray
        Ridge orientation, radians in ``[0, pi)``, image coordinates (from +x
        towards +y).
    period : (H, W) float32 ndarray
        Ridge period, pixels.
    ridges : (H, W) float32 ndarray
        Grown ridge pattern in ``[-1, 1]``: about +1 on ridges, -1 in valleys.
    mask : (H, W) bool ndarray
        The fingertip silhouette.
    singular_points : SingularPoints
        Cores and deltas, pixels ``(x, y)``.
    centre_xy : (float, float)
        Centre of the silhouette, pixels.
    iterations : int
        Ridge-growth rounds it took.
    """

    seed: int
    pattern: PatternClass
    orientation: npt.NDArray[np.float32]
    period: npt.NDArray[np.float32]
    ridges: npt.NDArray[np.float32]
    mask: npt.NDArray[np.bool_]
    singular_points: SingularPoints
    centre_xy: tuple[float, float]
    iterations: int

    def __post_init__(self) -> None:
        for name in ("orientation", "period", "ridges", "mask"):
            getattr(self, name).setflags(write=False)

    @property
    def shape(self) -> tuple[int, int]:
        """``(H, W)`` of the arrays."""
        h, w = self.ridges.shape
        return h, w


def _streams(seed: int) -> list[np.random.Generator]:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(6)]


def pattern_class(seed: int) -> PatternClass:
    """The class :func:`master_fingerprint` draws for ``seed`` (cheap: nothing is grown)."""
    return sample_pattern_class(_streams(seed)[_CLASS])


def master_fingerprint(
    seed: int,
    *,
    pattern: PatternClass | None = None,
    params: MasterParameters = DEFAULT_MASTER_PARAMETERS,
) -> MasterFingerprint:
    """Make the synthetic finger number ``seed``.

    Parameters
    ----------
    seed : int
        Non-negative; the same seed (and parameters) always gives the same
        finger.
    pattern : PatternClass, optional, keyword-only
        Force the class; by default it is drawn with the natural frequencies
        (:data:`~interop.fingerprints.synth.orientation.CLASS_FREQUENCIES`).
    params : MasterParameters, keyword-only

    Returns
    -------
    MasterFingerprint

    Raises
    ------
    ValueError
        If ``seed`` is not a non-negative integer.

    Notes
    -----
    About one second on one core with the default parameters; most of it
    is the ridge growth (:func:`~interop.fingerprints.synth.ridges.grow_ridges`).
    """
    rng = _streams(seed)
    drawn = sample_pattern_class(rng[_CLASS])
    pattern = drawn if pattern is None else PatternClass(pattern)
    p = params
    shape = (p.canvas_height_px, p.canvas_width_px)
    centre = (0.5 * (p.canvas_width_px - 1), 0.5 * (p.canvas_height_px - 1))
    mask = finger_silhouette(
        shape,
        centre,
        float(rng[_SHAPE].uniform(*p.finger_half_width_px)),
        float(rng[_SHAPE].uniform(*p.finger_half_height_px)),
        bottom_exponent=p.finger_bottom_exponent,
    )
    theta, points = master_orientation(pattern, shape, centre, rng[_ORIENTATION], p)
    period = period_map(shape, mask, rng[_PERIOD], p)
    ridges, iterations = grow_ridges(theta, period, mask, rng[_GROWTH], p)
    ridges = interrupt_ridges(ridges, theta, period, mask, rng[_BREAKS], p)
    return MasterFingerprint(
        seed=int(seed),
        pattern=pattern,
        orientation=theta,
        period=period,
        ridges=ridges,
        mask=mask,
        singular_points=points,
        centre_xy=centre,
        iterations=iterations,
    )
