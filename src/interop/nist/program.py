"""The interoperability program's own messages: IDR, IAQ, IAR and the I-247.

After IAFIS forwards a booking's prints, IDENT answers with an IDENT Data
Response (IDR: match or no match); on a match an Immigration Alien Query
(IAQ) goes to ICE's Law Enforcement Support Center, which answers with an
Immigration Alien Response (IAR: status, criminal history, priority
level); the ICE field office may then lodge a detainer (Form I-247) with
the jail. Each is written here as a transaction of a Type-1 and a Type-2
record (``program_rules.txt`` says why and defines their fields and codes
in the OpenEBTS format); :func:`program_rules` merges those rules with
EBTS's so that :func:`interop.nist.validation.validate` checks them all.

Every message answers the booking's CAR: 1.010 TCR carries its TCN.
"""

from __future__ import annotations

import dataclasses
import functools
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from interop.nist._message import (
    Offence,
    arrest_segment,
    day,
    open_message,
    optional,
    read_arrest_segment,
    read_day,
    text,
    type1,
)
from interop.nist.ebts_rules import Rules, load_rules, parse_rules
from interop.nist.traditional import Field, Record, Transaction, encode

PROGRAM_RULES_FILE = Path(__file__).with_name("program_rules.txt")

LESC_ORI = "VTINS07S0"
"""ORI of ICE's Law Enforcement Support Center (Williston, Vermont)."""
IDENT_ORI = "DCIDENT0Z"
"""ORI this system gives the immigration fingerprint system (IDENT)."""

IMMIGRATION_STATUSES = ("USC", "NAT", "LPR", "VIS", "OVS", "EWI", "RMV", "UNK")
PRIORITY_LEVELS = ("1", "2", "3", "N", "U")
DETAINER_BASES = ("INV", "NTA", "WAR", "ORD")
DETAINER_REQUESTS = ("HLD", "NTF", "CPY", "CNL")


FEATURES_TOT = "CARF"
"""The program's criminal submission whose fingers come as Type-9 minutiae
(standard format), with or without images: a CAR for the Type-1 and Type-2
records (the same field rules), a TPFS for the Type-9 records. EBTS 9.1 has
no retained criminal submission by features; bookings whose prints were
already encoded (replays, benchmarks) use this one. Two TPFS rules are
relaxed for it: core and delta positions (9.008, 9.009) are optional, and
9.010 MIN takes up to three digits (the OpenEBTS file allows one, the
standard three)."""


@functools.cache
def program_rules() -> Rules:
    """The EBTS 9.1 rules with the program's messages added (1.004 TOT
    accepts their types), and :data:`FEATURES_TOT`."""
    ebts = load_rules()
    extra = parse_rules(PROGRAM_RULES_FILE.read_text(encoding="utf-8"))
    transactions = {
        **ebts.transactions,
        **extra.transactions,
        FEATURES_TOT: {
            "name": "Criminal Tenprint Submission by features (Answer Required)",
            "records": [[[1], 1, 1], [[2], 1, 1], [[9], 1, 10], [[4, 14], 0, 14]],
        },
    }
    fields = []
    for rule in ebts.fields:
        if rule.mnemonic == "T1_TOT" and rule.codes is not None:
            codes = dict(rule.codes)
            codes.update({tot: spec["name"] for tot, spec in transactions.items()})
            rule = dataclasses.replace(rule, codes=codes)
        alias = "CAR" if rule.record != 9 else "TPFS"
        if rule.record == 9 and rule.tag in (8, 9):
            # TPFS's core and delta: the program's matcher needs neither
            tots = rule.tots if rule.tots is not None else dict.fromkeys(transactions, rule.default)
            rule = dataclasses.replace(rule, tots={**tots, FEATURES_TOT: "O"})
        elif rule.tots is not None and alias in rule.tots:
            rule = dataclasses.replace(rule, tots={**rule.tots, FEATURES_TOT: rule.tots[alias]})
        if rule.mnemonic == "T9_MIN":
            rule = dataclasses.replace(rule, size=(1, 3))  # ANSI/NIST-ITL: up to 999 minutiae
        fields.append(rule)
    return Rules(transactions, tuple(fields) + extra.fields)


@dataclass(frozen=True)
class Header:
    """What every program message carries in its Type-1 record.

    Attributes
    ----------
    tcn : str
        This message's transaction control number.
    tcr : str
        The TCN of the booking's CAR it concerns.
    sender, recipient : str
        ORIs (1.008 ORI and 1.007 DAI).
    sent_on : date
    """

    tcn: str
    tcr: str
    sender: str
    recipient: str
    sent_on: date


