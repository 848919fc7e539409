"""How alike nearby minutiae point: synthetic prints against FVC2002 (BENCHMARKS.md §2).

For the first impressions of ``--images`` fingers of FVC2002 DB1_B and DB4_B,
and of as many synthetic fingers (:func:`write_fvc_database`, ``--seed``),
extracts the minutiae and prints the mean count per image and, over all
pairs of minutiae closer than 40 px in one image, the share whose directions
differ by less than 90 degrees ("same sense"). Ridge growth alone gives
minutiae that mostly point the way the ridges spread, so a high share means
different fingers of a class resemble each other.

Usage::

    .venv/bin/python benchmarks/minutia_directions.py [--images 10] [--seed 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from interop.evaluation.datasets import shared_data_dir
from interop.fingerprints import extract, load_fingerprint
from interop.fingerprints.synth.database import write_fvc_database

NEAR_PX = 40.0


def direction_stats(files: list[Path]) -> tuple[float, float]:
    """(mean minutiae per image, share of near pairs pointing the same sense)."""
    counts, same = [], []
    for f in files:
        m = extract(load_fingerprint(f, resolution_ppi=500)).minutiae
        counts.append(m.shape[0])
        x, y, a = (m[k].astype(np.float64) for k in ("x", "y", "angle"))
        d = np.hypot(x[:, None] - x[None], y[:, None] - y[None])
        i, j = np.nonzero(np.triu((d > 0) & (d < NEAR_PX)))
        turn = np.abs((a[i] - a[j] + np.pi) % (2 * np.pi) - np.pi)
        same.extend((turn < np.pi / 2).tolist())
    return float(np.mean(counts)), float(np.mean(same))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=10)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "fvc2002")
    args = ap.parse_args(argv)
    rows = []
    for name in ("DB1_B", "DB4_B"):
        files = sorted((args.data / name).glob("*_1.tif"))[: args.images]
        if files:
            rows.append((f"FVC2002 {name}", *direction_stats(files)))
    with tempfile.TemporaryDirectory() as tmp:
        write_fvc_database(tmp, fingers=args.images, impressions=1, seed=args.seed)
        rows.append(("synthetic", *direction_stats(sorted(Path(tmp).glob("*.png")))))
    print(f"| images | minutiae per image | near pairs (< {NEAR_PX:.0f} px) same sense |")
    print("|---|---|---|")
    for label, count, share in rows:
        print(f"| {label} | {count:.1f} | {100 * share:.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
