"""Fit the minutia-code projection and write ``matcher/_code_projection.npz``.

The projection (:func:`interop.fingerprints.matcher.codes.train_projection`)
is fitted on the valid cylinders of one impression each of synthetic
fingers (template-level synthesis, masters 7,000,000 on: disjoint from the
masters the identification benchmarks enrol), never on FVC data. After
rewriting it, re-fit the code calibration
(``benchmarks/calibrate_matcher.py --method codes --write``): the raw
scores change with the projection.

Usage::

    .venv/bin/python benchmarks/train_minutia_codes.py [--fingers 1500] [--write]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from interop.fingerprints.matcher import codes
from interop.fingerprints.synth.templates import synthetic_templates

FIRST_SEED = 7_000_000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fingers", type=int, default=1500, help="synthetic fingers (default 1500)")
    ap.add_argument("--write", action="store_true", help="rewrite the stored projection")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    templates = (t[0] for t in synthetic_templates(args.fingers, 1, first_seed=FIRST_SEED))
    projection = codes.train_projection(templates)
    w = projection.weights
    print(
        f"fitted on {args.fingers} synthetic fingers in {time.perf_counter() - t0:.1f} s: "
        f"weights {w.shape} int8 (|w| mean {np.abs(w).mean():.1f}), "
        f"thresholds {projection.thresholds.min()}..{projection.thresholds.max()}"
    )
    if args.write:
        codes.save_projection(projection)
        print(f"wrote {codes.PROJECTION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
