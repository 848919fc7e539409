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

from interop.nist._message import open_message, optional, read_day, text, type1
from interop.nist.car import FBI_CJIS_DAI
from interop.nist.traditional import Field, Record, Transaction, encode

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
    return type1(tot, tcn=tcn, tcr=tcr, recipient=agency, sender=FBI_CJIS_DAI, sent_on=sent_on)


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


def _open(data: bytes | Transaction, tot: str) -> tuple[Record, Record, date]:
    _, first, r2 = open_message(data, (tot,), needed=(5, 7, 9, 10))
    return first, r2, read_day(first[5].text, "1.005", 0)


def read_sre(data: bytes | Transaction) -> SearchResponse:
    """The search response an SRE carries.

    Raises
    ------
    NistFormatError
        If it is not a readable SRE (the message names the field).
    """
    first, r2, sent = _open(data, "SRE")
    return SearchResponse(
        tcn=first[9].text,
        tcr=first[10].text,
        agency=first[7].text,
        sent_on=sent,
        name=text(r2, 18),
        identified=text(r2, 59) == "I",
        controlling_agency=text(r2, 73),
        fbi_number=optional(r2, 14),
        rap_sheet=optional(r2, 75),
    )


def read_errt(data: bytes | Transaction) -> ErrorResponse:
    """The error response an ERRT carries.

    Raises
    ------
    NistFormatError
        If it is not a readable ERRT.
    """
    first, r2, sent = _open(data, "ERRT")
    text(r2, 60)  # mandatory
    return ErrorResponse(
        tcn=first[9].text,
        tcr=first[10].text,
        agency=first[7].text,
        sent_on=sent,
        messages=tuple(items[0] for items in r2[60].items()),
    )
