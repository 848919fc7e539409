"""Verification error rates from genuine and impostor score arrays.

Conventions (used by every function here):

* A **score** is a float, higher = more similar. ``-inf`` is allowed and is
  what :mod:`interop.evaluation.fvc` records for a comparison involving an
  image that failed to enrol; it is rejected by every threshold above
  ``-inf``. ``nan`` is refused.
* A comparison is **accepted** at threshold ``t`` when ``score >= t``
  (a tie with the threshold accepts), so

  - ``FMR(t)``  = fraction of impostor scores ``>= t`` (false match rate),
  - ``FNMR(t)`` = fraction of genuine scores  ``<  t`` (false non-match rate).

* All rates are **fractions in [0, 1]**, not percentages.
* The thresholds considered are every distinct score plus one threshold above
  every score (reported as ``+inf``, where FMR = 0 and FNMR = 1). Both rates
  are step functions that only change at score values, so this finite set
  reaches every (FMR, FNMR) pair any real threshold can give.

References
----------
D. Maio, D. Maltoni, R. Cappelli, J. L. Wayman, A. K. Jain, "FVC2000:
Fingerprint Verification Competition", IEEE Trans. PAMI 24(3):402-412, 2002,
doi:10.1109/34.990140 (the EER interval definition used by every FVC).

A. Martin, G. Doddington, T. Kamm, M. Ordowski, M. Przybocki, "The DET curve
in assessment of detection task performance", Eurospeech 1997.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "DetCurve",
    "EerInterval",
    "VerificationMetrics",
    "det_curve",
    "eer",
    "eer_interval",
    "fmr",
    "fnmr",
    "fnmr_at_fmr",
    "verification_metrics",
    "zero_fmr",
]

FloatArray = npt.NDArray[np.float64]


def _scores(values: npt.ArrayLike, name: str) -> FloatArray:
    """Validated, sorted, 1-D float64 copy of a score array."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} scores are empty")
    if np.isnan(arr).any():
        raise ValueError(f"{name} scores contain NaN")
    return np.sort(arr)


def fmr(impostor: npt.ArrayLike, threshold: npt.ArrayLike) -> FloatArray:
    """False match rate: fraction of impostor scores ``>= threshold``.

    Parameters
    ----------
    impostor : (M,) array_like of float
        Impostor comparison scores (non-empty, no NaN).
    threshold : float or array_like of float
        One or more thresholds.

    Returns
    -------
    ndarray of float64
        FMR in [0, 1], the shape of ``threshold``.

    Examples
    --------
    >>> float(fmr([1.0, 2.0, 3.0, 4.0], 3.0))
    0.5
    """
    imp = _scores(impostor, "impostor")
    t = np.asarray(threshold, dtype=np.float64)
    rejected = np.searchsorted(imp, t, side="left")
    return np.asarray((imp.size - rejected) / imp.size, dtype=np.float64)


def fnmr(genuine: npt.ArrayLike, threshold: npt.ArrayLike) -> FloatArray:
    """False non-match rate: fraction of genuine scores ``< threshold``.

    Parameters
    ----------
    genuine : (N,) array_like of float
        Genuine comparison scores (non-empty, no NaN).
    threshold : float or array_like of float
        One or more thresholds.

    Returns
    -------
    ndarray of float64
        FNMR in [0, 1], the shape of ``threshold``.

    Examples
    --------
    >>> float(fnmr([1.0, 2.0, 3.0, 4.0], 3.0))
    0.5
    """
    gen = _scores(genuine, "genuine")
    t = np.asarray(threshold, dtype=np.float64)
    return np.asarray(np.searchsorted(gen, t, side="left") / gen.size, dtype=np.float64)


@dataclass(frozen=True)
class DetCurve:
    """Operating points of a verifier, one per candidate threshold.

    Attributes
    ----------
    thresholds : (K,) ndarray of float64
        Increasing: every distinct score, then ``+inf`` meaning "above every
        score".
    fmr : (K,) ndarray of float64
        FMR at each threshold, non-increasing from 1 (at the lowest score) to 0.
    fnmr : (K,) ndarray of float64
        FNMR at each threshold, non-decreasing from 0 to 1.
    """

    thresholds: FloatArray
    fmr: FloatArray
    fnmr: FloatArray


