"""Pre-filter variants: index entries read against the mates they miss.

The pre-filter's cost is the number of index entries it reads (each one a
vote); its quality, how often the mate is not on the shortlist. This script
searches a gallery with mated ten-print probes under several pre-filter
settings (voting fingers x probe-key margin,
:func:`interop.fingerprints.gallery.search_keys` x the common keys skipped,
:meth:`interop.fingerprints.gallery.PairIndex.votes`) and prints, for each: the
entries read and the CPU time per search, and how many mates rank at or
beyond several shortlist sizes, the shortlist the pipeline would use with
that many voting fingers included.

Two sources of probes:

- ``--cache DIR --subjects N``: a cached synthetic ten-print gallery
  (``prefilter_penetration.py --cache`` or ``interop bench identify
  --cache``), probed with impression 1 of ``--probes`` of its subjects;
- ``--snapshot DIR --people N``: a gallery snapshot of the pipeline
  benchmark (``pipeline_load.py --home DIR``, e.g. the FBI's under
  ``DIR/galleries``), probed with the CARs of the first ``--bookings``
  bookings of the same scenario whose person the snapshot already holds
  (a booking the FBI must identify); the mate is the subject the full
  search (every voting finger, margin 0.5) identifies.

Usage::

    .venv/bin/python benchmarks/prefilter_variants.py --cache /tmp/g100k --subjects 100000
    .venv/bin/python benchmarks/prefilter_variants.py --snapshot DIR/galleries/fbi-... \\
        --people 480000 --bookings 2000 --variants 4:0.5:0 5:0.35:4
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from interop.agencies.prefetch import prepare_submission
from interop.agencies.seed import BookingSubmission, replay
from interop.agencies.services import PIPELINE_SEARCH
from interop.evaluation.identification import synthetic_subject
from interop.fingerprints.gallery import Gallery, SearchParameters, usable_probe
from interop.fingerprints.gallery.gallery import prefilter_probe
from interop.fingerprints.template import Template
from interop.population import Scenario

FIRST_SEED = 1_000_000
SHORTLISTS = (10, 20, 50, 100, 200)
DEEPEST = 400

Probe = tuple[str, dict[int, Template]]
"""(the mate's subject id, the probe's usable fingers)."""


def synthetic_probes(gallery: Gallery, subjects: int, probes: int) -> Iterator[Probe]:
    """Impression 1 of ``probes`` random subjects of a synthetic gallery."""
    rng = np.random.default_rng(7)
    for s in rng.choice(subjects, size=min(probes, subjects), replace=False).tolist():
        yield f"S{s:08d}", usable_probe(synthetic_subject(int(s), 1, 10, FIRST_SEED))


def booking_probes(
    gallery: Gallery, people: int, seed: int, as_of: date, bookings: int
) -> Iterator[Probe]:
    """The pipeline's bookings whose person the gallery holds, first booking of each."""
    scenario = Scenario(people=people, seed=seed)
    full = dataclasses.replace(PIPELINE_SEARCH, prefilter_fingers=10, prefilter_margin=0.5)
    seen: set[int] = set()
    for event in replay(scenario, as_of=as_of, limit=bookings):
        if not isinstance(event, BookingSubmission):
            continue
        person = event.booking.person_id
        first = person not in seen
        seen.add(person)
        if not (first and event.expected.criminal_identified):
            continue
        fingers = usable_probe(prepare_submission(event.data).probe)
        mate = gallery.search(fingers, params=full).identity
        if mate is not None:  # else booked earlier in this replay: not in the snapshot
            yield mate, fingers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--cache", type=Path, help="A cached synthetic gallery.")
    source.add_argument("--snapshot", type=Path, help="A pipeline gallery snapshot.")
    ap.add_argument("--subjects", type=int, help="--cache: subjects of the gallery.")
    ap.add_argument("--probes", type=int, default=200, help="--cache: mated probes.")
    ap.add_argument("--people", type=int, default=480_000, help="--snapshot: scenario size.")
    ap.add_argument("--seed", type=int, default=7, help="--snapshot: scenario seed.")
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2010, 6, 1))
    ap.add_argument("--bookings", type=int, default=2000, help="--snapshot: bookings read.")
    ap.add_argument("--fingers", type=int, nargs="+", default=[4, 5])
    ap.add_argument("--margins", type=float, nargs="+", default=[0.5, 0.35, 0.25])
    ap.add_argument(
        "--commons",
        type=float,
        nargs="+",
        default=[0.0, 4.0],
        help="Skip keys whose list is longer than this many times the mean (0: none).",
    )
    ap.add_argument(
        "--variants",
        nargs="+",
        default=None,
        metavar="F:M:C",
        help="Explicit variants (voting fingers:margin:common, common 0 for none) "
        "instead of the --fingers x --margins x --commons grid.",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    threadpool_limits(1)
    if args.cache is not None:
        recipe = json.loads((args.cache / "synthetic.json").read_text())
        if recipe["subjects"] != args.subjects or recipe["first_seed"] != FIRST_SEED:
            raise SystemExit(f"{args.cache} holds another gallery: {recipe}")
        gallery = Gallery.load(args.cache, mmap=False)
        probes = list(synthetic_probes(gallery, args.subjects, args.probes))
        what = f"{len(gallery):,} synthetic ten-print subjects, {len(probes)} mated probes"
    else:
        gallery = Gallery.load(args.snapshot, mmap=False)
        probes = list(booking_probes(gallery, args.people, args.seed, args.as_of, args.bookings))
        what = (
            f"{len(gallery):,} subjects of snapshot {args.snapshot.name}, "
            f"{len(probes)} mated bookings of the first {args.bookings:,}"
        )
    gallery.shortlist(probes[0][1], DEEPEST)  # load the compiled kernels

    rows = []
    print(f"Pre-filter variants on {what}")
    print(
        "| voting fingers | margin | common keys skipped | entries read / search "
        "| CPU ms / search | "
        + " | ".join(f"misses @ {n}" for n in SHORTLISTS)
        + " | misses @ the pipeline's shortlist |"
    )
    print("|" + "---|" * (6 + len(SHORTLISTS)))
    if args.variants:
        chosen = [v.split(":") for v in args.variants]
        grid = [(int(f), float(m), float(c) or None) for f, m, c in chosen]
    else:
        grid = [(f, m, c or None) for f in args.fingers for m in args.margins for c in args.commons]
    for n_fingers, margin, common in grid:
        params = SearchParameters(
            prefilter_fingers=n_fingers, prefilter_margin=margin, prefilter_common=common
        )
        ranks, scanned, cpu = [], 0, 0.0
        for mate, fingers in probes:
            voters = prefilter_probe(fingers, params)
            c0 = time.process_time()
            entries, _, n = gallery.shortlist(voters, DEEPEST, margin=margin, common=common)
            cpu += time.process_time() - c0
            scanned += n
            ids = [e[0] for e in entries]
            ranks.append(ids.index(mate) if mate in ids else DEEPEST)
        r = np.asarray(ranks)
        own = PIPELINE_SEARCH.shortlist_size(n_fingers)
        row = {
            "fingers": n_fingers,
            "margin": margin,
            "common": common,
            "probes": len(probes),
            "entries_per_search": scanned / len(probes),
            "cpu_ms_per_search": 1000 * cpu / len(probes),
            "misses": {n: int(np.sum(r >= n)) for n in SHORTLISTS},
            "pipeline_shortlist": own,
            "misses_at_pipeline_shortlist": int(np.sum(r >= own)),
        }
        rows.append(row)
        print(
            f"| {n_fingers} | {margin:g} | {f'over {common:g}x the mean' if common else 'none'} | "
            f"{row['entries_per_search']:,.0f} | "
            f"{row['cpu_ms_per_search']:.1f} | "
            + " | ".join(str(row["misses"][n]) for n in SHORTLISTS)
            + f" | {row['misses_at_pipeline_shortlist']} (of {own}) |",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