@dataclass(frozen=True)
class IdentDataResponse:
    """IDR: whether IDENT holds the booked person's prints."""

    header: Header
    match: bool
    encounters: tuple[str, ...] = ()
    a_number: str | None = None
    fbi_number: str | None = None


@dataclass(frozen=True)
class AlienQuery:
    """IAQ: the booking, sent to the LESC on an IDENT match."""

    header: Header
    name: str
    date_of_birth: date
    sex: str
    place_of_birth: str
    offences: tuple[Offence, ...]
    booking_agency: str
    fbi_number: str


@dataclass(frozen=True)
class AlienResponse:
    """IAR: the LESC's determination."""

    header: Header
    name: str
    date_of_birth: date
    a_number: str
    status: str
    priority_level: str
    booking_agency: str
    fbi_number: str
    sex: str | None = None
    criminal_history: str | None = None


@dataclass(frozen=True)
class Detainer:
    """Form I-247, Immigration Detainer - Notice of Action."""

    header: Header
    name: str
    date_of_birth: date
    sex: str
    a_number: str
    fbi_number: str
    holding_agency: str
    office: str
    bases: tuple[str, ...]
    requests: tuple[str, ...]
    officer: str
    place_of_birth: str | None = None


def _type1(tot: str, h: Header) -> Record:
    return type1(
        tot, tcn=h.tcn, tcr=h.tcr, recipient=h.recipient, sender=h.sender, sent_on=h.sent_on
    )


def _message(tot: str, h: Header, fields: dict[int, str | list[list[str]] | None]) -> bytes:
    present = [Field.of(tag, v) for tag, v in sorted(fields.items()) if v is not None]
    type2 = Record(2, (Field.of(1, "0"), Field.of(2, "00"), *present))
    return encode([_type1(tot, h), type2])


def _check_codes(values: tuple[str, ...], allowed: tuple[str, ...], what: str) -> None:
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise ValueError(f"{what} must be 1-4 of {', '.join(allowed)}, got {list(values)}")


def build_idr(m: IdentDataResponse) -> bytes:
    """The IDR transaction."""
    return _message(
        "IDR",
        m.header,
        {
            14: m.fbi_number,
            900: "M" if m.match else "N",
            901: [[e] for e in m.encounters] if m.encounters else None,
            902: m.a_number,
        },
    )


def build_iaq(m: AlienQuery) -> bytes:
    """The IAQ transaction."""
    return _message(
        "IAQ",
        m.header,
        {
            14: m.fbi_number,
            18: m.name,
            20: m.place_of_birth,
            22: day(m.date_of_birth),
            24: m.sex,
            47: arrest_segment(m.offences),
            73: m.booking_agency,
        },
    )


def build_iar(m: AlienResponse) -> bytes:
    """The IAR transaction.

    Raises
    ------
    ValueError
        For a status or priority level outside the code tables.
    """
    if m.status not in IMMIGRATION_STATUSES:
        raise ValueError(f"status must be one of {IMMIGRATION_STATUSES}, got {m.status!r}")
    if m.priority_level not in PRIORITY_LEVELS:
        raise ValueError(
            f"priority level must be one of {PRIORITY_LEVELS}, got {m.priority_level!r}"
        )
    return _message(
        "IAR",
        m.header,
        {
            14: m.fbi_number,
            18: m.name,
            22: day(m.date_of_birth),
            24: m.sex,
            73: m.booking_agency,
            75: m.criminal_history,
            902: m.a_number,
            903: m.status,
            904: m.priority_level,
        },
    )


def build_detainer(m: Detainer) -> bytes:
    """The I-247 as a DETN transaction.

    Raises
    ------
    ValueError
        For bases or requests outside their code tables (1-4 of each).
    """
    _check_codes(m.bases, DETAINER_BASES, "bases")
    _check_codes(m.requests, DETAINER_REQUESTS, "requests")
    return _message(
        "DETN",
        m.header,
        {
            14: m.fbi_number,
            18: m.name,
            20: m.place_of_birth,
            22: day(m.date_of_birth),
            24: m.sex,
            73: m.holding_agency,
            902: m.a_number,
            910: m.office,
            911: [[b] for b in m.bases],
            912: [[r] for r in m.requests],
            913: m.officer,
        },
    )


