"""Fit a comparison's score calibration and write its table.

Two comparisons are calibrated the same way: the cylinder comparison
(``--method cylinders``, the default, table ``matcher/_calibration_table.py``)
and the minutia-code comparison of galleries (``--method codes``, table
``matcher/_code_calibration_table.py``).

The calibrated score is ``t = -10 log10(FMR)``: accepting comparisons that
score ``>= t`` admits impostors at a rate of about ``10**(-t/10)``.

Method
------
1. Extract every image of the *fit* databases with the engine's defaults,
   prepare (or encode) the templates and take the raw similarity of every
   cross-finger (impostor) pair.
2. The empirical survival function ``FMR(s)`` gives knots ``(s, t)`` at
   FMR = 10^-0.1 ... 10^-2.5, where each knot rests on at least ~30 scores.
3. Above the last knot the tail is extrapolated along the straight line
   that fits ``log10 FMR`` against ``s`` over FMR in [10^-3, 10^-1]
   (impostor LSS-R scores have an exponential upper tail).
4. Each database then reports the FMR observed at t = 10, 20, 30 (near 10%,
   1%, 0.1% if the calibration held for it alone): the spread between
   databases is the calibration's uncertainty. The fit uses the three real
   sensors' databases; the synthetic DB4_B (SFinGe) is only checked: its
   impostor scores run higher than any real sensor's, and fitting on it
   would make the scale several times too conservative for real prints.

Usage::

    .venv/bin/python benchmarks/calibrate_matcher.py [DATA_DIR] [--method codes] [--write]

``DATA_DIR`` defaults to ``$INTEROP_DATA/fvc2002`` or ``../shared/data/fvc2002``;
fit on the pooled impostors of DB1_B-DB3_B, check on DB4_B too.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from interop.evaluation.datasets import shared_data_dir
from interop.evaluation.fvc import list_images, resolution_for
from interop.fingerprints.errors import FingerprintError
from interop.fingerprints.extraction import extract
from interop.fingerprints.image import load_fingerprint
from interop.fingerprints.matcher import prepare
from interop.fingerprints.matcher.codes import code_similarity, encode
from interop.fingerprints.matcher.comparison import similarity
from interop.fingerprints.template import Template

FIT = ("DB1_B", "DB2_B", "DB3_B")
CHECK = ("DB4_B",)
MATCHER = Path(__file__).resolve().parents[1] / "src/interop/fingerprints/matcher"
METHODS: dict[str, tuple[Path, Callable[[Template], Any], Callable[[Any, Any], float], str]] = {
    "cylinders": (MATCHER / "_calibration_table.py", prepare, similarity, "calibration"),
    "codes": (MATCHER / "_code_calibration_table.py", encode, code_similarity, "codes"),
}


def impostor_scores(folder: Path, method: str = "cylinders") -> npt.NDArray[np.float64]:
    """Raw similarities of all cross-finger pairs of one FVC-style folder."""
    _, make, score, _ = METHODS[method]
    ppi = resolution_for(folder)
    prepared = {}
    for im in list_images(folder):
        try:
            prepared[im.path.stem] = make(extract(load_fingerprint(im.path, resolution_ppi=ppi)))
        except FingerprintError:
            continue
    names = sorted(prepared)
    return np.array(
        [
            score(prepared[a], prepared[b])
            for a, b in itertools.combinations(names, 2)
            if a.split("_")[0] != b.split("_")[0]
        ]
    )


def survival(scores: npt.NDArray[np.float64], s: float) -> float:
    """Fraction of ``scores`` at or above ``s``."""
    return float(np.mean(scores >= s))


def fit(scores: npt.NDArray[np.float64]) -> tuple[list[float], list[float], float]:
    """Knots ``(s, t)`` and the tail slope ``dt/ds`` (see module docstring)."""
    s_sorted = np.sort(scores)[::-1]
    n = s_sorted.size
    knots_s = [0.0]
    knots_t = [0.0]
    for t in np.arange(1.0, 25.0 + 1e-9, 1.0):
        k = round(n * 10 ** (-float(t) / 10))  # k-th highest score has FMR k/n
        if k < 30:
            break
        s = float(s_sorted[k - 1])
        if s > knots_s[-1]:
            knots_s.append(s)
            knots_t.append(float(t))
    lo, hi = max(int(n * 1e-3), 3), int(n * 1e-1)
    ranks = np.arange(lo, hi + 1)
    tail_s = s_sorted[ranks - 1]
    tail_t = -10 * np.log10(ranks / n)
    slope, _ = np.polyfit(tail_s, tail_t, 1)
    return knots_s, knots_t, float(slope)


def _tuple(name: str, values: list[float]) -> str:
    """``NAME = (\n    v,\n    ...\n)`` as ruff formats it."""
    return f"{name} = (\n" + "".join(f"    {v!r},\n" for v in values) + ")\n"


def _reloaded_scale(module: str) -> Callable[[float], float]:
    """The calibration of ``module`` ("calibration" or "codes"), its table
    re-read (it may just have been rewritten)."""
    import importlib

    from interop.fingerprints.matcher import (
        _calibration_table,
        _code_calibration_table,
        calibration,
        codes,
    )

    importlib.reload(_calibration_table)
    importlib.reload(_code_calibration_table)
    if module == "codes":
        return importlib.reload(codes).CODE_SCALE
    return importlib.reload(calibration).calibrate


def main(argv: list[str] | None = None) -> int:
    default = shared_data_dir()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=default / "fvc2002")
    ap.add_argument("--method", choices=sorted(METHODS), default="cylinders")
    ap.add_argument("--write", action="store_true", help="rewrite the calibration table")
    args = ap.parse_args(argv)
    table, _, _, module = METHODS[args.method]
    per_db = {db: impostor_scores(args.data / db, args.method) for db in FIT + CHECK}
    fit_scores = np.concatenate([per_db[db] for db in FIT])
    knots_s, knots_t, slope = fit(fit_scores)
    print(
        f"fit on {'+'.join(FIT)}: {fit_scores.size} impostor scores, {len(knots_s)} knots, "
        f"tail slope {slope:.1f} per unit"
    )
    if args.write:
        table.write_text(
            '"""Generated by benchmarks/calibrate_matcher.py: do not edit by hand.\n\n'
            f"Fitted on FVC2002 {' + '.join(FIT)}, {fit_scores.size} impostor comparisons\n"
            f'(all cross-finger pairs), engine defaults, {args.method} comparison.\n"""\n\n'
            + _tuple("RAW_KNOTS", [round(s, 6) for s in knots_s])
            + _tuple("SCORE_KNOTS", knots_t)
            + f"TAIL_SLOPE = {slope:.3f}\n"
        )
        print(f"wrote {table}")
    calibrate = _reloaded_scale(module)
    for db, scores in per_db.items():
        calibrated = np.array([calibrate(s) for s in scores])
        observed = ", ".join(
            f"t={t}: {survival(calibrated, t):.3%} (expected {10 ** (-t / 10):.1%})"
            for t in (10, 20, 30)
        )
        role = "fit" if db in FIT else "check"
        print(f"{db} ({role}): {scores.size} impostors; FMR at {observed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
