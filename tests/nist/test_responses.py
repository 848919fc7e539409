"""SRE and ERRT: the FBI's answers, written, validated and read back."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from interop.nist import NistFormatError, parse
from interop.nist.responses import (
    ErrorResponse,
    SearchResponse,
    build_errt,
    build_sre,
    read_errt,
    read_sre,
)
from interop.nist.validation import validate

SRE = SearchResponse(
    tcn="WVIAFIS0Z2010031400001",
    tcr="TX22700000000001234",
    agency="TX2270000",
    sent_on=date(2010, 3, 14),
    name="LOPEZ-GARCIA,ANA",
    identified=True,
    controlling_agency="TX2270000",
    fbi_number="123456AB7",
    rap_sheet="ARREST 2004-05-01 TX2270000 2299 BURGLARY",
)


def test_sre_round_trip_and_conforms() -> None:
    data = build_sre(SRE)
    assert validate(parse(data)) == []
    assert read_sre(data) == SRE
    plain = SearchResponse(
        **{**SRE.__dict__, "identified": False, "fbi_number": None, "rap_sheet": None}
    )
    back = read_sre(build_sre(plain))
    assert back == plain and not back.identified
    assert validate(parse(build_sre(plain))) == []


def test_errt_round_trip_and_conforms() -> None:
    err = ErrorResponse(
        tcn="WVIAFIS0Z2010031400002",
        tcr="TX22700000000001235",
        agency="TX2270000",
        sent_on=date(2010, 3, 14),
        messages=(
            "FINGERPRINT IMAGE QUALITY TOO LOW: FINGER 3",
            "PATTERN LEVEL CLASSIFICATION FAILED",
        ),
    )
    data = build_errt(err)
    assert validate(parse(data)) == []
    assert read_errt(data) == err
    with pytest.raises(ValueError, match="1-11 messages"):
        build_errt(dataclasses.replace(err, messages=()))
    with pytest.raises(ValueError, match="1-11 messages"):
        build_errt(dataclasses.replace(err, messages=("x",) * 12))


def test_readers_refuse_other_transactions() -> None:
    with pytest.raises(NistFormatError, match="not an ERRT"):
        read_errt(build_sre(SRE))
    with pytest.raises(NistFormatError, match="not an SRE"):
        read_sre(
            build_errt(
                ErrorResponse(
                    "WVIAFIS0Z2010031400002",
                    "TX22700000000001235",
                    "TX2270000",
                    date(2010, 3, 14),
                    ("x",),
                )
            )
        )
