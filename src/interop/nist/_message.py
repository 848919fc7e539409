"""What the EBTS messages of :mod:`.car`, :mod:`.responses` and :mod:`.program`
share: dates, the Type-1 record of a reply, opening a one-Type-2 message,
and the arrest segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from interop.nist.errors import NistFormatError
from interop.nist.traditional import Field, Record, Transaction, is_number, parse

VERSION = "0400"
"""ANSI/NIST-ITL version of the transactions written (EBTS 9.1)."""

NATIVE_PPMM = "19.69"
"""500 ppi in pixels per millimetre, as 1.011 and 1.012 state it."""


@dataclass(frozen=True)
class Offence:
    """One arrest offence: date, NCIC offence code and literal."""

    date: date
    ncic_code: str
    literal: str


def day(d: date) -> str:
    """``CCYYMMDD``."""
    return d.strftime("%Y%m%d")


def read_day(text: str, field: str, record: int | None = None) -> date:
    """The date ``CCYYMMDD`` in ``text``.

    Raises
    ------
    NistFormatError
        Naming ``field`` when it is not a valid date.
    """
    try:
        if len(text) != 8 or not is_number(text):
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise NistFormatError(
            f"{text!r} is not a date CCYYMMDD", record=record, field=field
        ) from exc


def type1(
    tot: str,
    *,
    tcn: str,
    recipient: str,
    sender: str,
    sent_on: date,
    tcr: str | None = None,
    content: list[list[str]] | None = None,
) -> Record:
    """The Type-1 record of a message (content: one Type-2 record unless given)."""
    fields = [
        Field.of(1, "0"),
        Field.of(2, VERSION),
        Field.of(3, content or [["1", "1"], ["2", "00"]]),
        Field.of(4, tot),
        Field.of(5, day(sent_on)),
        Field.of(7, recipient),
        Field.of(8, sender),
        Field.of(9, tcn),
    ]
    if tcr is not None:
        fields.append(Field.of(10, tcr))
    fields += [Field.of(11, NATIVE_PPMM), Field.of(12, NATIVE_PPMM)]
    return Record(1, tuple(fields))


def open_message(
    data: bytes | Transaction, tots: tuple[str, ...], needed: tuple[int, ...] = (5, 7, 8, 9)
) -> tuple[Transaction, Record, Record]:
    """The transaction, its Type-1 and its only Type-2 record.

    Raises
    ------
    NistFormatError
        If 1.004 is not one of ``tots``, a ``needed`` Type-1 field is
        missing, or there is not exactly one Type-2 record.
    """
    t = data if isinstance(data, Transaction) else parse(data)
    first = t.records[0]
    tot = first.get(4)
    if tot is None or tot.text not in tots:
        raise NistFormatError(f"not an {' or '.join(tots)} (1.004)", record=0, field="1.004")
    for tag in needed:
        if first.get(tag) is None:
            raise NistFormatError("missing", record=0, field=f"1.{tag:03d}")
    type2s = t.of_type(2)
    if len(type2s) != 1:
        raise NistFormatError(f"{len(type2s)} Type-2 records, a {tot.text} has one", field="2.001")
    return t, first, type2s[0]


def text(record: Record, tag: int) -> str:
    """Field ``tag``'s first item (raises NistFormatError when missing)."""
    f = record.get(tag)
    if f is None:
        raise NistFormatError("missing", field=f"{record.type}.{tag:03d}", offset=record.offset)
    return f.text


def optional(record: Record, tag: int) -> str | None:
    f = record.get(tag)
    return f.text if f is not None else None


def arrest_segment(offences: tuple[Offence, ...]) -> list[list[str]]:
    """2.047 ASL: per offence the date and the literal, led by the NCIC code."""
    return [[day(o.date), f"{o.ncic_code} {o.literal}"] for o in offences]


def read_arrest_segment(record: Record) -> tuple[Offence, ...]:
    """The offences of a Type-2 record's 2.047 ASL (a literal without a
    leading 4-digit NCIC code keeps all its text and an empty code)."""
    asl = record.get(47)
    out = []
    for items in asl.items() if asl is not None else []:
        doo, literal = [*items, ""][:2]
        code, _, rest = literal.partition(" ")
        if not (len(code) == 4 and is_number(code)):
            code, rest = "", literal
        out.append(Offence(read_day(doo, "2.047"), code, rest))
    return tuple(out)
