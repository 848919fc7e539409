"""Load and crash test of the whole pipeline on PostgreSQL.

Seeds a synthetic scenario into a fresh PostgreSQL schema (criminal master
file and IDENT with ten-prints), replays its bookings as CARF submissions
(Type-9 minutiae) through intake while ``--workers`` worker processes
(``interop worker``) handle every agency's inbox, and measures:

- throughput: bookings per second from the first submission until every
  booking's last message was handled;
- latency of each booking: from its submission to the handling of its last
  message (the last response of the pipeline, whichever agency got it);
  p50 / p95 / max;
- correctness: every booking's final state against the population's ground
  truth (:func:`interop.agencies.seed.outcome_mismatches`; a person's next
  booking or encounter waits until their previous booking is through,
  :func:`wait_final`), no message sent twice (one message per booking,
  kind, sender and recipient), no dead message, and the transparency log
  audited (every message logged, every entry matching its message).

With ``--kills K`` it is the crash test: a thread ``kill -9``-s a random
worker K times at random intervals while the bookings flow, and starts a
new one each time; the killed worker's claimed messages are handled again
once their lease (``--lease``) expires.

Submissions are built before the clock starts (synthesising ten
impressions a booking is not the pipeline's work) and go through
:func:`interop.agencies.intake.submit_car`, the function behind
``POST /transactions``, in this process. Everything (PostgreSQL, the
workers, this driver) shares the machine's cores.

Examples
--------
::

    .venv/bin/python benchmarks/pipeline_load.py --people 20000 --bookings 1000 --rate 20
    .venv/bin/python benchmarks/pipeline_load.py --people 20000 --bookings 1000 --kills 20
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import create_engine, func, select, text

from interop.agencies.intake import submit_car
from interop.agencies.seed import (
    BookingSubmission,
    IdentEnrolment,
    enrol_in_ident,
    outcome_mismatches,
    replay,
    seed_scenario,
)
from interop.agencies.services import Services
from interop.population import Scenario
from interop.store import Store
from interop.store.models import Case, MessageRecord
from interop.store.transparency import audit, load_or_create_log_key

console = Console(stderr=True)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def bench_schema(url: str, name: str | None, keep: bool) -> Iterator[tuple[str, bool]]:
    """A URL whose connections use schema ``name`` (a new ``bench_*`` one by
    default, dropped afterwards unless ``keep``; a named one is kept), and
    whether that schema was there already (seeded by an earlier run)."""
    schema = name or f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as c:
        existed = bool(
            c.scalar(
                text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            )
        )
        if not existed:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}", existed
    finally:
        if keep or name is not None:
            console.print(f"kept schema {schema}")
        else:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class WorkerProcess:
    """One ``interop worker`` process; its log goes to a file."""

    def __init__(
        self,
        url: str,
        lease_s: float,
        log_dir: Path,
        name: str,
        keep_next: bool = True,
        claim: int | None = None,
    ) -> None:
        self.ready = threading.Event()
        self.log_path = log_dir / f"{name}.log"
        command = [
            sys.executable,
            "-c",
            "from interop.cli import app; app()",
            "worker",
            "--database",
            url,
            "--lease-seconds",
            str(lease_s),
            "--no-expire-detainers",
            "--keep-next" if keep_next else "--no-keep-next",
            *(["--claim", str(claim)] if claim is not None else []),
        ]
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream: IO[str] | None = self.process.stderr
        assert stream is not None
        with self.log_path.open("a") as out:
            for line in stream:
                out.write(line)
                if "worker ready" in line:
                    self.ready.set()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


def killer(
    workers: list[WorkerProcess],
    kills: int,
    interval: tuple[float, float],
    spawn: Any,
    done: threading.Event,
    record: list[float],
    rng: random.Random,
) -> None:
    """``kill -9`` a random worker ``kills`` times, replacing it each time."""
    for _ in range(kills):
        if done.wait(rng.uniform(*interval)):
            return
        k = rng.randrange(len(workers))
        workers[k].kill()
        record.append(time.time())
        workers[k] = spawn(f"worker-{k}-{len(record)}")


def backlog(store: Store) -> tuple[int, int, int]:
    """(cases not final, messages pending or leased, messages not yet logged)."""
    with store.session() as s:
        open_cases = s.scalar(select(func.count()).select_from(Case).where(Case.final.is_(False)))
        busy = s.scalar(
            select(func.count())
            .select_from(MessageRecord)
            .where(MessageRecord.status.in_(["pending", "leased"]))
        )
        unlogged = s.scalar(
            select(func.count()).select_from(MessageRecord).where(MessageRecord.log_index.is_(None))
        )
    return int(open_cases or 0), int(busy or 0), int(unlogged or 0)


def wait_final(store: Store, tcn: str) -> float:
    """Wait until booking ``tcn`` is final; returns the seconds waited.

    The scenario's events happen days apart; replayed in seconds, a
    person's next booking (or DHS encounter) could overtake the previous
    one in the pipeline, which real time never does. So the driver holds it
    back until the person's previous booking is through.
    """
    t = time.perf_counter()
    while True:
        with store.session() as s:
            if s.scalar(select(Case.final).where(Case.tcn == tcn)):
                return time.perf_counter() - t
        time.sleep(0.05)


def with_images(
    events: list[BookingSubmission | IdentEnrolment], folder: Path
) -> list[BookingSubmission | IdentEnrolment]:
    """The same bookings as ten-image CARs (WSQ), fingers taken in turn from an
    FVC folder's images (500 ppi): the FBI must extract every finger. These
    are not the scenario's people's fingers, so their final states are not
    checked against the ground truth (:data:`IMAGE_PATH_FIELDS` only)."""
    import cv2

    from interop.nist.car import build_car, car_from_booking
    from interop.policy.offences import OFFENCES

    paths = sorted(folder.glob("*.tif")) + sorted(folder.glob("*.png"))
    if not paths:
        raise SystemExit(f"no .tif or .png images in {folder}")
    pixels = []
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise SystemExit(f"{path}: not a readable image")
        pixels.append(np.asarray(image, dtype=np.uint8))
    out: list[BookingSubmission | IdentEnrolment] = []
    k = 0
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("encoding image CARs", total=len(events))
        for event in events:
            bar.advance(task)
            if isinstance(event, IdentEnrolment):
                out.append(event)
                continue
            fingers = {p: pixels[(k + p) % len(pixels)] for p in range(1, 11)}
            k += 10
            literal = OFFENCES[event.booking.charge].title.upper()
            data = build_car(car_from_booking(event.booking, fingers, literal))
            out.append(dataclasses.replace(event, data=data))
    return out


IMAGE_PATH_FIELDS = ("final",)
"""What the image path checks of each booking's outcome: that it ended."""


