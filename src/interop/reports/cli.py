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


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: expected YYYY-MM-DD", param_hint=option) from exc


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"−{-n:,}" if n < 0 else "0"


def whatif(
    scenario: Annotated[
        str | None,
        typer.Argument(
            metavar="SCENARIO",
            help=(
                "The store holding the replayed scenario: a SQLAlchemy URL "
                "(postgresql+psycopg://user@host/db, sqlite:///path.db) or a SQLite file; "
                "default INTEROP_DATABASE_URL, else the embedded store."
            ),
            show_default=False,
        ),
    ] = None,
    compare: Annotated[
        tuple[str, str],
        typer.Option(
            "--compare",
            metavar="A B",
            help=(
                "The two configurations: presets (as-operated, honor-opt-out), or a preset "
                "with another detainer policy (as-operated+level-1-only, +convicted-only, "
                "+level-1-and-2)."
            ),
        ),
    ] = ("as-operated", "honor-opt-out"),
    state: Annotated[
        str | None, typer.Option("--state", help="Only this state's bookings (USPS code).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="First booking day (YYYY-MM-DD).")
    ] = None,
    through: Annotated[
        str | None, typer.Option("--through", help="Last booking day (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """What two policy configurations do with the same recorded bookings.

    Replays the store's bookings under configurations A and B: forwarding,
    IDENT matches by level, IARs returned to the state, detainers, removals,
    US citizens matched. Recorded fingerprint results are reused; a booking
    only one configuration forwards is searched in IDENT as it stood that day.
    Exit status 2 on an unknown configuration or store, 1 on a store without bookings.
    """
    import json
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError

    from interop.agencies.services import IMMIGRATION_SYSTEM, GalleryMirror, snapshot_folder
    from interop.reports.whatif import (
        UnknownPolicyError,
        WhatIfError,
        policy_config,
        what_if,
    )
    from interop.store import Store
    from interop.store.database import StoreError

    err = Console(stderr=True)
    first, last = _day(since, "--since"), _day(through, "--through")
    if first is not None and last is not None and first > last:
        raise typer.BadParameter(f"--since {first} is after --through {last}")
    chosen = state.upper() if state else None
    try:
        for name in compare:
            policy_config(name)
    except UnknownPolicyError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    url = scenario
    if url is not None and "://" not in url:
        url = f"sqlite:///{Path(url)}"
        if not Path(scenario or "").is_file():
            err.print(f"[red]error:[/red] no store at {scenario}", highlight=False)
            raise typer.Exit(2)
    try:
        store = Store.open(url)
    except (StoreError, SQLAlchemyError, ImportError, OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] cannot open the store: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    # IDENT's gallery starts from the workers' snapshot when there is one
    mirror = GalleryMirror(IMMIGRATION_SYSTEM, snapshots=snapshot_folder())
    try:
        result = what_if(
            store,
            compare,
            state=chosen,
            since=first,
            through=last,
            progress=not as_json,
            immigration=mirror,
        )
    except WhatIfError as exc:  # EmptyStoreError, or a booking without its transaction
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    where = [
        f"state {chosen}" if chosen else "every state",
        f"booked {first or '…'} to {last or '…'}" if first or last else "every booking day",
    ]
    table = Table(title=f"Policy what-if ({', '.join(where)})", title_justify="left")
    table.add_column("measure")
    table.add_column(f"A: {result.a.policy}", justify="right")
    table.add_column(f"B: {result.b.policy}", justify="right")
    table.add_column("B − A", justify="right")
    for label, a, b, difference in result.rows():
        table.add_row(label, f"{a:,}", f"{b:,}", _signed(difference))
    Console(width=max(100, Console().width)).print(table)
    if result.a.bookings == 0:
        err.print("no bookings in this selection", highlight=False)
