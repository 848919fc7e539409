"""The ``interop`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="interop",
    help="IDENT/IAFIS biometric interoperability: a working implementation.",
    no_args_is_help=True,
    add_completion=False,
)
bench_app = typer.Typer(help="Benchmarks that produce the figures in BENCHMARKS.md.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@app.command()
def version() -> None:
    """Print the package version."""
    from interop import __version__

    typer.echo(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
