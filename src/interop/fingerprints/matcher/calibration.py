"""Score calibration: raw similarity to a false-match-rate scale.

The calibrated score is ``t = -10 log10(FMR)``: accepting comparisons that
score ``>= t`` admits impostor comparisons at a rate of about ``10**(-t/10)``
(t = 10: 10%, t = 20: 1%, t = 30: 0.1%, t = 40: 0.01%). It is a piecewise
linear map of the raw score through knots fitted to the empirical impostor
distribution, continued above the last knot along the fitted exponential
tail, and capped at :data:`MAX_SCORE`.

Each comparison method has its own knots: ``_calibration_table.py`` for
the cylinder comparison (:func:`calibrate`), ``_code_calibration_table.py``
for the minutia-code comparison (:mod:`.codes`), both written by
``benchmarks/calibrate_matcher.py`` (fit on FVC2002 DB1_B + DB2_B + DB3_B,
checked on DB4_B too, figures in BENCHMARKS.md). Beyond t ≈ 40 the scale is
an extrapolation: no database here has enough impostor pairs to measure it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from interop.fingerprints.matcher import _calibration_table as _mcc

MAX_SCORE = 100.0
"""Largest calibrated score (an extrapolated FMR of 1e-10)."""


@dataclass(frozen=True)
class ScoreScale:
    """A fitted map from raw similarity in [0, 1] to the FMR scale.

    Parameters
    ----------
    raw_knots, score_knots : sequences of float
        Increasing knots: raw similarity and the calibrated score there.
    tail_slope : float
        Calibrated points per unit of raw similarity above the last knot.
    """

    raw_knots: Sequence[float]
    score_knots: Sequence[float]
    tail_slope: float
    _raw: npt.NDArray[np.float64] = field(init=False, repr=False, compare=False)
    _score: npt.NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_raw", np.asarray(self.raw_knots, dtype=np.float64))
        object.__setattr__(self, "_score", np.asarray(self.score_knots, dtype=np.float64))

    def __call__(self, raw: float) -> float:
        """Calibrated score in ``[0, MAX_SCORE]``; monotone non-decreasing."""
        if raw <= self._raw[-1]:
            return float(np.interp(raw, self._raw, self._score))
        return float(min(MAX_SCORE, self._score[-1] + self.tail_slope * (raw - self._raw[-1])))

    def many(self, raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """:meth:`__call__` of every element of ``raw``."""
        raw = np.asarray(raw, dtype=np.float64)
        inside = np.interp(raw, self._raw, self._score)
        tail = np.minimum(MAX_SCORE, self._score[-1] + self.tail_slope * (raw - self._raw[-1]))
        return np.where(raw <= self._raw[-1], inside, tail)


CYLINDER_SCALE = ScoreScale(_mcc.RAW_KNOTS, _mcc.SCORE_KNOTS, _mcc.TAIL_SLOPE)
"""Calibration of the cylinder comparison (:func:`~.comparison.compare`)."""


def calibrate(raw: float) -> float:
    """Calibrated score in ``[0, MAX_SCORE]`` of a raw LSS-R similarity in ``[0, 1]``.

    Monotone non-decreasing in ``raw``.

    Examples
    --------
    >>> calibrate(0.0)
    0.0
    >>> calibrate(1.0)
    100.0
    """
    return CYLINDER_SCALE(raw)