def det_curve(genuine: npt.ArrayLike, impostor: npt.ArrayLike) -> DetCurve:
    """FMR and FNMR at every threshold where either changes (the DET curve).

    Parameters
    ----------
    genuine, impostor : array_like of float
        Genuine and impostor scores (non-empty, no NaN).

    Returns
    -------
    DetCurve

    Examples
    --------
    >>> c = det_curve([2.0, 3.0], [1.0, 2.0])
    >>> c.thresholds.tolist(), c.fmr.tolist(), c.fnmr.tolist()
    ([1.0, 2.0, 3.0, inf], [1.0, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 1.0])
    """
    gen = _scores(genuine, "genuine")
    imp = _scores(impostor, "impostor")
    distinct = np.unique(np.concatenate([gen, imp]))
    # The last threshold stands for "above every score"; written +inf, but
    # computed as such even when a score is itself +inf.
    thresholds = np.append(distinct, np.inf)
    fm = (imp.size - np.searchsorted(imp, distinct, side="left")) / imp.size
    fnm = np.searchsorted(gen, distinct, side="left") / gen.size
    return DetCurve(
        thresholds=thresholds,
        fmr=np.append(fm, 0.0).astype(np.float64),
        fnmr=np.append(fnm, 1.0).astype(np.float64),
    )


@dataclass(frozen=True)
class EerInterval:
    """The FVC equal error rate: an interval and its midpoint.

    Attributes
    ----------
    low, high : float
        ``EER_low`` and ``EER_high`` of Maio et al. (2002), fractions.
    threshold_low, threshold_high : float
        ``t1`` and ``t2``: the largest threshold with FNMR <= FMR and the
        smallest with FNMR >= FMR.
    """

    low: float
    high: float
    threshold_low: float
    threshold_high: float

    @property
    def eer(self) -> float:
        """Reported EER: ``(low + high) / 2``."""
        return (self.low + self.high) / 2.0


def _eer_from_curve(curve: DetCurve) -> EerInterval:
    fm, fnm, t = curve.fmr, curve.fnmr, curve.thresholds
    # Both sets are non-empty: at the first threshold FNMR = 0 <= FMR = 1, at
    # the last FNMR = 1 >= FMR = 0.
    i1 = int(np.flatnonzero(fnm <= fm)[-1])
    i2 = int(np.flatnonzero(fnm >= fm)[0])
    if fnm[i1] + fm[i1] <= fm[i2] + fnm[i2]:
        low, high = float(fnm[i1]), float(fm[i1])
    else:
        low, high = float(fm[i2]), float(fnm[i2])
    return EerInterval(low=low, high=high, threshold_low=float(t[i1]), threshold_high=float(t[i2]))


def eer_interval(genuine: npt.ArrayLike, impostor: npt.ArrayLike) -> EerInterval:
    """The equal error rate interval as computed in every FVC (Maio et al. 2002).

    With ``t1 = max{t : FNMR(t) <= FMR(t)}`` and ``t2 = min{t : FNMR(t) >= FMR(t)}``::

        [EER_low, EER_high] = [FNMR(t1), FMR(t1)]  if FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2)
                              [FMR(t2), FNMR(t2)]  otherwise

    and the reported EER is the midpoint ``(EER_low + EER_high) / 2``. When the
    two curves cross exactly at a threshold, ``EER_low == EER_high``.

    Parameters
    ----------
    genuine, impostor : array_like of float
        Genuine and impostor scores (non-empty, no NaN).

    Returns
    -------
    EerInterval

    Examples
    --------
    >>> iv = eer_interval([1.0, 4.0], [2.0, 3.0])
    >>> iv.low, iv.high, iv.eer
    (0.5, 0.5, 0.5)
    """
    return _eer_from_curve(det_curve(genuine, impostor))


