"""The ``interop`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from interop.agencies.cli import register as register_pipeline
from interop.demo_cli import demo
from interop.nist.cli import nist_app
from interop.reports.cli import report, whatif
from interop.warmup import WARMUP_BOOKINGS

if TYPE_CHECKING:
    from rich.table import Table

    from interop.engine_demo import DemoResult
    from interop.evaluation.fvc import BenchmarkResult

app = typer.Typer(
    name="interop",
    help="IDENT/IAFIS biometric interoperability: a working implementation.",
    no_args_is_help=True,
    add_completion=False,
)
bench_app = typer.Typer(
    help="Benchmarks that produce the figures in BENCHMARKS.md.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")
synth_app = typer.Typer(
    help="Synthetic data: fingerprints and a population, no real person's data.",
    no_args_is_help=True,
)
app.add_typer(synth_app, name="synth")
app.add_typer(nist_app, name="nist")
register_pipeline(app)
app.command()(demo)
app.command()(report)
app.command()(whatif)


@synth_app.command("prints")
def synth_prints(
    out: Annotated[Path, typer.Argument(help="Folder to write (created if missing).")],
    fingers: Annotated[
        int, typer.Option("--fingers", min=1, max=899, help="Fingers per database.")
    ] = 10,
    impressions: Annotated[
        int, typer.Option("--impressions", min=1, max=100, help="Impressions per finger.")
    ] = 8,
    sets: Annotated[
        int,
        typer.Option(
            "--sets", min=1, max=100, help="Databases to write (OUT/SYN1, OUT/SYN2, ... if > 1)."
        ),
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same images.")] = 0,
) -> None:
    """Write synthetic FVC-style databases (NNN_K.png, 500 ppi) for `bench verify`."""
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from interop.fingerprints.synth.database import write_fvc_database

    folders = [out] if sets == 1 else [out / f"SYN{k + 1}" for k in range(sets)]
    with Progress(console=Console(stderr=True), transient=True) as bar:
        for k, folder in enumerate(folders):
            task = bar.add_task(f"{folder.name}: growing fingers", total=fingers * impressions)

            def advance(done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

            write_fvc_database(
                folder, fingers=fingers, impressions=impressions, seed=seed + k, progress=advance
            )
    typer.echo(f"{sets} database(s) of {fingers} x {impressions} images written under {out}")


@synth_app.command("population")
def synth_population(
    out: Annotated[
        Path,
        typer.Argument(
            dir_okay=False, help="JSON Lines file to write (gzip-compressed if it ends in .gz)."
        ),
    ],
    people: Annotated[
        int, typer.Option("--people", min=1, max=290_000_000, help="Residents to generate.")
    ] = 100_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same population.")] = 0,
) -> None:
    """Write a synthetic population, its jurisdictions and its bookings (JSON Lines).

    One record per line: a header, the state bureaus, the jurisdictions with
    their activation days, one record per person (IDENT encounters and
    criminal history nested), then the bookings in time order with their
    ground truth. The format is documented in `interop.population.jsonl`.
    """
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from interop.population import Scenario, write_jsonl

    scenario = Scenario(people, seed)
    tasks: dict[str, TaskID] = {}
    with Progress(console=Console(stderr=True), transient=True) as bar:

        def advance(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        summary = write_jsonl(
            scenario,
            out,
            progress=lambda done, total: advance("people", done, total),
            booking_progress=lambda done, total: advance("bookings", done, total),
        )
    typer.echo(
        f"{summary.people:,} people and {summary.bookings:,} bookings written to {out} "
        f"({summary.submissions:,} submitted to IDENT, {summary.matches:,} matches; "
        f"1 person stands for {scenario.scale:,.0f} residents)"
    )


@app.command()
def warmup(
    bookings: Annotated[
        int, typer.Option(min=1, max=1_000, help="Bookings of the throwaway demo.")
    ] = WARMUP_BOOKINGS,
) -> None:
    """Compile and cache the fingerprint engine's kernels (run once after installing).

    Runs a small demo in a temporary folder: every Numba kernel the pipeline
    uses is compiled for the types it really gets and cached beside its source,
    so later runs (the demo, workers, tests) load machine code instead of
    compiling it. ``make`` runs this after installing.
    """
    from interop.warmup import compile_kernels

    report = compile_kernels(bookings)
    typer.echo(
        f"kernels cached: {report.cached_after} (were {report.cached_before}); "
        f"{report.bookings} bookings, {report.wrong} wrong, {report.seconds:.1f} s"
    )
    if report.wrong:
        typer.echo(
            f"note: {report.wrong} of the throwaway demo's bookings ended unlike the ground "
            "truth (the engine's error rate; the kernels are compiled all the same)",
            err=True,
        )


@app.command()
def version() -> None:
    """Print the package version."""
    from interop import __version__

    typer.echo(__version__)


def _parse_ppi(values: list[str] | None) -> dict[str, float]:
    """``NAME=VALUE`` options as a mapping (integral values as ``int``)."""
    out: dict[str, float] = {}
    for item in values or []:
        name, sep, value = item.rpartition("=")
        try:
            ppi = float(value)
        except ValueError:
            ppi = float("nan")
        if not sep or not name or not ppi > 0 or ppi == float("inf"):
            raise typer.BadParameter(
                f"expected NAME=PPI with PPI > 0, got {item!r}", param_hint="--ppi"
            )
        out[name] = int(ppi) if ppi.is_integer() else ppi
    return out


def _verify_table(result: BenchmarkResult) -> Table:
    import math

    from rich import box
    from rich.table import Table

    def pct(x: float) -> str:
        return f"{100 * x:.2f}"

    def num(x: float) -> str:
        return f"{x:.1f}" if math.isfinite(x) else "n/a"

    table = Table(
        title="FVC verification, rates in % (impostors: all cross-finger pairs; "
        "EER FVC: first impressions)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("DB", no_wrap=True)
    for header in ("ppi", "EER", "EER\nFVC", "FMR\n100", "FMR\n1000", "Zero\nFMR", "FTE"):
        table.add_column(header, justify="right")
    for header in ("pairs\ngen/imp", "extract\nms", "compare\nµs"):
        table.add_column(header, justify="right")
    for d in result.databases:
        m = d.metrics
        table.add_row(
            d.label,
            f"{d.resolution_ppi:g}",
            pct(m.eer),
            pct(m.eer_fvc),
            pct(m.fmr100),
            pct(m.fmr1000),
            pct(m.zero_fmr),
            str(d.fte),
            f"{d.genuine.size}/{d.impostor.size}",
            num(d.extract_ms_median),
            num(d.compare_us_median),
        )
    table.add_section()
    table.add_row("mean", "", pct(result.mean_eer), *[""] * 8)
    return table


@bench_app.command("verify")
def bench_verify(
    directory: Annotated[
        Path,
        typer.Argument(
            exists=True,
            file_okay=False,
            dir_okay=True,
            help="An FVC-style database (NNN_K.tif images, or a *_B folder) or a folder "
            "holding several, searched recursively.",
        ),
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the figures as JSON to this file.")
    ] = None,
    det: Annotated[
        Path | None, typer.Option("--det", help="Draw the DET curves to this image (.png).")
    ] = None,
    scores: Annotated[
        Path | None,
        typer.Option("--scores", help="Save genuine/impostor scores and pairs to this .npz."),
    ] = None,
    ppi: Annotated[
        list[str] | None,
        typer.Option(
            "--ppi",
            help="Resolution of a database, NAME=PPI (NAME = its folder name); repeatable. "
            "Default: the known FVC resolution, else 500.",
        ),
    ] = None,
) -> None:
    """Run the FVC 1:1 verification protocol (BENCHMARKS.md §1).

    Genuine: all impression pairs of each finger. Impostor: all cross-finger
    pairs (EER, FMR100, FMR1000, ZeroFMR) and FVC's first-impression pairs
    (EER FVC). Failed extractions score lowest and count in FTE. Timings
    are on one core: OpenCV's and BLAS's thread pools are limited to one
    thread.
    """
    import json

    import cv2
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from threadpoolctl import threadpool_limits

    from interop.evaluation import fvc

    cv2.setNumThreads(1)
    threadpool_limits(1)  # NumPy's BLAS (the ridge-period stage multiplies matrices)

    overrides = _parse_ppi(ppi)
    console = Console()
    tasks: dict[tuple[str, str], TaskID] = {}
    with Progress(console=Console(stderr=True), transient=True) as bar:

        def progress(label: str, phase: str, done: int, total: int) -> None:
            key = (label, phase)
            if key not in tasks:
                verb = "extracting" if phase == "extract" else "comparing"
                tasks[key] = bar.add_task(f"{label}: {verb}", total=total)
            bar.update(tasks[key], completed=done, total=total)

        try:
            result = fvc.run_fvc(directory, ppi=overrides, progress=progress)
        except fvc.FvcError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc

    console.print(_verify_table(result))
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n")
        console.print(f"figures written to {json_out}")
    if scores is not None:
        result.save_scores(scores)
        console.print(f"scores written to {scores}")
    if det is not None:
        from interop.evaluation.det_plot import plot_det

        series = {d.label: (d.genuine, d.impostor) for d in result.databases}
        plot_det(series, det, title=f"DET, {directory.name} (all cross-finger impostors)")
        console.print(f"DET plot written to {det}")


@bench_app.command("identify")
def bench_identify(
    directories: Annotated[
        list[Path] | None,
        typer.Argument(
            exists=True,
            file_okay=False,
            help="Real mode: FVC-style folders (NNN_K images); the first impression of each "
            "finger is enrolled, the others searched. Omit for synthetic mode.",
        ),
    ] = None,
    subjects: Annotated[
        int, typer.Option("--subjects", min=1, help="Synthetic mode: subjects enrolled.")
    ] = 10_000,
    fingers: Annotated[
        int, typer.Option("--fingers", min=1, max=10, help="Synthetic: fingers per subject.")
    ] = 10,
    mated: Annotated[int, typer.Option("--mated", min=1, help="Mated searches.")] = 200,
    non_mated: Annotated[
        int, typer.Option("--non-mated", min=0, help="Synthetic: non-mated searches.")
    ] = 200,
    shortlist: Annotated[
        int | None,
        typer.Option(
            "--shortlist",
            min=1,
            help="Subjects compared in full by a one-finger search (n fingers: 1/n of it, "
            "at least 20); default: the search's own (200).",
        ),
    ] = None,
    verify: Annotated[
        int | None,
        typer.Option(
            "--verify",
            min=0,
            help="Finger comparisons of the verification stage (0: code comparison only); "
            "default: the search's own (30).",
        ),
    ] = None,
    prefilter_fingers: Annotated[
        int | None,
        typer.Option(
            "--prefilter-fingers",
            min=1,
            max=10,
            help="Probe fingers voting in the pre-filter (most minutiae first); default all.",
        ),
    ] = None,
    prefilter_margin: Annotated[
        float | None,
        typer.Option(
            "--prefilter-margin",
            min=0.0,
            max=0.5,
            help="Share of a bin width near whose edge a probe pair also looks up the "
            "neighbouring bin; default: the search's own (0.5, always the nearer one).",
        ),
    ] = None,
    prefilter_common: Annotated[
        float | None,
        typer.Option(
            "--prefilter-common",
            min=0.0,
            help="Skip probe keys whose index list is longer than this many times the "
            "mean list; default: look up every key.",
        ),
    ] = None,
    verify_band: Annotated[
        float | None,
        typer.Option(
            "--verify-band",
            min=0.0,
            help="Verify only candidates within this many points of the threshold; "
            "default: verify the best whatever their score.",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Synthetic: processes building the gallery.")
    ] = 1,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="Synthetic: folder to save the gallery to and reuse."),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the figures as JSON to this file.")
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option("--markdown", help="Write the BENCHMARKS.md table rows to this file."),
    ] = None,
) -> None:
    """1:N identification benchmark (BENCHMARKS.md, "Identification").

    Synthetic mode builds a gallery of ten-print subjects from template-level
    synthesis and times ten-print searches; real mode runs single-finger
    identification on FVC folders. One thread throughout.
    """
    import json

    import cv2
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table
    from threadpoolctl import threadpool_limits

    from interop.evaluation import identification as ident
    from interop.fingerprints.gallery import SearchParameters

    cv2.setNumThreads(1)
    threadpool_limits(1)
    chosen: dict[str, Any] = {
        "shortlist": shortlist,
        "verify": verify,
        "prefilter_fingers": prefilter_fingers,
        "prefilter_margin": prefilter_margin,
        "prefilter_common": prefilter_common,
        "verify_band": verify_band,
    }
    params = SearchParameters(**{k: v for k, v in chosen.items() if v is not None})
    reports = []
    with Progress(console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        if directories:
            for folder in directories:
                tasks.clear()
                reports.append(
                    ident.run_fvc(
                        folder,
                        resolution_ppi=_fvc_resolution(folder),
                        params=params,
                        progress=progress,
                    )
                )
        else:
            reports.append(
                ident.run_synthetic(
                    subjects,
                    mated=mated,
                    non_mated=non_mated,
                    fingers=fingers,
                    params=params,
                    workers=workers,
                    cache=cache,
                    progress=progress,
                )
            )
    table = Table(title="1:N identification (one thread)")
    for column in (
        "gallery",
        "subjects",
        "rank-1",
        "FNIR @ FPIR 1%",
        "FNIR @ FPIR 0.1%",
        "FPIR measured 1% / 0.1%",
        "pre-filter misses",
        "p50 / p99 s",
        "effective cmp/s",
        "full cmp/s",
        "bytes/finger",
    ):
        table.add_column(column, justify="right")
    for r in reports:
        table.add_row(
            r.mode,
            f"{r.subjects:,}",
            f"{100 * r.rank1:.2f}%",
            f"{100 * r.fnir['0.01']:.2f}%",
            f"{100 * r.fnir['0.001']:.2f}%",
            f"{100 * r.fpir_measured['0.01']:.2f}% / {100 * r.fpir_measured['0.001']:.2f}%",
            f"{100 * r.prefilter_misses:.2f}%",
            f"{r.latency_s['p50']:.3f} / {r.latency_s['p99']:.3f}",
            f"{r.effective_comparisons_per_s:,.0f}",
            f"{r.full_comparisons_per_s:,.0f}",
            f"{r.memory_bytes_per_finger:,.0f}",
        )
    console = Console()
    console.print(table)
    if json_out is not None:
        payload = [r.as_dict() for r in reports]
        json_out.write_text(json.dumps(payload, indent=2) + "\n")
        console.print(f"figures written to {json_out}")
    if markdown is not None:
        markdown.write_text(ident.markdown_table(reports))
        console.print(f"table written to {markdown}")


def _fvc_resolution(folder: Path) -> float:
    from interop.evaluation.fvc import resolution_for

    return float(resolution_for(folder))


DEMO_THRESHOLD = 30.0
"""Default decision threshold of ``interop engine-demo``: FMR about 10**(-30/10) = 0.1%."""


def _finger_label(finger: int) -> str:
    return f"F{finger + 1}"


def _demo_tables(result: DemoResult, threshold: float) -> tuple[Table, Table, str]:
    """Enrolment table, score matrix and summary line of ``interop engine-demo``."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    enrolment = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for header, justify in (("finger", "left"), ("pattern", "left")):
        enrolment.add_column(header, justify=justify)  # type: ignore[arg-type]
    for header in ("minutiae", "quality"):
        enrolment.add_column(header, justify="right")
    for f, capture in enumerate(result.enrolled):
        pattern = result.patterns[f].value.replace("_", " ")
        if capture.template is None:
            enrolment.add_row(_finger_label(f), pattern, "[red]failed[/red]", capture.failure)
        else:
            t = capture.template
            enrolment.add_row(_finger_label(f), pattern, str(len(t)), str(t.quality))

    matrix = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    matrix.add_column("probe", no_wrap=True)
    fingers = len(result.enrolled)
    for f in range(fingers):
        matrix.add_column(_finger_label(f), justify="right", min_width=5, no_wrap=True)
    matrix.add_column("verdict", no_wrap=True)
    genuine_ok = impostor_ok = 0
    for p, probe in enumerate(result.probes):
        cells: list[Text | str] = []
        false_matches: list[str] = []
        for f in range(fingers):
            score = float(result.scores[p, f])
            accepted = score >= threshold
            if f == probe.finger:
                genuine_ok += accepted
                style = "bold green" if accepted else "bold yellow"
                cells.append(Text(f"{score:.1f}", style=f"{style} reverse"))
            else:
                impostor_ok += not accepted
                if accepted:
                    false_matches.append(_finger_label(f))
                cells.append(Text(f"{score:.1f}", style="bold red" if accepted else "dim"))
        own = result.scores[p, probe.finger] >= threshold
        verdict = Text("match", style="green") if own else Text("no match", style="yellow")
        if probe.template is None:
            verdict = Text("no match (extraction failed)", style="yellow")
        if false_matches:
            verdict.append(f"; false match with {', '.join(false_matches)}", style="red")
        label = f"{_finger_label(probe.finger)}/{probe.impression + 1}"
        matrix.add_row(label, *cells, verdict)

    n_genuine = len(result.probes)
    n_impostor = n_genuine * (fingers - 1)
    correct = genuine_ok + impostor_ok
    summary = (
        f"Threshold {threshold:g} (FMR ≈ {100 * 10 ** (-threshold / 10):.2g}%): "
        f"{correct}/{n_genuine + n_impostor} verdicts correct\n"
        f"  genuine {genuine_ok}/{n_genuine} matched, "
        f"impostor {impostor_ok}/{n_impostor} rejected\n"
        "Scores are calibrated on real sensors (FVC2002 DB1-3, see BENCHMARKS.md);\n"
        "synthetic prints score higher against each other (2.6% of impostor pairs\n"
        "reach t = 30 here, 1.5% on FVC2002's synthetic DB4; BENCHMARKS.md §2)."
    )
    return enrolment, matrix, summary


