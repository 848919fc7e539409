"""Seeding a scenario into PostgreSQL, and the galleries' start-up from it.

Seeds a scenario (by default 400,000 people: about 84,000 subjects in the
FBI's criminal master file and 20,000 in IDENT, ten fingers each) into a
schema of its own, then starts each system's gallery mirror in a fresh
process, first from the table alone (every template decoded and packed),
then from the snapshot the first start saved (memory-mapped, only the rows
after it read), and compares one search of each. Prints the figures and,
with ``--json``, writes them.

Usage::

    .venv/bin/python benchmarks/seed_store.py [--people 400000] [--seed 7]
        [--workers 2] [--url postgresql+psycopg://postgres@127.0.0.1:5432/seedbench]
        [--schema seed_bench] [--snapshots DIR] [--skip-seed] [--json out.json]

The database in ``--url`` is created if missing (through the server's
``postgres`` database); ``--schema`` is dropped and made anew unless
``--skip-seed``. Nothing else in the database is touched.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from interop.agencies.seed import person_fingers, seed_scenario
from interop.agencies.services import CRIMINAL_SYSTEM, IMMIGRATION_SYSTEM, GalleryMirror
from interop.population import Scenario
from interop.store import Store

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/seedbench"


def _open(url: str, schema: str) -> Store:
    return Store.open(url, connect_args={"options": f"-csearch_path={schema}"})


def _prepare(url: str, schema: str) -> None:
    """Create the database if missing; drop and make ``schema`` anew."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        exists = c.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not exists:
            c.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def _memory() -> dict[str, float]:
    """This process's memory, MiB: peak RSS (since exec), and current anonymous
    and file-backed (shared page cache) RSS."""
    status = Path("/proc/self/status").read_text().splitlines()
    fields = {
        key: rest.split()[0]
        for key, _, rest in (line.partition(":") for line in status)
        if key in ("VmHWM", "RssAnon", "RssFile")
    }
    return {
        "peak_rss_mib": int(fields.get("VmHWM", 0)) / 1024,
        "rss_anon_mib": int(fields.get("RssAnon", 0)) / 1024,
        "rss_file_mib": int(fields.get("RssFile", 0)) / 1024,
    }


