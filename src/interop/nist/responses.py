"""The FBI's answers to a ten-print submission: SRE (search results) and ERRT
(error), written and read.

Both answer one CAR: 1.010 TCR repeats its TCN, 1.007 DAI is the submitting
agency and 1.008 ORI the FBI's CJIS Division. An SRE says whether the
prints identified someone (2.059 SRF ``I`` or ``N``), with the FBI number
(2.014 FBI, the UCN) and, optionally, the electronic rap sheet (2.075 ERS);
an ERRT carries up to eleven error messages (2.060 MSG).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from interop.nist.car import FBI_CJIS_DAI, NATIVE_PPMM, VERSION
from interop.nist.errors import NistFormatError
from interop.nist.traditional import Field, Record, Transaction, encode, parse

MAX_ERROR_MESSAGES = 11
"""Occurrences of 2.060 MSG an ERRT may carry (EBTS 9.1)."""


@dataclass(frozen=True)
class SearchResponse:
    """An SRE: the outcome of a ten-print search.

    Attributes
    ----------
    tcn, tcr : str
        This response's control number and the submission's (its TCN).
    agency : str
        ORI of the submitting agency (the response's destination).
    sent_on : date
    name : str
        ``SURNAME,GIVEN`` as the FBI holds it (or as submitted).
    identified : bool
        2.059 SRF: ``I`` (identification) or ``N`` (non-identification).
    controlling_agency : str
        2.073 CRI.
    fbi_number : str or None
        2.014 FBI (UCN) of the person identified or newly enrolled.
    rap_sheet : str or None
        2.075 ERS, the electronic rap sheet.
    """

    tcn: str
    tcr: str
    agency: str
    sent_on: date
    name: str
    identified: bool
    controlling_agency: str
    fbi_number: str | None = None
    rap_sheet: str | None = None


@dataclass(frozen=True)
class ErrorResponse:
    """An ERRT: the submission could not be processed.

    Attributes
    ----------
    tcn, tcr, agency, sent_on
        As for :class:`SearchResponse`.
    messages : tuple of str
        1 to :data:`MAX_ERROR_MESSAGES` texts (2.060 MSG).
    """

    tcn: str
    tcr: str
    agency: str
    sent_on: date
    messages: tuple[str, ...]


def _type1(tot: str, tcn: str, tcr: str, agency: str, sent_on: date) -> Record:
    return Record(
        1,
        (
            Field.of(1, "0"),
            Field.of(2, VERSION),
            Field.of(3, [["1", "1"], ["2", "00"]]),
            Field.of(4, tot),
            Field.of(5, sent_on.strftime("%Y%m%d")),
            Field.of(7, agency),
            Field.of(8, FBI_CJIS_DAI),
            Field.of(9, tcn),
            Field.of(10, tcr),
            Field.of(11, NATIVE_PPMM),
            Field.of(12, NATIVE_PPMM),
        ),
    )


def build_sre(response: SearchResponse) -> bytes:
    """The SRE transaction of a search response."""
    fields = [Field.of(1, "0"), Field.of(2, "00")]
    if response.fbi_number is not None:
        fields.append(Field.of(14, response.fbi_number))
    fields += [Field.of(18, response.name), Field.of(59, "I" if response.identified else "N")]
    fields.append(Field.of(73, response.controlling_agency))
    if response.rap_sheet is not None:
        fields.append(Field.of(75, response.rap_sheet))
    t1 = _type1("SRE", response.tcn, response.tcr, response.agency, response.sent_on)
    return encode([t1, Record(2, tuple(fields))])


def build_errt(response: ErrorResponse) -> bytes:
    """The ERRT transaction of an error response.

    Raises
    ------
    ValueError
        Without messages, or with more than :data:`MAX_ERROR_MESSAGES`.
    """
    if not 1 <= len(response.messages) <= MAX_ERROR_MESSAGES:
        raise ValueError(
            f"an ERRT carries 1-{MAX_ERROR_MESSAGES} messages, got {len(response.messages)}"
        )
    t1 = _type1("ERRT", response.tcn, response.tcr, response.agency, response.sent_on)
    msg = Field.of(60, [[m] for m in response.messages])
    return encode([t1, Record(2, (Field.of(1, "0"), Field.of(2, "00"), msg))])


def _header(t: Transaction, tot: str) -> tuple[Record, Record, date]:
    type1 = t.records[0]
    if type1.get(4) is None or type1[4].text != tot:
        raise NistFormatError(f"not an {tot} (1.004)", record=0, field="1.004")
    type2s = t.of_type(2)
    if len(type2s) != 1:
        raise NistFormatError(f"{len(type2s)} Type-2 records, an {tot} has one", field="2.001")
    for tag in (5, 7, 9, 10):
        if type1.get(tag) is None:
            raise NistFormatError("missing", record=0, field=f"1.{tag:03d}")
    day = type1[5].text
    try:
        sent = date(int(day[:4]), int(day[4:6]), int(day[6:8]))
    except ValueError as exc:
        raise NistFormatError(f"{day!r} is not a date", record=0, field="1.005") from exc
    return type1, type2s[0], sent


def read_sre(data: bytes | Transaction) -> SearchResponse:
    """The search response an SRE carries.

    Raises
    ------
    NistFormatError
        If it is not a readable SRE (the message names the field).
    """
    t = data if isinstance(data, Transaction) else parse(data)
    type1, r2, sent = _header(t, "SRE")
    for tag in (18, 59, 73):
        if r2.get(tag) is None:
            raise NistFormatError("missing", record=1, field=f"2.{tag:03d}")
    fbi, ers = r2.get(14), r2.get(75)
    return SearchResponse(
        tcn=type1[9].text,
        tcr=type1[10].text,
        agency=type1[7].text,
        sent_on=sent,
        name=r2[18].text,
        identified=r2[59].text == "I",
        controlling_agency=r2[73].text,
        fbi_number=fbi.text if fbi is not None else None,
        rap_sheet=ers.text if ers is not None else None,
    )


def read_errt(data: bytes | Transaction) -> ErrorResponse:
    """The error response an ERRT carries.

    Raises
    ------
    NistFormatError
        If it is not a readable ERRT.
    """
    t = data if isinstance(data, Transaction) else parse(data)
    type1, r2, sent = _header(t, "ERRT")
    msg = r2.get(60)
    if msg is None:
        raise NistFormatError("missing", record=1, field="2.060")
    return ErrorResponse(
        tcn=type1[9].text,
        tcr=type1[10].text,
        agency=type1[7].text,
        sent_on=sent,
        messages=tuple(items[0] for items in msg.items()),
    )
