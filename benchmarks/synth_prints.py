"""Image-level synthetic fingerprints against FVC2002 DB4_B (BENCHMARKS.md §2).

Writes ``--sets`` FVC-style databases (10 fingers x 8 impressions by
default) with :func:`interop.fingerprints.synth.database.write_fvc_database`,
timing masters and impressions, runs the FVC protocol of ``interop bench
verify`` on them and on DB4_B, and prints per set: EER, FMR100, FMR1000,
ZeroFMR, and the share of all-pairs impostor scores reaching t = 10, 20, 30
on the calibrated scale.

Usage::

    .venv/bin/python benchmarks/synth_prints.py [--sets 4] [--seed 1] [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

from interop.evaluation.datasets import shared_data_dir
from interop.evaluation.fvc import DatabaseResult, resolution_for, run_fvc_database
from interop.fingerprints.synth import impression, master_fingerprint
from interop.fingerprints.synth.database import write_fvc_database

THRESHOLDS = (10, 20, 30)


def row(label: str, r: DatabaseResult) -> str:
    """One table row, rates in %."""
    m = r.metrics
    tail = " | ".join(f"{100 * np.mean(r.impostor >= t):.1f}%" for t in THRESHOLDS)
    return (
        f"| {label} | {100 * m.eer:.2f} | {100 * m.fmr100:.2f} | {100 * m.fmr1000:.2f} | "
        f"{100 * m.zero_fmr:.2f} | {tail} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fingers", type=int, default=10)
    ap.add_argument("--impressions", type=int, default=8)
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "fvc2002")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    threadpool_limits(1)

    t0 = time.perf_counter()
    masters = [master_fingerprint(s) for s in range(5)]
    t1 = time.perf_counter()
    for k in range(20):
        impression(masters[0], k)
    t2 = time.perf_counter()
    print(f"master {(t1 - t0) / 5:.2f} s, impression {1000 * (t2 - t1) / 20:.0f} ms (one core)")

    rows = []
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.sets):
            folder = Path(tmp) / f"SYN{k + 1}"
            write_fvc_database(
                folder, fingers=args.fingers, impressions=args.impressions, seed=args.seed + k
            )
            result = run_fvc_database(folder, resolution_ppi=500)
            results.append(result)
            rows.append(row(folder.name, result))
    db4 = args.data / "DB4_B"
    if db4.is_dir():
        rows.append(row("FVC2002 DB4_B", run_fvc_database(db4, resolution_ppi=resolution_for(db4))))
    header = "| set | EER | FMR100 | FMR1000 | ZeroFMR | " + " | ".join(
        f"impostors ≥ {t}" for t in THRESHOLDS
    )
    print(header + " |")
    print("|---" * (5 + len(THRESHOLDS)) + "|")
    print("\n".join(rows))
    eer = np.mean([r.metrics.eer for r in results])
    tails = [np.mean([np.mean(r.impostor >= t) for r in results]) for t in THRESHOLDS]
    print(
        f"mean of the sets: EER {100 * eer:.2f}%, impostors ≥ "
        + ", ".join(f"{t}: {100 * v:.1f}%" for t, v in zip(THRESHOLDS, tails, strict=True))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
