"""Time to prepare a template (MCC cylinders) and to encode it (minutia codes),
one core (BENCHMARKS.md §4).

Every 1:1 comparison starts from prepared templates; a gallery's minutia
codes are made from the same cylinders at enrolment. Prints the median over
3 rounds of the CPU time per :func:`interop.fingerprints.prepare` and per
:func:`interop.fingerprints.matcher.codes.encode` call on ``--templates``
template-level synthetic templates, and on the FVC2002 DB1_B images'
templates when the data is there.

Usage::

    .venv/bin/python benchmarks/prepare_time.py [--templates 300] [--data DIR]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from interop.evaluation.datasets import shared_data_dir
from interop.fingerprints import Template, extract, load_fingerprint, prepare
from interop.fingerprints.matcher.codes import encode
from interop.fingerprints.synth.templates import synthetic_templates


def per_call_us(
    templates: list[Template], fn: Callable[[Template], object] = prepare, rounds: int = 3
) -> float:
    """Median over ``rounds`` of CPU microseconds per ``fn`` call."""
    fn(templates[0])  # compile
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        for t in templates:
            fn(t)
        times.append((time.process_time() - t0) / len(templates))
    return 1e6 * float(np.median(times))


def report(label: str, templates: list[Template]) -> None:
    print(
        f"{label}: prepare {per_call_us(templates):.0f} us, "
        f"encode (minutia codes) {per_call_us(templates, encode):.0f} us per template"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--templates", type=int, default=300)
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "fvc2002")
    args = ap.parse_args(argv)
    threadpool_limits(1)
    synthetic = [f[0] for f in synthetic_templates(args.templates, 1, first_seed=1000)]
    report("template-level synthetic", synthetic)
    files = sorted((args.data / "DB1_B").glob("*.tif"))
    if files:
        fvc = [extract(load_fingerprint(f, resolution_ppi=500)) for f in files]
        report("FVC2002 DB1_B", fvc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