def _write_demo_files(result: DemoResult, out: Path) -> tuple[int, int]:
    """Images as PNG and, where a codec is available, templates as ISO 19794-2."""
    from PIL import Image

    try:
        from interop.fingerprints import codecs

        encode = getattr(codecs, "encode_template", None)
    except ImportError:  # pragma: no cover - the codecs are part of the engine
        encode = None
    out.mkdir(parents=True, exist_ok=True)
    images = templates = 0
    for row in result.captures:
        for c in row:
            stem = f"{_finger_label(c.finger)}_{c.impression + 1}"
            Image.fromarray(c.image).save(out / f"{stem}.png", dpi=(500, 500))
            images += 1
            if encode is not None and c.template is not None:
                (out / f"{stem}.iso").write_bytes(encode(c.template))
                templates += 1
    return images, templates


@app.command("engine-demo")
def engine_demo(
    fingers: Annotated[
        int, typer.Option("--fingers", min=1, max=100, help="Synthetic fingers to make.")
    ] = 6,
    impressions: Annotated[
        int,
        typer.Option(
            "--impressions", min=2, max=8, help="Impressions per finger (the first is enrolled)."
        ),
    ] = 3,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the whole demo.")] = 0,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            min=0.0,
            max=100.0,
            help="Decision threshold t on the calibrated score; FMR ≈ 10^(-t/10).",
        ),
    ] = DEMO_THRESHOLD,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            file_okay=False,
            help="Write the images (PNG) and templates (ISO/IEC 19794-2, .iso) here.",
        ),
    ] = None,
) -> None:
    """Demonstrate the fingerprint engine on synthetic fingers (no data needed).

    Makes FINGERS synthetic fingers (SFinGe-style) with IMPRESSIONS captures
    each, enrols the first capture of every finger, compares every other
    capture with every enrolled finger and prints the scores and verdicts.
    """
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from interop.engine_demo import run_demo

    console = Console()
    console.print(
        f"[bold]Fingerprint engine demo[/bold]: {fingers} fingers × {impressions} impressions, "
        f"seed {seed}\n(synthetic SFinGe-style fingerprints, no external data)"
    )
    labels = {
        "synthesise": "growing fingers",
        "extract": "extracting minutiae",
        "compare": "comparing",
    }
    tasks: dict[str, TaskID] = {}
    with Progress(console=Console(stderr=True), transient=True) as bar:

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        result = run_demo(fingers=fingers, impressions=impressions, seed=seed, progress=progress)

    enrolment, matrix, summary = _demo_tables(result, threshold)
    console.print("\n[bold]Enrolment[/bold]: the first impression of each finger")
    console.print(enrolment)
    console.print(
        "[bold]Scores[/bold]: probes (rows) × enrolled fingers (columns); genuine pairs highlighted"
    )
    console.print(matrix)
    console.print(summary)
    if out is not None:
        n_images, n_templates = _write_demo_files(result, out)
        console.print(f"wrote {n_images} images and {n_templates} templates to {out}")


if __name__ == "__main__":  # pragma: no cover
    app()
