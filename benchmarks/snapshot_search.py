"""Time the pipeline's 1:N search against a saved gallery snapshot.

Loads a gallery snapshot (a folder :meth:`interop.agencies.services.GalleryMirror.save_snapshot`
wrote: e.g. the FBI's after ``benchmarks/pipeline_load.py --home DIR``, under
``DIR/galleries``), memory-mapped as a worker does, and runs ``--searches``
searches with the pipeline's parameters (``PIPELINE_SEARCH``): every other
probe an enrolled subject's own fingers (mated), the others a synthetic
person's ten-print not in the gallery (non-mated). Prints the mean time per
search and per stage (the gallery's own timings) and the pre-filter's
postings scanned, as JSON::

    .venv/bin/python benchmarks/snapshot_search.py /tmp/load/galleries/fbi-<store>-<mark>
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from interop.agencies.seed import person_fingers
from interop.agencies.services import PIPELINE_SEARCH
from interop.fingerprints.gallery import Gallery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path, help="A snapshot folder (with mirror.json).")
    parser.add_argument("--searches", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    gallery = Gallery.load(args.snapshot, mmap=True)
    subjects = gallery.subject_ids()
    rng = np.random.default_rng(args.seed)
    stages: dict[str, float] = {}
    scanned = identified = 0
    start = time.perf_counter()
    for k in range(args.searches):
        if k % 2:
            probe = gallery.fingers(subjects[int(rng.integers(len(subjects)))])
        else:  # people far beyond any scenario's ids: in no gallery
            probe = person_fingers(args.seed, 10_000_000 + k, 1)
        result = gallery.search(probe, params=PIPELINE_SEARCH)
        for stage, seconds in result.timings_s.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
        scanned += result.scanned
        identified += result.identity is not None
    elapsed = time.perf_counter() - start
    n = args.searches
    print(
        json.dumps(
            {
                "snapshot": args.snapshot.name,
                "subjects": len(gallery),
                "searches": n,
                "mean_ms": round(1000 * elapsed / n, 1),
                "stage_mean_ms": {s: round(1000 * v / n, 1) for s, v in stages.items()},
                "postings_scanned_mean": scanned // n,
                "identified": identified,
                "mated": n // 2,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
