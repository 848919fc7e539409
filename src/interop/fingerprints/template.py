"""The in-memory minutiae template: what extraction produces and codecs read.

Conventions (used everywhere in :mod:`interop.fingerprints`):

* Coordinates are pixels at the template's ``resolution_ppi`` (500 for
  templates made by :func:`interop.fingerprints.extract`), origin at the
  top-left corner, ``x`` to the right (column), ``y`` downwards (row).
* ``angle`` is in radians in ``[0, 2*pi)``, measured **counter-clockwise as
  seen on the image** from the +x axis, i.e. the direction vector is
  ``(cos a, -sin a)`` in ``(x, y)``; this is the ISO/IEC 19794-2 convention.
  For a ridge ending it points along the ridge, away from the ending (into
  the ridge); for a bifurcation, along the valley the two branches enclose,
  away from the fork.
* ``quality`` is 0..100 (ISO/IEC 19794-2:2005 scale); 0 means "not reported".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

MINUTIA_DTYPE = np.dtype(
    [
        ("x", "<f4"),
        ("y", "<f4"),
        ("angle", "<f4"),
        ("type", "u1"),
        ("quality", "u1"),
    ]
)
"""Structured dtype of one minutia (14 bytes)."""


class MinutiaType(enum.IntEnum):
    """Minutia type codes, equal to the ISO/IEC 19794-2 two-bit codes."""

    OTHER = 0
    ENDING = 1
    BIFURCATION = 2


@dataclass(frozen=True, slots=True)
class Minutia:
    """One minutia, as a value (see module docstring for units)."""

    x: float
    y: float
    angle: float
    type: MinutiaType = MinutiaType.OTHER
    quality: int = 0


@dataclass(frozen=True, eq=False)
class Template:
    """A finger's minutiae and the geometry of the image they came from.

    Attributes
    ----------
    minutiae : (N,) ndarray of :data:`MINUTIA_DTYPE`
        Read-only structured array.
    width, height : int
        Image size in pixels at ``resolution_ppi``.
    resolution_ppi : int
        Pixels per inch of the coordinates (500 for extracted templates).
    quality : int
        Whole-image quality 0..100 (0 = unknown).
    finger_position : int
        ANSI/NIST finger position code 0..10 (0 = unknown).
    """

    minutiae: npt.NDArray[np.void]
    width: int
    height: int
    resolution_ppi: int = 500
    quality: int = 0
    finger_position: int = 0
    metadata: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        arr = np.asarray(self.minutiae)
        if arr.dtype != MINUTIA_DTYPE:
            raise TypeError(f"minutiae must have dtype MINUTIA_DTYPE, got {arr.dtype}")
        if arr.ndim != 1:
            raise ValueError(f"minutiae must be 1-D, got shape {arr.shape}")
        arr = arr.copy()
        arr.setflags(write=False)
        object.__setattr__(self, "minutiae", arr)

    @classmethod
    def from_arrays(
        cls,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        angle: npt.ArrayLike,
        type: npt.ArrayLike | None = None,
        quality: npt.ArrayLike | None = None,
        **kwargs: object,
    ) -> Template:
        """Build a template from parallel arrays (angles in radians, wrapped to [0, 2π))."""
        xs = np.asarray(x, dtype=np.float32).ravel()
        n = xs.size
        m = np.zeros(n, dtype=MINUTIA_DTYPE)
        m["x"] = xs
        m["y"] = np.asarray(y, dtype=np.float32).ravel()
        m["angle"] = np.mod(np.asarray(angle, dtype=np.float64).ravel(), 2 * np.pi)
        # float32 rounding can turn a value just below 2π into exactly 2π
        m["angle"][m["angle"] >= np.float32(2 * np.pi)] = 0.0
        if type is not None:
            m["type"] = np.asarray(type, dtype=np.uint8).ravel()
        if quality is not None:
            m["quality"] = np.asarray(quality, dtype=np.uint8).ravel()
        return cls(m, **kwargs)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return int(self.minutiae.shape[0])

    def __iter__(self):  # type: ignore[no-untyped-def]
        for r in self.minutiae:
            yield Minutia(
                float(r["x"]),
                float(r["y"]),
                float(r["angle"]),
                MinutiaType(int(r["type"])),
                int(r["quality"]),
            )

    @property
    def xy(self) -> npt.NDArray[np.float32]:
        """(N, 2) float32 array of ``(x, y)`` pixel positions."""
        return np.stack([self.minutiae["x"], self.minutiae["y"]], axis=1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Template):
            return NotImplemented
        return (
            self.width == other.width
            and self.height == other.height
            and self.resolution_ppi == other.resolution_ppi
            and self.quality == other.quality
            and self.finger_position == other.finger_position
            and np.array_equal(self.minutiae, other.minutiae)
        )

    def __hash__(self) -> int:
        return hash((self.width, self.height, len(self), self.minutiae.tobytes()))
