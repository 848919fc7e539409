"""1:1 comparison throughput on one core, prepared templates (BENCHMARKS.md).

Extracts and prepares every image of each FVC-style database under DATA_DIR,
then times every protocol comparison (all pairs of the database's images:
genuine and all cross-finger impostors) in one thread, ``repeats`` times,
keeping the fastest pass (the machine is shared: the fastest pass is the
least disturbed). Reports comparisons per second per database and overall
(all comparisons over their total time), and the prepared template size.

Usage::

    .venv/bin/python benchmarks/compare_throughput.py [DATA_DIR] [--repeats 3]

``DATA_DIR`` defaults to ``$INTEROP_DATA/fvc2002`` or ``../shared/data/fvc2002``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import cv2
from threadpoolctl import threadpool_limits

from interop.evaluation.datasets import shared_data_dir
from interop.evaluation.fvc import find_databases, list_images, resolution_for
from interop.fingerprints.errors import FingerprintError
from interop.fingerprints.extraction import extract
from interop.fingerprints.image import load_fingerprint
from interop.fingerprints.matcher import PreparedTemplate, compare, prepare


def prepared_templates(folder: Path) -> list[PreparedTemplate]:
    """Every image of ``folder`` that enrols, prepared for comparison."""
    ppi = resolution_for(folder)
    out = []
    for im in list_images(folder):
        try:
            out.append(prepare(extract(load_fingerprint(im.path, resolution_ppi=ppi))))
        except FingerprintError:
            continue
    return out


def nbytes(p: PreparedTemplate) -> int:
    """Bytes of the arrays of a prepared template."""
    arrays = (p.cylinders, p.geometry, p.distances, p.radial, p.hull, p.keys)
    return sum(int(a.nbytes) for a in arrays)


def main(argv: list[str] | None = None) -> int:
    default = shared_data_dir()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=default / "fvc2002")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    threadpool_limits(1)
    total_n = 0
    total_s = 0.0
    for folder in find_databases(args.data):
        templates = prepared_templates(folder)
        pairs = list(itertools.combinations(templates, 2))
        compare(*pairs[0])  # compile / load the kernels
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for a, b in pairs:
                compare(a, b)
            best = min(best, time.perf_counter() - t0)
        total_n += len(pairs)
        total_s += best
        size = sum(nbytes(p) for p in templates) / len(templates)
        print(
            f"{folder.name}: {len(pairs)} comparisons, {len(pairs) / best:,.0f}/s, "
            f"{1e6 * best / len(pairs):.1f} µs mean; prepared template {size / 1024:.1f} KiB"
        )
    print(f"overall: {total_n} comparisons, {total_n / total_s:,.0f} comparisons/s on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
