"""Minutia-code comparison on FVC2002: error rates and speed (BENCHMARKS.md §4).

For each database (DB1_B-DB4_B): every image extracted with the engine's
defaults and encoded (:func:`interop.fingerprints.matcher.codes.encode`);
every pair of images compared once with the code comparison (genuine: same
finger, impostor: different fingers), and the same pairs with the cylinder
comparison for reference. Reports EER and FNMR at FMR 0.1% of both, then
the speed of the code comparison in the gallery's form: one probe against
all the database's other images in one :meth:`CodedProbe.raw_scores` call,
repeated, per CPU second (one thread).

Usage::

    .venv/bin/python benchmarks/code_comparison.py [DATA_DIR] [--repeat 20]
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from interop.evaluation.datasets import shared_data_dir
from interop.evaluation.fvc import list_images, resolution_for
from interop.evaluation.metrics import eer, fnmr_at_fmr
from interop.fingerprints.errors import FingerprintError
from interop.fingerprints.extraction import extract
from interop.fingerprints.image import load_fingerprint
from interop.fingerprints.matcher import prepare
from interop.fingerprints.matcher.codes import CodedProbe, code_similarity, encode
from interop.fingerprints.matcher.comparison import similarity
from interop.fingerprints.template import Template

DATABASES = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")


def templates(folder: Path) -> dict[str, Template]:
    ppi = resolution_for(folder)
    out = {}
    for im in list_images(folder):
        try:
            out[im.path.stem] = extract(load_fingerprint(im.path, resolution_ppi=ppi))
        except FingerprintError:
            continue
    return out


def speed(coded: list, repeat: int) -> float:
    """Code comparisons per CPU second: each template against all the others."""
    minutiae = np.concatenate([c.minutiae for c in coded])
    codes = np.concatenate([c.codes for c in coded])
    counts = np.array([c.minutiae.shape[0] for c in coded], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    probes = [CodedProbe.of(c) for c in coded]
    probes[0].raw_scores(minutiae, codes, starts, counts)  # compile
    t0 = time.process_time()
    for _ in range(repeat):
        for p in probes:
            p.raw_scores(minutiae, codes, starts, counts)
    return repeat * len(probes) * len(coded) / (time.process_time() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=shared_data_dir() / "fvc2002")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    print(
        "| database | code EER | code FNMR@FMR0.1% | cylinder EER | cylinder FNMR@FMR0.1% "
        "| code comparisons /s/core | minutiae per template |"
    )
    print("|---|---|---|---|---|---|---|")
    eers = []
    for db in DATABASES:
        t = templates(args.data / db)
        names = sorted(t)
        coded = {n: encode(t[n]) for n in names}
        prepared = {n: prepare(t[n]) for n in names}
        gen_c, imp_c, gen_m, imp_m = [], [], [], []
        for a, b in itertools.combinations(names, 2):
            genuine = a.split("_")[0] == b.split("_")[0]
            (gen_c if genuine else imp_c).append(code_similarity(coded[a], coded[b]))
            (gen_m if genuine else imp_m).append(similarity(prepared[a], prepared[b]))
        rate = speed([coded[n] for n in names], args.repeat)
        eers.append(eer(gen_c, imp_c))
        mean_minutiae = np.mean([c.minutiae.shape[0] for c in coded.values()])
        print(
            f"| {db} | {eers[-1]:.2%} | {fnmr_at_fmr(gen_c, imp_c, 1e-3):.2%} "
            f"| {eer(gen_m, imp_m):.2%} | {fnmr_at_fmr(gen_m, imp_m, 1e-3):.2%} "
            f"| {rate:,.0f} | {mean_minutiae:.0f} |",
            flush=True,
        )
    print(f"mean code EER {np.mean(eers):.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