def _cpu_s() -> dict[str, float]:
    """CPU seconds (user + system) of this process and of its ended children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self": own.ru_utime + own.ru_stime, "children": children.ru_utime + children.ru_stime}


def start_mirror(
    url: str,
    schema: str,
    system: str,
    snapshots: str,
    save: bool,
    probe_person: int,
    seed: int,
    workers: int,
) -> dict[str, Any]:
    """Start one mirror in this (fresh) process; time it, search twice."""
    store = _open(url, schema)
    mirror = GalleryMirror(system, snapshots=snapshots, snapshot_every=10**12, workers=workers)
    before = _memory()
    t0 = time.perf_counter()
    with store.session() as s:
        enrolled = mirror.refresh(s)
    start_s = time.perf_counter() - t0
    subjects = len(mirror.gallery)
    after = _memory()
    save_s = None
    if save:
        t1 = time.perf_counter()
        with store.session() as s:
            mirror.save_snapshot(s)
        save_s = time.perf_counter() - t1
    probe = person_fingers(seed, probe_person, 99)
    t2 = time.perf_counter()
    result = mirror.gallery.search(probe)
    search_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    mirror.gallery.search(person_fingers(seed, probe_person, 98))
    second_search_s = time.perf_counter() - t3
    searched = _memory()
    # one more subject, as the FBI enrols at every booking it does not identify
    newcomer = person_fingers(seed, 10**8, 0)
    t4 = time.perf_counter()
    mirror.gallery.enrol("NEWCOMER", newcomer)
    enrol_s = time.perf_counter() - t4
    store.close()
    return {
        "system": system,
        "subjects": subjects,
        "read_from_table": enrolled,
        "start_s": start_s,
        "save_snapshot_s": save_s,
        "first_search_s": search_s,
        "second_search_s": second_search_s,
        "search": [(c.subject_id, round(c.score, 6)) for c in result.candidates[:3]],
        "memory_before": before,
        "memory_after_start": after,
        "memory_after_search": searched,
        "first_enrolment_s": enrol_s,
        "memory_after_first_enrolment": _memory(),
    }


def _in_fresh_process(**kwargs: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(start_mirror, **kwargs).result()


def _probe_people(scenario: Scenario, as_of: date) -> dict[str, int]:
    """A person enrolled in each system (for the comparison search)."""
    found: dict[str, int] = {}
    for person in scenario.people():
        if CRIMINAL_SYSTEM not in found and any(a.arrested_on < as_of for a in person.arrests):
            found[CRIMINAL_SYSTEM] = person.person_id
        if IMMIGRATION_SYSTEM not in found and any(e.on < as_of for e in person.encounters):
            found[IMMIGRATION_SYSTEM] = person.person_id
        if len(found) == 2:
            return found
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--schema", default="seed_bench")
    parser.add_argument("--snapshots", type=Path, default=None)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--skip-cold", action="store_true", help="Only start from the snapshots in --snapshots."
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    scenario = Scenario(args.people, args.seed)
    as_of = scenario.calibration.start
    figures: dict[str, Any] = {"people": args.people, "seed": args.seed, "workers": args.workers}
    if not args.skip_seed:
        _prepare(args.url, args.schema)
        store = _open(args.url, args.schema)
        cpu = _cpu_s()
        report = seed_scenario(store, scenario, as_of=as_of, workers=args.workers)
        store.close()
        after = _cpu_s()
        templates = report.rows.get("subject_templates", 0)
        figures["seed"] = {
            "seconds": report.seconds,
            "rows": report.rows,
            "rows_total": sum(report.rows.values()),
            "templates_per_s": templates / report.seconds,
            "cpu_s_main": after["self"] - cpu["self"],
            "cpu_s_synthesis_workers": after["children"] - cpu["children"],
        }
        print(
            f"seeded {sum(report.rows.values()):,} rows in {report.seconds:.1f} s "
            f"(CPU: {figures['seed']['cpu_s_main']:.0f} s this process, "
            f"{figures['seed']['cpu_s_synthesis_workers']:.0f} s synthesis workers)"
        )
        for table, n in report.rows.items():
            print(f"  {table:24s} {n:>10,}")

    snapshots = args.snapshots or Path(tempfile.mkdtemp(prefix="interop-snapshots-"))
    probes = _probe_people(scenario, as_of)
    common = {
        "url": args.url,
        "schema": args.schema,
        "snapshots": str(snapshots),
        "workers": args.workers,
        "seed": args.seed,
    }
    for system in (CRIMINAL_SYSTEM, IMMIGRATION_SYSTEM):
        probe = probes[system]
        runs = {}
        if not args.skip_cold:
            runs["table"] = _in_fresh_process(
                system=system, save=True, probe_person=probe, **common
            )
        runs["snapshot"] = _in_fresh_process(
            system=system, save=False, probe_person=probe, **common
        )
        figures[system] = {"starts": runs}
        for label, run in runs.items():
            m = run["memory_after_search"]
            saved = run["save_snapshot_s"]
            print(
                f"{system:5s} from {label:8s}: {run['subjects']:,} subjects "
                f"in {run['start_s']:.1f} s, searches {run['first_search_s']:.2f} s, "
                f"then {run['second_search_s']:.2f} s, "
                f"peak RSS {m['peak_rss_mib']:.0f} MiB "
                f"(now anon {m['rss_anon_mib']:.0f}, file {m['rss_file_mib']:.0f})"
                + (f", snapshot saved in {saved:.1f} s" if saved else "")
            )
            m = run["memory_after_first_enrolment"]
            print(
                f"      then one more subject enrolled in {run['first_enrolment_s']:.2f} s: "
                f"anon {m['rss_anon_mib']:.0f} MiB, file {m['rss_file_mib']:.0f} MiB"
            )
        if len(runs) == 2:
            same = runs["table"]["search"] == runs["snapshot"]["search"]
            figures[system]["same_search_from_both"] = same
            print(f"{system:5s} same search result from both: {same}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
