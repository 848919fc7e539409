"""Time the batch part of ``interop demo`` (BENCHMARKS.md, "The main job").

Runs what ``interop demo --no-serve`` runs, on a fresh embedded store in a
temporary folder (or ``--home``), and prints the phases' wall times, the
bookings replayed and how many ended in a state other than the ground
truth's, as JSON::

    .venv/bin/python benchmarks/demo_batch.py                 # the default 10,000+ bookings
    .venv/bin/python benchmarks/demo_batch.py --bookings 2000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from interop.agencies.runtime import open_runtime
from interop.demo import DEMO_BOOKINGS, DemoPlan, run_demo
from interop.reports import Scope, monthly_statistics
from interop.reports.output import REPORT_FORMATS, render
from interop.reports.whatif import what_if
from interop.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=DEMO_BOOKINGS)
    parser.add_argument("--image-bookings", type=int, default=DemoPlan.image_bookings)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="interop-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ["INTEROP_HOME"] = str(home)
    start = time.perf_counter()
    store = Store.open(f"sqlite:///{home / 'demo.db'}")
    runtime = open_runtime(store=store)
    plan = DemoPlan(bookings=args.bookings, image_bookings=args.image_bookings)
    run = run_demo(store, runtime, plan)
    t = time.perf_counter()
    with store.session() as session:
        rows = monthly_statistics(session, plan.through, scope=Scope.NATIONAL)
    for output_format in REPORT_FORMATS:
        (home / f"national.{output_format}").write_bytes(render(rows, "demo", output_format))
    reports_s = time.perf_counter() - t
    t = time.perf_counter()
    what_if(store, ("as-operated", "honor-opt-out"), state="IL")
    whatif_s = time.perf_counter() - t
    total = time.perf_counter() - start
    figures = {
        "bookings": run.bookings,
        "image_bookings": run.image_bookings,
        "people": run.people,
        "subjects_seeded": run.seeded.subjects,
        "wrong_final_states": len(run.wrong),
        "phases_s": {**run.timings_s, "reports": reports_s, "whatif": whatif_s},
        "batch_s": total,
        "pipeline_bookings_per_s": run.bookings / run.timings_s["pipeline"],
        "cpus": os.cpu_count(),
    }
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
