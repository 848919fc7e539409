"""The program's messages: IDR, IAQ, IAR and the I-247 detainer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from interop.nist import NistFormatError, parse
from interop.nist.car import Offence
from interop.nist.program import (
    LESC_ORI,
    AlienQuery,
    AlienResponse,
    Detainer,
    Header,
    IdentDataResponse,
    build_detainer,
    build_iaq,
    build_iar,
    build_idr,
    program_rules,
    read_detainer,
    read_iaq,
    read_iar,
    read_idr,
    render_detainer,
)
from interop.nist.validation import validate


def header(tcn: str) -> Header:
    return Header(
        tcn=tcn,
        tcr="TX22700000000001234",
        sender="DCIDENT0Z",
        recipient="WVIAFIS0Z",
        sent_on=date(2010, 3, 14),
    )


IDR = IdentDataResponse(
    header("IDENT2010031400001"), True, ("FIN-88213", "FIN-90117"), "A087654321", "123456AB7"
)
IAQ = AlienQuery(
    header("WVIAFIS0Z2010031400009"),
    name="LOPEZ-GARCIA,ANA",
    date_of_birth=date(1984, 7, 2),
    sex="F",
    place_of_birth="TX",
    offences=(Offence(date(2010, 3, 14), "2299", "BURGLARY"),),
    booking_agency="TX2270000",
    fbi_number="123456AB7",
)
IAR = AlienResponse(
    header("LESC2010031400003"),
    name="LOPEZ-GARCIA,ANA",
    date_of_birth=date(1984, 7, 2),
    a_number="A087654321",
    status="OVS",
    priority_level="3",
    booking_agency="TX2270000",
    fbi_number="123456AB7",
    sex="F",
    criminal_history="2004-05-01 TX2270000 2299 BURGLARY: CONVICTED, 90 DAYS",
)
DETN = Detainer(
    header("ICEHOU2010031400001"),
    name="LOPEZ-GARCIA,ANA",
    date_of_birth=date(1984, 7, 2),
    sex="F",
    a_number="A087654321",
    fbi_number="123456AB7",
    holding_agency="TX2270000",
    office="ICE ERO HOUSTON FIELD OFFICE",
    bases=("INV",),
    requests=("HLD", "NTF"),
    officer="SMITH, J.",
    place_of_birth="TX",
)


@pytest.mark.parametrize(
    ("message", "build", "read"),
    [
        (IDR, build_idr, read_idr),
        (IAQ, build_iaq, read_iaq),
        (IAR, build_iar, read_iar),
        (DETN, build_detainer, read_detainer),
    ],
    ids=["IDR", "IAQ", "IAR", "DETN"],
)
def test_messages_round_trip_and_follow_their_rules(
    message: object, build: Callable[[Any], bytes], read: Callable[[bytes], object]
) -> None:
    data = build(message)
    t = parse(data)
    assert validate(t, program_rules()) == [], [str(v) for v in validate(t, program_rules())]
    assert read(data) == message
    assert t.records[0][10].text == "TX22700000000001234"  # answers the booking's CAR


def test_no_match_idr_is_minimal() -> None:
    no = IdentDataResponse(header("IDENT2010031400002"), False)
    assert read_idr(build_idr(no)) == no
    assert validate(parse(build_idr(no)), program_rules()) == []


def test_broken_messages_are_reported() -> None:
    bad = dataclasses.replace(IAR, a_number="12345")
    violations = validate(parse(build_iar(bad)), program_rules())
    assert [v.field for v in violations] == ["2.902", "2.902"]  # length and pattern
    with pytest.raises(ValueError, match="status"):
        build_iar(dataclasses.replace(IAR, status="XYZ"))
    with pytest.raises(ValueError, match="priority level"):
        build_iar(dataclasses.replace(IAR, priority_level="7"))
    with pytest.raises(ValueError, match="requests"):
        build_detainer(dataclasses.replace(DETN, requests=()))
    with pytest.raises(NistFormatError, match="not an IAR"):
        read_iar(build_iaq(IAQ))


def test_iaq_goes_to_the_lesc_and_the_ebts_rules_alone_do_not_know_it() -> None:
    query = dataclasses.replace(IAQ, header=dataclasses.replace(IAQ.header, recipient=LESC_ORI))
    t = parse(build_iaq(query))
    assert t.records[0][7].text == "VTINS07S0"
    assert "unknown type of transaction 'IAQ'" in validate(t)[0].message


def test_detainer_renders_as_a_readable_notice() -> None:
    text = render_detainer(DETN)
    assert "IMMIGRATION DETAINER - NOTICE OF ACTION (Form I-247)" in text
    assert "[X] Maintain custody for a period not to exceed 48 hours" in text
    assert "[ ] Obtained an order of deportation or removal" in text
    assert "[X] Initiated an investigation" in text
    assert "request, not an order" in text
    assert "LOPEZ-GARCIA, ANA" in text and "A087654321" in text
    assert max(len(line) for line in text.splitlines()) <= 78
