"""Time to prepare a template for comparison (MCC cylinders), one core (BENCHMARKS.md §4).

Every 1:1 comparison starts from prepared templates, and a gallery's
minutia codes are made from the same cylinders at enrolment, so this cost
bounds both. Prints the median over 3 rounds of the CPU time
per :func:`interop.fingerprints.prepare` call on ``--templates``
template-level synthetic templates, and on the FVC2002 DB1_B images'
templates when the data is there.

Usage::

    .venv/bin/python benchmarks/prepare_time.py [--templates 300] [--data DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from interop.evaluation.datasets import shared_data_dir
from interop.fingerprints import Template, extract, load_fingerprint, prepare
from interop.fingerprints.synth.templates import synthetic_templates


def per_call_us(templates: list[Template], rounds: int = 3) -> float:
    """Median over ``rounds`` of CPU microseconds per prepare() call."""
    prepare(templates[0])  # compile
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        for t in templates:
            prepare(t)
        times.append((time.process_time() - t0) / len(templates))
    return 1e6 * float(np.median(times))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--templates", type=int, default=300)
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "fvc2002")
    args = ap.parse_args(argv)
    threadpool_limits(1)
    synthetic = [f[0] for f in synthetic_templates(args.templates, 1, first_seed=1000)]
    print(f"template-level synthetic: {per_call_us(synthetic):.0f} us per template")
    files = sorted((args.data / "DB1_B").glob("*.tif"))
    if files:
        fvc = [extract(load_fingerprint(f, resolution_ppi=500)) for f in files]
        print(f"FVC2002 DB1_B: {per_call_us(fvc):.0f} us per template")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