# --- reading -------------------------------------------------------------------
def _open(data: bytes | Transaction, tot: str) -> tuple[Header, Record]:
    _, first, r2 = open_message(data, (tot,), needed=(5, 7, 8, 9, 10))
    header = Header(
        tcn=first[9].text,
        tcr=first[10].text,
        sender=first[8].text,
        recipient=first[7].text,
        sent_on=read_day(first[5].text, "1.005", 0),
    )
    return header, r2


def _list(r: Record, tag: int) -> tuple[str, ...]:
    f = r.get(tag)
    return tuple(items[0] for items in f.items()) if f is not None else ()


def read_idr(data: bytes | Transaction) -> IdentDataResponse:
    """The IDR a transaction carries (raises NistFormatError otherwise)."""
    h, r = _open(data, "IDR")
    return IdentDataResponse(
        header=h,
        match=text(r, 900) == "M",
        encounters=_list(r, 901),
        a_number=optional(r, 902),
        fbi_number=optional(r, 14),
    )


def read_iaq(data: bytes | Transaction) -> AlienQuery:
    """The IAQ a transaction carries (raises NistFormatError otherwise)."""
    h, r = _open(data, "IAQ")
    return AlienQuery(
        header=h,
        name=text(r, 18),
        date_of_birth=read_day(text(r, 22), "2.022"),
        sex=text(r, 24),
        place_of_birth=text(r, 20),
        offences=read_arrest_segment(r),
        booking_agency=text(r, 73),
        fbi_number=text(r, 14),
    )


def read_iar(data: bytes | Transaction) -> AlienResponse:
    """The IAR a transaction carries (raises NistFormatError otherwise)."""
    h, r = _open(data, "IAR")
    return AlienResponse(
        header=h,
        name=text(r, 18),
        date_of_birth=read_day(text(r, 22), "2.022"),
        a_number=text(r, 902),
        status=text(r, 903),
        priority_level=text(r, 904),
        booking_agency=text(r, 73),
        fbi_number=text(r, 14),
        sex=optional(r, 24),
        criminal_history=optional(r, 75),
    )


def read_detainer(data: bytes | Transaction) -> Detainer:
    """The I-247 a DETN transaction carries (raises NistFormatError otherwise)."""
    h, r = _open(data, "DETN")
    return Detainer(
        header=h,
        name=text(r, 18),
        date_of_birth=read_day(text(r, 22), "2.022"),
        sex=text(r, 24),
        a_number=text(r, 902),
        fbi_number=text(r, 14),
        holding_agency=text(r, 73),
        office=text(r, 910),
        bases=_list(r, 911),
        requests=_list(r, 912),
        officer=text(r, 913),
        place_of_birth=optional(r, 20),
    )


def render_detainer(m: Detainer, width: int = 78) -> str:
    """The I-247 as a readable document (plain text, ``width`` columns)."""
    rules = program_rules()
    bases = next(r for r in rules.fields if r.mnemonic == "T2_DBS").codes or {}
    requests = next(r for r in rules.fields if r.mnemonic == "T2_DRQ").codes or {}

    def box(checked: bool, text: str) -> list[str]:
        return textwrap.wrap(
            text,
            width,
            initial_indent=f"  [{'X' if checked else ' '}] ",
            subsequent_indent="      ",
        )

    surname, _, given = m.name.partition(",")
    lines = [
        "U.S. Department of Homeland Security".center(width),
        "IMMIGRATION DETAINER - NOTICE OF ACTION (Form I-247)".center(width),
        "",
        f"To: {m.holding_agency} (holding agency)",
        f"From: {m.office}",
        f"Date: {m.header.sent_on.isoformat()}    File no.: {m.a_number}",
        f"Reference (TCN of the booking): {m.header.tcr}",
        "",
        f"Name: {surname.strip()}, {given.strip()}".rstrip(", "),
        f"Date of birth: {m.date_of_birth.isoformat()}    Sex: {m.sex}",
        f"FBI number: {m.fbi_number}"
        + (f"    Place of birth: {m.place_of_birth}" if m.place_of_birth else ""),
        "",
        "You are advised that the action below has been taken by the Department",
        "of Homeland Security concerning the person named above:",
    ]
    for code, meaning in bases.items():
        lines += box(code in m.bases, meaning)
    lines += ["", "It is requested that you:"]
    for code, meaning in requests.items():
        lines += box(code in m.requests, meaning)
    lines += [
        "",
        *textwrap.wrap(
            "This detainer is a request, not an order (8 CFR 287.7). The 48 hours "
            "exclude Saturdays, Sundays and Federal holidays and run from the time "
            "the person would otherwise have been released.",
            width,
        ),
        "",
        f"Issuing officer: {m.officer}",
    ]
    return "\n".join(lines) + "\n"
