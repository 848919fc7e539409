"""Turning per-finger scores into one subject score, and a decision threshold.

Each finger comparison gives a calibrated score ``t = -10 log10(FMR)``
(:mod:`interop.fingerprints.matcher.calibration`): for a non-mated pair,
``P(t >= x) = 10**(-x/10)``, i.e. ``t`` is exponential with rate
``lambda = ln(10) / 10``. If the k fingers of a non-mated subject score
independently, their sum is Gamma(k, 1/lambda), so

    fused = -10 log10 P(sum of k non-mated scores >= observed sum)

is again on the false-match scale, now for the whole subject, whatever k is:
a ten-print and a single finger are compared on one scale. A search over N
non-mated subjects then returns a false candidate above ``T`` with
probability about ``N * 10**(-T/10)`` (the false-positive identification
rate, FPIR), which gives :func:`threshold_for_fpir`. Independence between
fingers and the calibration's extrapolation above t = 40 are assumptions;
``interop bench identify`` measures the FPIR the threshold really gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_RATE = math.log(10.0) / 10.0


def fused_score(scores: Sequence[float]) -> float:
    """Subject score of per-finger calibrated scores (see module docstring).

    Returns 0 for no scores. Monotone in each score; equal to the score
    itself for one finger.

    Examples
    --------
    >>> round(fused_score([30.0]), 6)
    30.0
    >>> fused_score([30.0, 30.0]) > 30.0
    True
    """
    k = len(scores)
    if k == 0:
        return 0.0
    x = _RATE * max(0.0, float(sum(scores)))
    # log of sum_{j<k} x^j / j!, the regularised upper incomplete gamma
    # function Q(k, x) times e^x, computed term by term (k is at most 10)
    term, total = 1.0, 1.0
    for j in range(1, k):
        term *= x / j
        total += term
    return (x - math.log(total)) / _RATE


def threshold_for_fpir(subjects: int, fpir: float) -> float:
    """Fused-score threshold for a target FPIR in a gallery of ``subjects``.

    Raises
    ------
    ValueError
        If ``subjects`` < 1 or ``fpir`` is not in (0, 1).

    Examples
    --------
    >>> threshold_for_fpir(100_000, 0.001)
    80.0
    """
    if subjects < 1:
        raise ValueError(f"subjects must be at least 1, got {subjects!r}")
    if not 0.0 < fpir < 1.0:
        raise ValueError(f"fpir must be in (0, 1), got {fpir!r}")
    return round(10.0 * math.log10(subjects / fpir), 9)
