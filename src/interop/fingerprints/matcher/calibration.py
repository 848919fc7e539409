"""Score calibration: raw LSS-R similarity to a false-match-rate scale.

The calibrated score is ``t = -10 log10(FMR)``: accepting comparisons that
score ``>= t`` admits impostor comparisons at a rate of about ``10**(-t/10)``
(t = 10: 10%, t = 20: 1%, t = 30: 0.1%, t = 40: 0.01%). It is a piecewise
linear map of the raw score through knots fitted to the empirical impostor
distribution, continued above the last knot along the fitted exponential
tail, and capped at :data:`MAX_SCORE`.

The knots live in ``_calibration_table.py``, written by
``benchmarks/calibrate_matcher.py`` (fit on FVC2002 DB1_B + DB3_B, checked on
DB2_B + DB4_B, figures in BENCHMARKS.md). Beyond t ≈ 40 the scale is an
extrapolation: no database here has enough impostor pairs to measure it.
"""

from __future__ import annotations

import numpy as np

from interop.fingerprints.matcher._calibration_table import RAW_KNOTS, SCORE_KNOTS, TAIL_SLOPE

MAX_SCORE = 100.0
"""Largest calibrated score (an extrapolated FMR of 1e-10)."""

_RAW = np.asarray(RAW_KNOTS, dtype=np.float64)
_SCORE = np.asarray(SCORE_KNOTS, dtype=np.float64)


def calibrate(raw: float) -> float:
    """Calibrated score in ``[0, MAX_SCORE]`` of a raw similarity in ``[0, 1]``.

    Monotone non-decreasing in ``raw``.

    Examples
    --------
    >>> calibrate(0.0)
    0.0
    >>> calibrate(1.0)
    100.0
    """
    if raw <= _RAW[-1]:
        return float(np.interp(raw, _RAW, _SCORE))
    return float(min(MAX_SCORE, _SCORE[-1] + TAIL_SLOPE * (raw - _RAW[-1])))
