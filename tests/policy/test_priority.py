"""ICE priority levels (June 2010 definitions) and the LESC's classification of a record."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interop.policy import (
    LEVEL_RULES,
    OFFENCES,
    Disposition,
    HistoryEntry,
    InvalidFactError,
    LevelDecision,
    MatchLevel,
    PolicyConfigError,
    PriorityLevel,
    UnknownOffenceError,
    classify,
    conviction_level,
    match_level,
)

L1, L2, L3, NC = PriorityLevel
ON = date(2010, 6, 1)
C, CL, D, P = Disposition


def convicted(
    code: str, on: date = date(2009, 3, 2), *, arrested: date | None = None
) -> HistoryEntry:
    arrested_on = arrested if arrested is not None else date(on.year - 1, 1, 5)
    return HistoryEntry(code, arrested_on, C, on)


def dismissed(code: str) -> HistoryEntry:
    return HistoryEntry(code, date(2008, 4, 1), D, date(2008, 9, 1))


def pending(code: str) -> HistoryEntry:
    return HistoryEntry(code, date(2010, 5, 1), P)


# ------------------------------------------------------------ conviction_level, match_level


@pytest.mark.parametrize(
    ("codes", "level"),
    [
        ((), NC),
        (("5499",), L3),
        (("5404", "5311"), L3),
        (("5404", "5311", "2303"), L2),
        (("2399",), L2),
        (("2399", "3532"), L1),
        (("1206",), L1),
        (("5499", "5499", "1304"), L1),
        (("2399", "5499", "5499", "5499"), L2),
    ],
)
def test_conviction_level(codes: tuple[str, ...], level: PriorityLevel) -> None:
    assert conviction_level(OFFENCES[c] for c in codes) is level


def test_match_level_counts_a_level_1_charge() -> None:
    assert match_level(OFFENCES["1305"], NC) is MatchLevel.LEVEL_1
    assert match_level(OFFENCES["5499"], L1) is MatchLevel.LEVEL_1
    assert match_level(OFFENCES["5499"], L2) is MatchLevel.LEVEL_2_3
    assert match_level(OFFENCES["3601"], L3) is MatchLevel.LEVEL_1


# ------------------------------------------------------------ classify: the brief's cases


def test_charges_alone_are_non_criminal() -> None:
    result = classify([dismissed("1206"), pending("0911"), dismissed("3530")], ON, citizen=False)
    assert result.level is NC and result.rule == "level.no-conviction"
    assert result.convictions == () and result.deciding == ()
    assert result.enforcement_allowed
    assert "3 charges without conviction not counted" in result.reason
    assert "2010-06-01" in result.reason


def test_empty_record_is_non_criminal() -> None:
    result = classify([], ON, citizen=False)
    assert result.level is NC
    assert result.reason == (
        "Non-criminal: no conviction disposed of on or before 2010-06-01. "
        "Enforcement action allowed."
    )


def test_one_aggravated_felony_is_level_1() -> None:
    result = classify([convicted("1206")], ON, citizen=False)
    assert result.level is L1 and result.rule == "level.aggravated-felony"
    assert result.deciding == ("1206",)
    assert "1206 Robbery - street - strongarm (convicted 2009-03-02)" in result.reason


def test_two_felonies_are_level_1() -> None:
    result = classify([convicted("2399"), convicted("5499"), convicted("3532")], ON, citizen=False)
    assert result.level is L1 and result.rule == "level.two-felonies"
    assert result.convictions == ("2399", "5499", "3532")
    assert result.deciding == ("2399", "3532")


def test_one_felony_is_level_2() -> None:
    result = classify([convicted("2399"), convicted("5499")], ON, citizen=False)
    assert result.level is L2 and result.rule == "level.felony"
    assert result.deciding == ("2399",)


def test_three_misdemeanours_are_level_2() -> None:
    history = [convicted("5404"), convicted("5311"), convicted("2303")]
    result = classify(history, ON, citizen=False)
    assert result.level is L2 and result.rule == "level.three-misdemeanours"
    assert result.deciding == ("5404", "5311", "2303")


@pytest.mark.parametrize("codes", [("5499",), ("5404", "5404")])
def test_one_or_two_misdemeanours_are_level_3(codes: tuple[str, ...]) -> None:
    result = classify([convicted(c) for c in codes], ON, citizen=False)
    assert result.level is L3 and result.rule == "level.misdemeanours"
    assert result.deciding == codes


def test_a_conviction_after_the_day_is_not_counted() -> None:
    later = HistoryEntry("1206", date(2010, 3, 1), C, date(2010, 6, 2))
    result = classify([later, convicted("5499")], ON, citizen=False)
    assert result.level is L3
    assert "1 conviction disposed of after 2010-06-01 not counted" in result.reason
    on_the_day = classify([later], date(2010, 6, 2), citizen=False)
    assert on_the_day.level is L1  # disposed on the day itself counts


def test_a_charge_arrested_before_but_disposed_after_is_a_charge_on_the_day() -> None:
    entry = HistoryEntry("0911", date(2010, 1, 1), C, date(2011, 1, 1))
    assert classify([entry], ON, citizen=False).level is NC
    assert classify([entry], date(2011, 1, 1), citizen=False).level is L1


def test_a_plea_counts_as_the_lesser_offence() -> None:
    plea = HistoryEntry("1206", date(2008, 1, 1), CL, date(2008, 5, 1))  # robbery -> 2303
    result = classify([plea], ON, citizen=False)
    assert result.level is L3
    assert result.convictions == ("2303",)
    assert "2303 Shoplifting (petty theft) (convicted 2008-05-01, plea from charge 1206)" in (
        result.reason
    )


def test_a_plea_to_a_named_lesser_felony_counts_as_that_felony() -> None:
    plea = HistoryEntry("1206", date(2008, 1, 1), CL, date(2008, 5, 1), convicted_of="2399")
    result = classify([plea], ON, citizen=False)
    assert result.level is L2 and result.convictions == ("2399",)


def test_three_pleas_to_misdemeanours_are_level_2_not_level_1() -> None:
    pleas = [HistoryEntry("3530", date(2005 + i, 1, 1), CL, date(2005 + i, 2, 1)) for i in range(3)]
    result = classify(pleas, ON, citizen=False)
    assert result.level is L2 and result.convictions == ("3550",) * 3


def test_a_citizen_is_recorded_but_gets_no_enforcement() -> None:
    result = classify([convicted("1206")], ON, citizen=True)
    assert result.level is L1  # still classified and recorded
    assert result.citizen and not result.enforcement_allowed
    assert result.reason.endswith("US citizen: recorded, no enforcement action.")
    assert classify([], ON, citizen=True).enforcement_allowed is False


def test_history_order_does_not_change_the_level() -> None:
    history = [convicted("5404"), dismissed("1206"), convicted("2399"), convicted("3532")]
    forward = classify(history, ON, citizen=False)
    backward = classify(history[::-1], ON, citizen=False)
    assert forward.level is backward.level is L1
    assert set(forward.deciding) == set(backward.deciding) == {"2399", "3532"}


# ------------------------------------------------------------ unknown codes, malformed entries


def test_an_unknown_convicted_code_rejects_the_record() -> None:
    with pytest.raises(UnknownOffenceError):
        classify([convicted("9999")], ON, citizen=False)
    # even a conviction that does not count yet: the record is not classified on a guess
    with pytest.raises(UnknownOffenceError):
        classify([convicted("9999", date(2012, 1, 1))], ON, citizen=False)
    with pytest.raises(UnknownOffenceError):
        classify([HistoryEntry("1206", date(2008, 1, 1), CL, date(2008, 2, 1), "9998")], ON,
                 citizen=False)  # fmt: skip


def test_an_unknown_code_on_a_mere_charge_does_not_matter() -> None:
    assert classify([dismissed("9999"), pending("9998")], ON, citizen=False).level is NC


def test_a_plea_without_a_usual_lesser_offence_needs_convicted_of() -> None:
    entry = HistoryEntry("0911", date(2008, 1, 1), CL, date(2008, 6, 1))
    with pytest.raises(InvalidFactError, match="no usual lesser offence"):
        classify([entry], ON, citizen=False)
    named = HistoryEntry("0911", date(2008, 1, 1), CL, date(2008, 6, 1), convicted_of="0909")
    assert classify([named], ON, citizen=False).level is L1


@pytest.mark.parametrize(
    "make",
    [
        lambda: HistoryEntry("12", date(2008, 1, 1), C, date(2008, 2, 1)),
        lambda: HistoryEntry("1206", date(2008, 1, 1), "convicted", date(2008, 2, 1)),
        lambda: HistoryEntry("1206", date(2008, 1, 1), P, date(2008, 2, 1)),
        lambda: HistoryEntry("1206", date(2008, 1, 1), C),
        lambda: HistoryEntry("1206", date(2008, 1, 1), D),
        lambda: HistoryEntry("1206", date(2008, 2, 1), C, date(2008, 1, 1)),
        lambda: HistoryEntry("1206", date(2008, 1, 1), C, date(2008, 2, 1), "2303"),
        lambda: HistoryEntry("1206", date(2008, 1, 1), CL, date(2008, 2, 1), "1206"),
        lambda: HistoryEntry("1206", date(2008, 1, 1), CL, date(2008, 2, 1), "23"),
        lambda: HistoryEntry("1206", datetime(2008, 1, 1), C, date(2008, 2, 1)),
        lambda: HistoryEntry("1206", "2008-01-01", C, date(2008, 2, 1)),
    ],
)
def test_malformed_history_entries_are_rejected(make: object) -> None:
    with pytest.raises(InvalidFactError):
        make()  # type: ignore[operator]


def test_classify_checks_its_arguments() -> None:
    with pytest.raises(InvalidFactError):
        classify([], datetime(2010, 6, 1), citizen=False)
    with pytest.raises(InvalidFactError):
        classify([], ON, citizen="no")  # type: ignore[arg-type]
    with pytest.raises(InvalidFactError):
        classify([("1206", ON)], ON, citizen=False)  # type: ignore[list-item]


# ------------------------------------------------------------ LevelDecision


def test_level_decision_round_trips_through_json() -> None:
    result = classify([convicted("2399"), convicted("3532"), dismissed("1206")], ON, citizen=False)
    record = json.loads(json.dumps(result.to_dict()))
    assert record["level"] == "LEVEL_1"
    assert LevelDecision.from_dict(record) == result


@pytest.mark.parametrize(
    "change",
    [
        {"level": "LEVEL_9"},
        {"on": "2010-13-01"},
        {"enforcement_allowed": "yes"},
        {"citizen": 1},
        {"rule": "level.felony"},  # does not give LEVEL_1
        {"convictions": [2399]},
        {"citizen": True},  # a citizen with enforcement allowed
    ],
)
def test_level_decision_from_dict_rejects_bad_records(change: dict[str, object]) -> None:
    record = classify([convicted("2399"), convicted("3532")], ON, citizen=False).to_dict()
    record.update(change)
    with pytest.raises(PolicyConfigError):
        LevelDecision.from_dict(record)
    with pytest.raises(PolicyConfigError):
        LevelDecision.from_dict({})


def test_level_rules_cover_every_level() -> None:
    assert set(LEVEL_RULES.values()) == set(PriorityLevel)


# ------------------------------------------------------------ properties

_CODES = sorted(OFFENCES)
_entries = st.builds(
    lambda code, arrested, disposition, days: HistoryEntry(
        code,
        arrested,
        disposition,
        None if disposition is P else date.fromordinal(arrested.toordinal() + days),
    ),
    st.sampled_from(_CODES),
    st.dates(date(1990, 1, 1), date(2012, 12, 31)),
    st.sampled_from([C, D, P]),
    st.integers(0, 900),
)


@given(
    st.lists(_entries, max_size=8), st.dates(date(1995, 1, 1), date(2014, 12, 31)), st.booleans()
)
def test_classify_agrees_with_conviction_level(
    history: list[HistoryEntry], on: date, citizen: bool
) -> None:
    result = classify(history, on, citizen=citizen)
    counted = [OFFENCES[e.offence] for e in history if e.convicted_by(on)]
    assert result.level is conviction_level(counted)
    assert LEVEL_RULES[result.rule] is result.level
    assert result.enforcement_allowed is (not citizen)
    assert set(result.deciding) <= set(result.convictions)
    assert (result.level is NC) == (not result.convictions)


@given(st.lists(_entries, max_size=8), st.dates(date(1995, 1, 1), date(2014, 12, 31)))
def test_the_level_never_gets_less_serious_with_time(history: list[HistoryEntry], on: date) -> None:
    earlier = classify(history, on, citizen=False).level
    later = classify(history, date(2015, 1, 1), citizen=False).level
    assert later <= earlier
