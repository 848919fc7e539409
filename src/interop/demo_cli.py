"""``interop demo``: the README's main command (:mod:`interop.demo` computes, this renders)."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from interop.demo import DEMO_BOOKINGS, DEMO_START, DemoPlan, DemoRun
from interop.reports.monthly import MonthlyRow

if TYPE_CHECKING:
    from interop.store import Store

DEMO_HOME = Path(".interop") / "demo"
"""Where the demonstration keeps its store, keys, galleries and reports."""

DEMO_FILES = ("demo.db", "demo.db-wal", "demo.db-shm", "demo.db-journal")
"""The store's files, removed before each run (the store is always fresh)."""

PHASES = {
    "scenario": "population and replay",
    "seed": "seeding the store",
    "galleries": "filling the galleries",
    "images": "synthesising image bookings",
    "bookings": "bookings through the pipeline",
}


def _fresh_home(home: Path) -> Path:
    """``home`` made ready for a fresh run: the previous run's store,
    galleries and reports removed; nothing else in the folder is touched."""
    home.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        (home / name).unlink(missing_ok=True)
    for folder in ("galleries", "reports"):
        shutil.rmtree(home / folder, ignore_errors=True)
    return home


def _summary(run: DemoRun, console: Console) -> None:
    table = Table(title="The run", show_header=False)
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_row("simulated population", f"{run.people:,}")
    table.add_row("records written (criminal and IDENT subjects)", f"{run.seeded.subjects:,}")
    table.add_row("bookings replayed", f"{run.bookings:,}")
    table.add_row("  of which as ten images (WSQ)", f"{run.image_bookings:,}")
    table.add_row("DHS encounters enrolled in IDENT", f"{run.encounters:,}")
    table.add_row("ICE custody taken on the population's day", f"{run.custody:,}")
    for reason, n in sorted(run.custody_refused.items()):
        table.add_row(f"  refused: {reason}", f"{n:,}")
    right = run.bookings - len(run.wrong)
    table.add_row("final states equal to the ground truth", f"{right:,} of {run.bookings:,}")
    differing = Counter(name for names in run.wrong.values() for name in names)
    for name, n in sorted(differing.items()):
        table.add_row(f"  differing in {name}", f"{n:,}")
    for phase, seconds in run.timings_s.items():
        table.add_row(f"time: {phase}", f"{seconds:,.1f} s")
    console.print(table)


def _national(rows: list[MonthlyRow], console: Console) -> None:
    last = rows[-1]
    table = Table(
        title=f"IDENT/IAFIS Interoperability Statistics, national, through {last.month:%B %Y}"
    )
    table.add_column("cumulative")
    for level in ("Level 1", "Level 2", "Level 3", "Non-criminal", "Total"):
        table.add_column(level, justify="right")

    def add(name: str, values: list[int]) -> None:
        table.add_row(name, *(f"{v:,}" for v in values), f"{sum(values):,}")

    table.add_row("submissions", "", "", "", "", f"{last.cumulative_submissions:,}")
    add("IDENT matches", last.cumulative_matches_by_level)
    add("booked into ICE custody", last.cumulative_custody_by_level)
    add("removals", last.cumulative_removals_by_level)
    console.print(table)


def demo(
    bookings: Annotated[
        int, typer.Option(min=1, max=200_000, help="Fewest bookings replayed.")
    ] = DEMO_BOOKINGS,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the population.")] = DemoPlan.seed,
    image_bookings: Annotated[
        int,
        typer.Option(min=0, max=1_000, help="Bookings submitted as ten fingerprint images."),
    ] = DemoPlan.image_bookings,
    distractors: Annotated[
        int, typer.Option(min=0, max=1_000_000, help="Unbooked people written to the store.")
    ] = DemoPlan.distractors,
    home: Annotated[
        Path, typer.Option(file_okay=False, help="Folder of the demo's store and reports.")
    ] = DEMO_HOME,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address the dashboard listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the dashboard.")] = 8000,
) -> None:
    """Run the program on a calibrated synthetic scenario, end to end.

    Builds a fresh embedded store under HOME, replays at least BOOKINGS
    bookings (October 2008 to August 2011; several states, Illinois among
    them) through the real pipeline, checks every final state against the
    ground truth, prints the national statistics and the Illinois what-if,
    writes the reports (CSV, HTML, PDF) and serves the dashboard.
    """
    from interop.agencies.runtime import open_runtime, serve_store
    from interop.reports import Scope, monthly_statistics
    from interop.reports.output import REPORT_FORMATS, render
    from interop.store import Store

    console = Console()
    plan = DemoPlan(
        bookings=bookings, seed=seed, image_bookings=image_bookings, distractors=distractors
    )
    home = _fresh_home(home).resolve()
    os.environ["INTEROP_HOME"] = str(home)
    url = f"sqlite:///{home / 'demo.db'}"
    console.print(
        f"[bold]interop demo[/bold]: {plan.bookings:,}+ bookings in {', '.join(plan.states)}, "
        f"{DEMO_START:%B %Y} to {plan.through:%B %Y} (synthetic people, seed {plan.seed})"
    )
    store = Store.open(url)
    runtime = open_runtime(store=store)
    columns = (*Progress.get_default_columns()[:2], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def tick(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        from interop.demo import run_demo

        run = run_demo(store, runtime, plan, tick=tick)
    _summary(run, console)
    with store.session() as session:
        national = monthly_statistics(session, plan.through, scope=Scope.NATIONAL)
        states = monthly_statistics(session, plan.through, scope=Scope.STATE)
    _national(national, console)
    reports = home / "reports"
    reports.mkdir(exist_ok=True)
    title = f"IDENT/IAFIS Interoperability Statistics through {plan.through.isoformat()}"
    written = []
    for output_format in REPORT_FORMATS:
        path = reports / f"national-{plan.through:%Y-%m}.{output_format}"
        path.write_bytes(render(national, title, output_format))
        written.append(path)
    path = reports / f"states-{plan.through:%Y-%m}.csv"
    path.write_bytes(render(states, title, "csv"))
    written.append(path)
    console.print("reports: " + ", ".join(str(p) for p in written))
    _what_if(store, console)
    if not serve:
        store.close()
        return
    console.print(f"dashboard: [bold]http://{host}:{port}/dashboard[/bold] (Ctrl-C stops it)")
    serve_store(runtime, host=host, port=port)


def _what_if(store: Store, console: Console) -> None:
    from interop.reports.whatif import what_if

    result = what_if(store, ("as-operated", "honor-opt-out"), state="IL")
    table = Table(title="Illinois: the opt-out overridden (as operated) or honoured")
    table.add_column("measure")
    table.add_column(result.a.policy, justify="right")
    table.add_column(result.b.policy, justify="right")
    table.add_column("difference", justify="right")
    for label, a, b, diff in result.rows():
        table.add_row(label, f"{a:,}", f"{b:,}", f"{diff:+,}")
    console.print(table)
