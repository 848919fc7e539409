"""Typed Type-1 and Type-2 views."""

from __future__ import annotations

from datetime import date

import pytest

from interop.nist import Field, NistFormatError, Record, Transaction, parse
from interop.nist.program import program_rules
from interop.nist.typed import descriptive, transaction_info
from tests.conftest import require_data


def test_type1_of_the_car_sample() -> None:
    t = parse((require_data("ansi-nist") / "nbis-valid1.1.an2").read_bytes())
    info = transaction_info(t)
    assert info.version == "0201" and info.tot == "CAR"
    assert info.date == date(1998, 1, 3)
    assert info.content == ((2, 0), (4, 1))
    assert (info.destination, info.origin, info.tcn) == ("ABCDEFGHT", "FNDJSFHKW", "1234567890")
    assert info.native_ppmm == pytest.approx(19.69) and info.tcr is None and info.priority is None


def test_type2_by_mnemonic() -> None:
    t = parse((require_data("ansi-nist") / "nbis-valid1.1.an2").read_bytes())
    fields = descriptive(t.records[1])
    assert fields["NAM"] == [["JOHN,CLINTON"]]
    assert fields["ASL"] == [["20080302", "4727442"]]
    assert fields["SEX"] == [["M"]]
    with pytest.raises(ValueError, match="Type-2"):
        descriptive(t.records[0])


def test_program_fields_are_named_with_the_program_rules() -> None:
    r = Record(2, (Field.of(1, "0"), Field.of(2, "00"), Field.of(900, "M"), Field.of(950, "x")))
    assert descriptive(r, program_rules())["IMR"] == [["M"]]
    assert "2.950" in descriptive(r, program_rules())


def test_type1_faults_are_typed() -> None:
    base = [Field.of(1, "0"), Field.of(2, "0400"), Field.of(3, [["1", "0"]]), Field.of(4, "CAR")]
    no_date = Transaction((Record(1, tuple(base)),))
    with pytest.raises(NistFormatError, match=r"1\.005"):
        transaction_info(no_date)
    bad_date = Transaction((Record(1, (*base, Field.of(5, "20101340"))),))
    with pytest.raises(NistFormatError, match="not a date"):
        transaction_info(bad_date)
