"""Typed views of the text records: Type-1 (transaction information) and
Type-2 (descriptive text, by EBTS mnemonic).

Image records have theirs in :mod:`.images`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from interop.nist.ebts_rules import Rules, load_rules
from interop.nist.errors import NistFormatError
from interop.nist.traditional import Record, Transaction, content_list, is_number


@dataclass(frozen=True)
class TransactionInfo:
    """The Type-1 record.

    Attributes
    ----------
    version : str
        1.002 VER (``"0400"`` for ANSI/NIST-ITL 1-2007, ``"0500"`` 2011, ...).
    content : tuple of (int, int)
        1.003 CNT: (record type, IDC) of the other records.
    tot : str
        1.004 type of transaction.
    date : date
        1.005 DAT.
    priority : int or None
        1.006 PRY (1 highest, 9 lowest).
    destination, origin : str
        1.007 DAI and 1.008 ORI.
    tcn : str
        1.009 transaction control number.
    tcr : str or None
        1.010 TCN of the transaction this one answers.
    native_ppmm, nominal_ppmm : float or None
        1.011 NSR and 1.012 NTR, pixels per millimetre.
    domain : tuple of str
        1.013 DOM (implementation, version), empty when absent.
    gmt : str or None
        1.014 GMT, ``CCYYMMDDHHMMSSZ``.
    """

    version: str
    content: tuple[tuple[int, int], ...]
    tot: str
    date: date
    priority: int | None
    destination: str
    origin: str
    tcn: str
    tcr: str | None
    native_ppmm: float | None
    nominal_ppmm: float | None
    domain: tuple[str, ...]
    gmt: str | None


def _rate(record: Record, tag: int) -> float | None:
    f = record.get(tag)
    if f is None:
        return None
    try:
        return float(f.text)
    except ValueError as exc:
        raise NistFormatError(
            "not a number", record=0, field=f"1.{tag:03d}", offset=f.offset
        ) from exc


def transaction_info(t: Transaction) -> TransactionInfo:
    """The typed Type-1 record of ``t``.

    Raises
    ------
    NistFormatError
        If a mandatory field (1.002-1.005, 1.007-1.009) is missing or malformed.
    """
    r = t.records[0]

    def text(tag: int) -> str:
        f = r.get(tag)
        if f is None:
            raise NistFormatError("missing", record=0, field=f"1.{tag:03d}", offset=r.offset)
        return f.text

    day = text(5)
    if len(day) != 8 or not is_number(day):
        raise NistFormatError(f"{day!r} is not a date CCYYMMDD", record=0, field="1.005")
    try:
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError as exc:
        raise NistFormatError(f"{day!r} is not a date", record=0, field="1.005") from exc
    pry = r.get(6)
    dom = r.get(13)
    tcr, gmt = r.get(10), r.get(14)
    return TransactionInfo(
        version=text(2),
        content=tuple(content_list(r)),
        tot=text(4),
        date=when,
        priority=int(pry.text) if pry is not None and is_number(pry.text) else None,
        destination=text(7),
        origin=text(8),
        tcn=text(9),
        tcr=tcr.text if tcr is not None else None,
        native_ppmm=_rate(r, 11),
        nominal_ppmm=_rate(r, 12),
        domain=tuple(dom.items()[0]) if dom is not None else (),
        gmt=gmt.text if gmt is not None else None,
    )


def descriptive(record: Record, rules: Rules | None = None) -> dict[str, list[list[str]]]:
    """A Type-2 record's fields by EBTS mnemonic (``"NAM"``, ``"DOB"``, ...),
    each as its subfields of items; fields the rules do not name keep their
    tag (``"2.901"``).

    Raises
    ------
    ValueError
        If ``record`` is not a Type-2 record.
    """
    if record.type != 2:
        raise ValueError(f"a Type-2 record is needed, got Type-{record.type}")
    names: dict[int, str] = {}
    for rule in (rules or load_rules()).fields:
        if rule.record == 2 and rule.item is None:
            names.setdefault(rule.tag, rule.mnemonic.removeprefix("T2_"))
    return {names.get(f.tag, f"2.{f.tag:03d}"): f.items() for f in record.fields}
