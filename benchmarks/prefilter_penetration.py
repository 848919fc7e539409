"""Pre-filter penetration against the misses it causes (BENCHMARKS.md §4).

For mated probes of 1, 2, 4 and 10 fingers searched in a synthetic ten-print
gallery (template-level synthesis, as ``interop bench identify``), the rank
of the mate in the pre-filter's order; a shortlist of n subjects misses the
mate when that rank is n or worse, and its penetration rate is n / subjects.
Prints, for several shortlist sizes, the penetration and the miss rate by
number of probe fingers, and the pre-filter's own speed (gallery fingers
scored per CPU second).

Usage::

    .venv/bin/python benchmarks/prefilter_penetration.py --subjects 10000 [--probes 200]
        [--cache DIR] [--workers 2]

``--cache`` reuses (or writes) the gallery folder of ``interop bench identify
--cache``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from interop.evaluation.identification import build_synthetic_gallery, synthetic_subject
from interop.fingerprints.gallery import Gallery, usable_probe

FIRST_SEED = 1_000_000
FINGER_COUNTS = (1, 2, 4, 10)
SHORTLISTS = (1, 5, 10, 20, 40, 100, 200, 400)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--probes", type=int, default=200)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    threadpool_limits(1)

    recipe = {"subjects": args.subjects, "fingers": 10, "first_seed": FIRST_SEED}
    stamp = args.cache / "synthetic.json" if args.cache else None
    if stamp is not None and stamp.is_file() and json.loads(stamp.read_text()) == recipe:
        gallery = Gallery.load(stamp.parent)
    else:
        gallery = build_synthetic_gallery(args.subjects, workers=args.workers)
        if stamp is not None:
            gallery.save(stamp.parent)
            stamp.write_text(json.dumps(recipe))

    rng = np.random.default_rng(7)
    chosen = rng.choice(args.subjects, size=min(args.probes, args.subjects), replace=False)
    deepest = max(SHORTLISTS)
    ranks: dict[int, list[int]] = {n: [] for n in FINGER_COUNTS}
    cpu = {n: 0.0 for n in FINGER_COUNTS}
    for s in chosen.tolist():
        subject = synthetic_subject(int(s), 1, 10, FIRST_SEED)
        truth = f"S{s:08d}"
        for n in FINGER_COUNTS:
            probe = usable_probe({p: subject[p] for p in sorted(subject)[:n]})
            c0 = time.process_time()
            entries, _, _ = gallery.shortlist(probe, deepest)
            cpu[n] += time.process_time() - c0
            ids = [e[0] for e in entries]
            ranks[n].append(ids.index(truth) if truth in ids else deepest)

    print(
        f"Pre-filter on {args.subjects:,} synthetic ten-print subjects, "
        f"{len(chosen)} mated probes per finger count"
    )
    header = "| shortlist | penetration | " + " | ".join(
        f"misses, {n} finger{'s' if n > 1 else ''}" for n in FINGER_COUNTS
    )
    print(header + " |")
    print("|" + "---|" * (2 + len(FINGER_COUNTS)))
    for size in SHORTLISTS:
        cells = [f"{100 * np.mean(np.asarray(ranks[n]) >= size):.1f}%" for n in FINGER_COUNTS]
        print(f"| {size} | {100 * size / args.subjects:.3g}% | " + " | ".join(cells) + " |")
    speed = [
        f"{n} finger(s): {len(chosen) * n * args.subjects / cpu[n] / 1e6:.1f} M fingers/s"
        for n in FINGER_COUNTS
    ]
    print("pre-filter speed (gallery fingers of the probed positions per CPU second): ")
    print("; ".join(speed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
