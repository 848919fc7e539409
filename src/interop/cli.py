"""The ``interop`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

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
    (EER FVC). Failed extractions score lowest and count in FTE.
    """
    import json

    from rich.console import Console
    from rich.progress import Progress, TaskID

    from interop.evaluation import fvc

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


if __name__ == "__main__":  # pragma: no cover
    app()
