"""``interop nist``: read ANSI/NIST-ITL transactions from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

nist_app = typer.Typer(
    help="ANSI/NIST-ITL transactions (traditional encoding): show, validate, extract.",
    no_args_is_help=True,
)

MAX_FILE_BYTES = 256 * 1024 * 1024
_SHOWN_BYTES = 60


def _read(path: Path) -> object:
    """The parsed transaction at ``path``; exits 2 with the typed error."""
    from rich.console import Console

    from interop.nist import NistError, parse

    err = Console(stderr=True)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            err.print(f"[red]{path}: {size} bytes, more than {MAX_FILE_BYTES}[/red]")
            raise typer.Exit(2)
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        err.print(f"[red]{path}: {exc.strerror or exc}[/red]")
        raise typer.Exit(2) from exc
    try:
        return parse(data)
    except NistError as exc:
        err.print(f"[red]{path}: {type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(2) from exc


def _shown(value: bytes, binary: bool) -> str:
    if binary:
        return f"<{len(value):,} bytes>"
    text = value.decode("utf-8", errors="replace")
    text = text.replace("\x1e", " | ").replace("\x1f", ", ")
    return text if len(text) <= _SHOWN_BYTES else text[:_SHOWN_BYTES] + "…"


@nist_app.command("show")
def show(
    file: Annotated[Path, typer.Argument(help="Transaction file (.an2, .eft, .nist, ...).")],
) -> None:
    """Print a transaction: its records, their fields by name, and its images."""
    from rich.console import Console
    from rich.table import Table

    from interop.nist import NistError, Transaction
    from interop.nist.images import images
    from interop.nist.names import RECORD_NAMES, field_name

    transaction = _read(file)
    assert isinstance(transaction, Transaction)
    console = Console()
    console.print(
        f"[bold]{file.name}[/bold]: {len(transaction.raw):,} bytes, "
        f"{len(transaction)} records, SHA-256 {transaction.sha256}"
    )
    for k, record in enumerate(transaction.records):
        name = RECORD_NAMES.get(record.type, "")
        idc = "" if record.idc is None else f", IDC {record.idc}"
        size = len(record.data) if record.binary else None
        console.print(
            f"\n[bold]Record {k}[/bold]: Type-{record.type} {name}{idc}, at byte {record.offset}"
            + (f", {size:,} bytes (binary)" if size is not None else "")
        )
        if record.binary:
            continue
        table = Table(show_header=False, box=None, pad_edge=False)
        for f in record.fields:
            table.add_row(
                f"{record.type}.{f.tag:03d}",
                field_name(record.type, f.tag),
                _shown(f.value, f.tag == 999),
            )
        console.print(table)
    try:
        found = images(transaction)
    except NistError as exc:
        Console(stderr=True).print(f"[red]{type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(2) from exc
    if found:
        table = Table(title="Images")
        for column in ("record", "type", "IDC", "positions", "size", "ppi", "compression", "bytes"):
            table.add_column(column)
        for im in found:
            table.add_row(
                str(im.record),
                str(im.record_type),
                "" if im.idc is None else str(im.idc),
                ",".join(map(str, im.positions)) or "-",
                f"{im.width}x{im.height}",
                "" if im.ppi is None else f"{im.ppi:.0f}",
                im.compression,
                f"{len(im.data):,}",
            )
        console.print(table)
    _show_minutiae(transaction, console)


def _show_minutiae(transaction: object, console: object) -> None:
    """The table of Type-9 records: positions, blocks, minutiae counts."""
    from rich.console import Console
    from rich.table import Table

    from interop.nist import NistError, Transaction
    from interop.nist.minutiae import read_minutiae_record, record_template

    assert isinstance(transaction, Transaction) and isinstance(console, Console)
    rows = []
    for k, record in enumerate(transaction.records):
        if record.type != 9:
            continue
        header = read_minutiae_record(record, k)
        try:
            count = str(len(record_template(record, k)))
        except NistError as exc:
            count = f"unreadable ({exc.reason})"
        rows.append((header, count))
    if not rows:
        return
    table = Table(title="Minutiae")
    for column in ("record", "IDC", "positions", "blocks", "method", "minutiae"):
        table.add_column(column)
    for header, count in rows:
        table.add_row(
            str(header.record),
            "" if header.idc is None else str(header.idc),
            ",".join(map(str, header.positions)) or "-",
            ", ".join(header.blocks) or "none read",
            header.method or "-",
            count,
        )
    console.print(table)


@nist_app.command("validate")
def validate_file(
    file: Annotated[Path, typer.Argument(help="Transaction file.")],
    code_tables: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the EBTS code files (T2_POB.txt, T2_CTZ.txt, ...); "
            "default: $INTEROP_EBTS_CODE_TABLES."
        ),
    ] = None,
) -> None:
    """List every EBTS 9.1 rule the transaction breaks (the program's own
    messages IDR, IAQ, IAR and DETN by their rules); exit 1 if any, 2 if it
    cannot be read at all."""
    from rich.console import Console

    from interop.nist import Transaction
    from interop.nist.ncic import CodeTables
    from interop.nist.program import program_rules
    from interop.nist.validation import validate

    transaction = _read(file)
    assert isinstance(transaction, Transaction)
    console = Console(highlight=False)
    try:
        tables = CodeTables.read(code_tables) if code_tables else CodeTables.from_environment()
    except ValueError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    violations = validate(transaction, program_rules(), tables)
    tot = transaction.records[0].get(4)
    label = tot.text if tot is not None else "?"
    for v in violations:
        console.print(f"{file.name}: {v}", markup=False)
    if violations:
        console.print(f"{file.name}: {len(violations)} violations of the EBTS rules for {label}")
        raise typer.Exit(1)
    console.print(f"{file.name}: conforms to the EBTS rules for {label}")


@nist_app.command("extract")
def extract_images(
    file: Annotated[Path, typer.Argument(help="Transaction file.")],
    out: Annotated[Path, typer.Argument(help="Folder to write (created if missing).")],
) -> None:
    """Write a transaction's images (PNG) and, for single fingers, their minutiae
    templates (ISO/IEC 19794-2:2005, .iso); Type-9 minutiae records as
    templates too."""
    import dataclasses

    from PIL import Image
    from rich.console import Console

    from interop.fingerprints import encode_template, extract
    from interop.fingerprints.errors import FingerprintError
    from interop.nist import NistError, Transaction
    from interop.nist.images import images
    from interop.nist.minutiae import image_heights, record_template

    transaction = _read(file)
    assert isinstance(transaction, Transaction)
    console = Console()
    err = Console(stderr=True)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    try:
        found = images(transaction)
    except NistError as exc:
        err.print(f"[red]{type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(2) from exc
    for im in found:
        positions = "-".join(map(str, im.positions)) or "none"
        stem = f"record{im.record:02d}_type{im.record_type}_fgp{positions}"
        try:
            Image.fromarray(im.decode()).save(out / f"{stem}.png")
            line = f"{stem}.png {im.width}x{im.height}"
            # minutiae for single finger images (positions 1-10)
            if im.record_type in (4, 13, 14) and len(im.positions) == 1 and im.positions[0] <= 10:
                template = dataclasses.replace(
                    extract(im.fingerprint()), finger_position=im.positions[0]
                )
                (out / f"{stem}.iso").write_bytes(encode_template(template))
                line += f", {template.minutiae.shape[0]} minutiae -> {stem}.iso"
            console.print(line)
        except (NistError, FingerprintError) as exc:
            failed += 1
            err.print(f"[red]record {im.record}: {type(exc).__name__}: {exc}[/red]")
    heights = image_heights(found)
    for k, record in enumerate(transaction.records):
        if record.type != 9:
            continue
        try:
            height = heights.get(record.idc) if record.idc is not None else None
            template = record_template(record, k, image_height=height)
        except NistError as exc:
            failed += 1
            err.print(f"[red]{type(exc).__name__}: {exc}[/red]")
            continue
        stem = f"record{k:02d}_type9_fgp{template.finger_position}"
        (out / f"{stem}.iso").write_bytes(encode_template(template))
        console.print(f"{stem}.iso {template.minutiae.shape[0]} minutiae")
    if failed:
        raise typer.Exit(1)