def eer(genuine: npt.ArrayLike, impostor: npt.ArrayLike) -> float:
    """Equal error rate, the midpoint of :func:`eer_interval` (a fraction).

    Examples
    --------
    >>> eer([3.0, 4.0], [1.0, 2.0])
    0.0
    """
    return eer_interval(genuine, impostor).eer


def _fnmr_at(curve: DetCurve, max_fmr: float) -> float:
    ok = curve.fmr <= max_fmr
    # The last operating point (FMR = 0) always qualifies.
    return float(curve.fnmr[ok].min())


def fnmr_at_fmr(genuine: npt.ArrayLike, impostor: npt.ArrayLike, max_fmr: float) -> float:
    """Lowest FNMR over the thresholds whose FMR is ``<= max_fmr``.

    ``fnmr_at_fmr(g, i, 0.01)`` is FVC's **FMR100**, ``0.001`` gives
    **FMR1000** and ``0.0`` gives **ZeroFMR**. With ``M`` impostor scores the
    smallest non-zero FMR is ``1/M``, so FMR1000 needs ``M >= 1000`` to differ
    from ZeroFMR.

    Parameters
    ----------
    genuine, impostor : array_like of float
        Genuine and impostor scores (non-empty, no NaN).
    max_fmr : float
        Largest FMR allowed, a fraction in [0, 1].

    Returns
    -------
    float
        FNMR, a fraction in [0, 1].

    Examples
    --------
    >>> fnmr_at_fmr([1.0, 5.0, 6.0, 7.0], [0.0, 2.0, 3.0, 4.0], 0.25)
    0.25
    """
    if not 0.0 <= max_fmr <= 1.0:
        raise ValueError(f"max_fmr must be in [0, 1], got {max_fmr}")
    return _fnmr_at(det_curve(genuine, impostor), max_fmr)


def zero_fmr(genuine: npt.ArrayLike, impostor: npt.ArrayLike) -> float:
    """ZeroFMR: the lowest FNMR at which no impostor is accepted (FMR = 0).

    Examples
    --------
    >>> zero_fmr([1.0, 5.0, 6.0, 7.0], [0.0, 2.0, 3.0, 4.0])
    0.25
    """
    return fnmr_at_fmr(genuine, impostor, 0.0)


@dataclass(frozen=True)
class VerificationMetrics:
    """FVC figures of one database (all rates are fractions in [0, 1]).

    Attributes
    ----------
    eer : float
        EER midpoint with all cross-finger impostor pairs.
    eer_low, eer_high : float
        The FVC EER interval behind ``eer``.
    eer_fvc : float
        EER midpoint with FVC's own impostor set (first impressions only).
    fmr100, fmr1000, zero_fmr : float
        Lowest FNMR at FMR <= 1%, <= 0.1% and = 0, all-pairs impostors.
    """

    eer: float
    eer_low: float
    eer_high: float
    eer_fvc: float
    fmr100: float
    fmr1000: float
    zero_fmr: float


def verification_metrics(
    genuine: npt.ArrayLike,
    impostor: npt.ArrayLike,
    impostor_fvc: npt.ArrayLike | None = None,
) -> VerificationMetrics:
    """All FVC figures at once.

    Parameters
    ----------
    genuine : array_like of float
        Genuine scores.
    impostor : array_like of float
        Impostor scores used for ``eer``, ``fmr100``, ``fmr1000`` and
        ``zero_fmr`` (the all-pairs set in :mod:`interop.evaluation.fvc`).
    impostor_fvc : array_like of float, optional
        Impostor scores for ``eer_fvc`` (FVC's first-impression set); defaults
        to ``impostor``.

    Returns
    -------
    VerificationMetrics
    """
    curve = det_curve(genuine, impostor)
    iv = _eer_from_curve(curve)
    fvc_eer = iv.eer if impostor_fvc is None else eer(genuine, impostor_fvc)
    return VerificationMetrics(
        eer=iv.eer,
        eer_low=iv.low,
        eer_high=iv.high,
        eer_fvc=fvc_eer,
        fmr100=_fnmr_at(curve, 0.01),
        fmr1000=_fnmr_at(curve, 0.001),
        zero_fmr=_fnmr_at(curve, 0.0),
    )
