"""Accuracy and speed evaluation of the fingerprint engine (FVC protocol).

* :mod:`interop.evaluation.metrics`: error rates from score arrays (pure NumPy).
* :mod:`interop.evaluation.fvc`: finding FVC-style databases and running the
  verification protocol on them.
* :mod:`interop.evaluation.det_plot`: DET plots (matplotlib, Agg).
"""

from __future__ import annotations

from interop.evaluation.fvc import (
    BenchmarkResult,
    DatabaseResult,
    FvcError,
    find_databases,
    run_fvc,
    run_fvc_database,
)
from interop.evaluation.metrics import (
    DetCurve,
    VerificationMetrics,
    det_curve,
    eer,
    eer_interval,
    fmr,
    fnmr,
    fnmr_at_fmr,
    verification_metrics,
)

__all__ = [
    "BenchmarkResult",
    "DatabaseResult",
    "DetCurve",
    "FvcError",
    "VerificationMetrics",
    "det_curve",
    "eer",
    "eer_interval",
    "find_databases",
    "fmr",
    "fnmr",
    "fnmr_at_fmr",
    "run_fvc",
    "run_fvc_database",
    "verification_metrics",
]