def measure(store: Store, tcns: list[str], start: float, submitted: float) -> dict[str, Any]:
    """Throughput and latency of one phase's bookings.

    A booking's latency runs from its submission to the handling of its last
    message; the phase's throughput is its bookings over the time from its
    first submission to the end of its last booking.
    """
    with store.session() as s:
        submitted_at = dict(
            s.execute(select(Case.tcn, Case.submitted_at).where(Case.tcn.in_(tcns))).all()
        )
        finished = dict(
            s.execute(
                select(MessageRecord.tcn, func.max(MessageRecord.done_at))
                .where(MessageRecord.tcn.in_(tcns))
                .group_by(MessageRecord.tcn)
            ).all()
        )
    ends = {t: at.timestamp() for t, at in finished.items() if at is not None}
    latency = [ends[t] - submitted_at[t].timestamp() for t in tcns]
    end = max(ends[t] for t in tcns)
    # p50 of each tenth of the phase, in submission order: a backlog left by
    # the start shows as a falling series, a lack of capacity as a rising one
    tenths = [chunk for chunk in np.array_split(np.asarray(latency), 10) if chunk.size]
    return {
        "submit_rate_per_s": round(len(tcns) / max(submitted - start, 1e-9), 2),
        "throughput_per_s": round(len(tcns) / (end - start), 2),
        "elapsed_s": round(end - start, 1),
        "latency_s": {
            "p50": round(percentile(latency, 0.5), 3),
            "p95": round(percentile(latency, 0.95), 3),
            "max": round(max(latency), 3),
            "p50_by_tenth": [round(float(np.median(chunk)), 2) for chunk in tenths],
        },
    }


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine since boot, all cores
    (Linux's ``/proc/stat``; idle and I/O wait are not busy)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - ticks[3] - ticks[4]) / hz, sum(ticks) / hz


def process_cpu(pid: int) -> float | None:
    """User and system CPU seconds of process ``pid`` (None: it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CpuReading = tuple[tuple[float, float], dict[int, float]]
"""(:func:`machine_cpu`, worker pid -> :func:`process_cpu` of the live ones)."""


def cpu_reading(workers: list[WorkerProcess]) -> CpuReading:
    """The machine's CPU time and each live worker's, now."""
    spent = {w.process.pid: process_cpu(w.process.pid) for w in workers}
    return machine_cpu(), {pid: t for pid, t in spent.items() if t is not None}


def cpu_use(before: CpuReading, after: CpuReading, bookings: int) -> dict[str, float | None]:
    """How busy the machine was between two readings, and the workers' CPU
    per booking (of the workers alive at both: None when none lived through
    the phase, as in the crash test, which replaces them)."""
    (busy0, all0), workers0 = before
    (busy1, all1), workers1 = after
    spent = [workers1[pid] - t for pid, t in workers0.items() if pid in workers1]
    return {
        "machine_busy": round((busy1 - busy0) / max(all1 - all0, 1e-9), 3),
        "workers_cpu_ms_per_booking": (
            round(1000 * sum(spent) / max(bookings, 1), 1) if spent else None
        ),
    }


def percentile(values: list[float], q: float) -> float:

    return float(np.percentile(values, 100 * q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("INTEROP_BENCH_POSTGRES", DEFAULT_URL))
    parser.add_argument("--people", type=int, default=20_000, help="Scenario size.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2010, 6, 1))
    parser.add_argument("--bookings", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[0.0],
        help="Bookings/s of each phase (0: all at once); --bookings each.",
    )
    parser.add_argument(
        "--images", type=Path, help="FVC folder: submit ten-image CARs (WSQ) instead of CARF."
    )
    parser.add_argument("--kills", type=int, default=0)
    parser.add_argument("--kill-interval", type=float, nargs=2, default=(2.0, 8.0))
    parser.add_argument("--lease", type=float, default=5.0, help="Lease seconds.")
    parser.add_argument(
        "--no-keep-next",
        dest="keep_next",
        action="store_false",
        help="Workers claim every step (interop worker --no-keep-next).",
    )
    parser.add_argument(
        "--claim", type=int, help="Messages a worker claims at a time (interop worker --claim)."
    )
    parser.add_argument("--seed-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--json", type=Path, help="Write the figures here.")
    parser.add_argument("--keep", action="store_true", help="Keep the schema.")
    parser.add_argument(
        "--schema",
        help="Use this schema, kept afterwards: seeded only if new (then reuse it with the "
        "same --people, --seed, --as-of and --home, and --skip-bookings past earlier runs).",
    )
    parser.add_argument(
        "--home", type=Path, help="INTEROP_HOME (gallery snapshots, log key); a new one by default."
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="Seed (if new) and prime the snapshots, then stop (with --schema and --home).",
    )
    parser.add_argument(
        "--skip-bookings",
        type=int,
        default=0,
        help="Start the replay after this many bookings (those an earlier run on --schema sent).",
    )
    args = parser.parse_args()

    work = args.home or Path(tempfile.mkdtemp(prefix="interop-load-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["INTEROP_HOME"] = str(work)  # the workers' log key and gallery snapshots
    os.environ["INTEROP_LOG_KEY"] = str(work / "log-key.pem")
    key = load_or_create_log_key()
    result: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}

    with bench_schema(args.database, args.schema, args.keep) as (url, existed):
        store = Store.open(url)
        scenario = Scenario(people=args.people, seed=args.seed)
        if existed:
            result["seed"] = {"reused_schema": args.schema}
        else:
            seeded = seed_scenario(store, scenario, as_of=args.as_of, workers=args.seed_workers)
            result["seed"] = {"seconds": round(seeded.seconds, 1), "rows": seeded.rows}
            console.print(f"seeded in {seeded.seconds:.0f} s: {seeded.rows}")

        t = time.perf_counter()
        primed = Services.with_snapshots(workers=args.seed_workers)
        with store.session() as s:
            for mirror in (primed.criminal, primed.immigration):
                mirror.refresh(s)
                mirror.save_snapshot(s)
        result["galleries"] = {
            "criminal_subjects": len(primed.criminal.gallery),
            "immigration_subjects": len(primed.immigration.gallery),
            "snapshot_s": round(time.perf_counter() - t, 1),
        }
        del primed
        console.print(f"gallery snapshots: {result['galleries']}")
        if args.prepare_only:
            store.close()
            print(json.dumps(result, indent=2))
            return

        t = time.perf_counter()
        events: list[BookingSubmission | IdentEnrolment] = []
        wanted = args.skip_bookings + args.bookings * len(args.rate)
        skipped = 0
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("building submissions", total=wanted)
            for event in replay(scenario, as_of=args.as_of, limit=wanted):
                if skipped < args.skip_bookings:  # sent by an earlier run, with what came before
                    skipped += isinstance(event, BookingSubmission)
                else:
                    events.append(event)
                if isinstance(event, BookingSubmission):
                    bar.advance(task)
        if args.images is not None:
            events = with_images(events, args.images)
        submissions = [e for e in events if isinstance(e, BookingSubmission)]
        plan = [(args.bookings, rate) for rate in args.rate]
        result["build_s"] = round(time.perf_counter() - t, 1)

        def spawn(name: str) -> WorkerProcess:
            return WorkerProcess(url, args.lease, work, name, args.keep_next, args.claim)

        t = time.perf_counter()
        workers = [spawn(f"worker-{k}") for k in range(args.workers)]
        for w in workers:
            if not w.ready.wait(timeout=1800):
                raise SystemExit(f"a worker did not start: see {w.log_path}")
        result["worker_start_s"] = round(time.perf_counter() - t, 1)

        done = threading.Event()
        kills: list[float] = []
        rng = random.Random(args.seed)
        chaos = threading.Thread(
            target=killer,
            args=(workers, args.kills, tuple(args.kill_interval), spawn, done, kills, rng),
            daemon=True,
        )
        start = time.time()
        if args.kills:
            chaos.start()
        phases = []
        outstanding: dict[int, str] = {}  # person id -> TCN of their last booking
        cursor = 0
        for bookings, rate in plan:
            phase: dict[str, Any] = {"bookings": bookings, "rate": rate}
            tcns: list[str] = []
            held_back = 0.0
            phase_start = time.time()
            cpu_before = cpu_reading(workers)
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task(f"submitting at {rate or 'max'}/s", total=bookings)
                while len(tcns) < bookings and cursor < len(events):
                    event = events[cursor]
                    cursor += 1
                    person = (
                        event.person.person_id
                        if isinstance(event, IdentEnrolment)
                        else event.booking.person_id
                    )
                    if person in outstanding:
                        held_back += wait_final(store, outstanding.pop(person))
                    if isinstance(event, IdentEnrolment):
                        enrol_in_ident(store, event)
                        continue
                    outstanding[person] = event.tcn
                    if rate > 0:
                        delay = phase_start + len(tcns) / rate - time.time()
                        if delay > 0:
                            time.sleep(delay)
                    submit_car(store, event.data, submitter_ori=event.ori)
                    tcns.append(event.tcn)
                    bar.advance(task)
                submitted = time.time()
                task = bar.add_task("draining", total=len(tcns))
                while True:
                    open_cases, busy, unlogged = backlog(store)
                    bar.update(task, completed=len(tcns) - open_cases)
                    if open_cases == 0 and busy == 0 and unlogged == 0:
                        break
                    if time.time() - start > args.timeout:
                        raise SystemExit(f"timed out: {open_cases} cases open, {busy} busy")
                    time.sleep(0.5)
            cpu_after = cpu_reading(workers)
            phase.update(measure(store, tcns, phase_start, submitted))
            phase["cpu"] = cpu_use(cpu_before, cpu_after, len(tcns))
            phase["held_back_s"] = round(held_back, 1)
            phases.append(phase)
            console.print(f"phase: {phase}")
        while args.kills and chaos.is_alive() and len(kills) < args.kills:
            time.sleep(0.5)  # not reached when the kills fit in the run (the usual case)
        done.set()
        for w in workers:
            w.stop()
        if chaos.is_alive():
            chaos.join()

        with store.session() as s:
            cases = {c.tcn: c for c in s.scalars(select(Case))}
            messages = s.execute(
                select(
                    MessageRecord.tcn,
                    MessageRecord.kind,
                    MessageRecord.sender,
                    MessageRecord.recipient,
                    MessageRecord.status,
                )
            ).all()
        sent = [x for x in submissions if x.tcn in cases]
        wrong = {}
        for x in sent:
            fields = outcome_mismatches(cases.get(x.tcn), x.expected)
            if args.images is not None:
                fields = [f for f in fields if f in IMAGE_PATH_FIELDS]
            if fields:
                wrong[x.tcn] = fields
        repeats = Counter((m.tcn, m.kind, m.sender, m.recipient) for m in messages)
        twice = sum(1 for n in repeats.values() if n > 1)
        status = Counter(m.status for m in messages)
        report = audit(store, key.public_key)
        store.close()

    result.update(
        {
            "bookings": len(sent),
            "messages": len(messages),
            "phases": phases,
            "kills": len(kills),
            "wrong_final_states": len(wrong),
            "wrong_fields": dict(Counter(f for fields in wrong.values() for f in fields)),
            "wrong": wrong,  # TCN -> fields (synthetic bookings: no one's data)
            "messages_sent_twice": twice,
            "message_status": dict(status),
            "log": {
                "ok": report.ok,
                "leaves": report.size,
                "signed_heads": report.heads,
                "unlogged": report.unlogged,
                "problem": None if report.log.problem is None else str(report.log.problem),
                "mismatches": report.mismatch_count,
            },
        }
    )
    text_ = json.dumps(result, indent=2)
    print(text_)
    if args.json:
        args.json.write_text(text_ + "\n")
    ok = not wrong and twice == 0 and report.ok and status.get("dead", 0) == 0
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
