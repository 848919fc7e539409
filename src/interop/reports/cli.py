"""``interop report``: the monthly interoperability statistics from the store."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

FORMATS = ("csv", "html", "pdf")
"""Output formats ``interop report`` writes."""


def _month_end(text: str) -> date:
    """The last day of ``YYYY-MM`` (or the day itself for ``YYYY-MM-DD``)."""
    try:
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:])
            return date(year, month, calendar.monthrange(year, month)[1])
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: expected YYYY-MM or YYYY-MM-DD") from exc


def report(
    out: Annotated[Path, typer.Argument(help="File to write; - for standard output.")],
    through: Annotated[
        str, typer.Option("--through", help="Last month (YYYY-MM) or day (YYYY-MM-DD) counted.")
    ],
    scope: Annotated[
        str, typer.Option("--scope", help="national, state or jurisdiction rows.")
    ] = "national",
    since: Annotated[
        str | None, typer.Option("--since", help="First month shown (YYYY-MM).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="csv, html or pdf.")] = "csv",
    database: Annotated[
        str | None,
        typer.Option("--database", help="Store URL (default INTEROP_DATABASE_URL or embedded)."),
    ] = None,
) -> None:
    """ICE's monthly IDENT/IAFIS interoperability statistics, from the store."""
    from interop.reports import Scope, monthly_statistics, to_csv, to_html
    from interop.store import Store

    if output_format not in FORMATS:
        raise typer.BadParameter(f"{output_format!r}: one of {', '.join(FORMATS)}")
    try:
        chosen = Scope(scope)
    except ValueError as exc:
        raise typer.BadParameter(f"{scope!r}: national, state or jurisdiction") from exc
    if str(out) == "-" and output_format == "pdf":
        raise typer.BadParameter("a PDF goes to a file, not standard output")
    last = _month_end(through)
    first = _month_end(since).replace(day=1) if since else None
    store = Store.open(database)
    try:
        with store.session() as session:
            rows = monthly_statistics(session, last, scope=chosen, since=first)
    finally:
        store.close()
    title = f"IDENT/IAFIS Interoperability Statistics through {last.isoformat()}"
    if output_format == "pdf":
        from interop.reports.pdf import to_pdf

        data = to_pdf(rows, title)
    elif output_format == "html":
        data = to_html(rows, title).encode("utf-8")
    else:
        data = to_csv(rows).encode("utf-8")
    if str(out) == "-":
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        out.write_bytes(data)
        typer.echo(f"{len(rows)} rows written to {out}", err=True)
