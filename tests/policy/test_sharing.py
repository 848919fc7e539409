"""Sharing policy: forwarding to IDENT and returning responses, replayed on Illinois and Texas.

The Illinois facts used here:

* MOA signed 2009-11-09. The domain notes give only "Nov 2009"; the day is
  an approximation (the population's calibration uses another day of the
  same month), chosen before the first activation as the record implies.
* 26 counties activated 2009-11-24, Cook County not among them. Cook's own
  activation is not pinned down in our sources; the replay takes
  2011-11-01, after ICE's termination of the MOAs, so it also covers a
  county first activated after its state opted out.
* MOA terminated by the state 2011-05-04; all MOAs terminated by ICE 2011-08-05.

Texas never opted out: MOA taken as signed on Harris County's activation
day, 2008-10-27 (the domain notes say "2008"; the population's geography
likewise signs a state's MOA on its first activation).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from interop.policy import (
    FORWARD_RULES,
    PROGRAM,
    RETURN_RULES,
    Decision,
    InvalidFactError,
    JurisdictionActivation,
    PostTerminationReturns,
    ProgramFacts,
    SharingMode,
    StateTerms,
    forward_to_ident,
    return_response_to_state,
)

AS_OPERATED, HONOR = SharingMode.AS_OPERATED, SharingMode.HONOR_OPT_OUT
UNLESS, ALL, NONE = PostTerminationReturns

ILLINOIS = StateTerms("IL", moa_signed_on=date(2009, 11, 9), moa_terminated_on=date(2011, 5, 4))
KANE = JurisdictionActivation("IL0450000", "IL", activated_on=date(2009, 11, 24))
COOK = JurisdictionActivation("IL0160000", "IL", activated_on=date(2011, 11, 1))
TEXAS = StateTerms("TX", moa_signed_on=date(2008, 10, 27))
HARRIS = JurisdictionActivation("TX1010000", "TX", activated_on=date(2008, 10, 27))


def d(text: str) -> date:
    return date.fromisoformat(text)


# ------------------------------------------------------------ Illinois replay

# (day, Kane as-operated, Kane honour, Cook as-operated, Cook honour): forwarding rule codes
ILLINOIS_FORWARDING = [
    ("2009-11-08", "not-activated", "not-activated", "not-activated", "not-activated"),
    ("2009-11-23", "not-activated", "not-activated", "not-activated", "not-activated"),
    ("2009-11-24", "activated", "activated", "not-activated", "not-activated"),
    ("2010-06-01", "activated", "activated", "not-activated", "not-activated"),
    ("2011-05-03", "activated", "activated", "not-activated", "not-activated"),
    ("2011-05-04", "opt-out-overridden", "state-opted-out", "not-activated", "not-activated"),
    ("2011-06-15", "opt-out-overridden", "state-opted-out", "not-activated", "not-activated"),
    ("2011-08-04", "opt-out-overridden", "state-opted-out", "not-activated", "not-activated"),
    ("2011-08-05", "opt-out-overridden", "state-opted-out", "not-activated", "not-activated"),
    ("2011-10-31", "opt-out-overridden", "state-opted-out", "not-activated", "not-activated"),
    (
        "2011-11-01",
        "opt-out-overridden",
        "state-opted-out",
        "opt-out-overridden",
        "state-opted-out",
    ),
    (
        "2013-01-22",
        "opt-out-overridden",
        "state-opted-out",
        "opt-out-overridden",
        "state-opted-out",
    ),
]
_ALLOWED = {"activated": True, "opt-out-overridden": True}


@pytest.mark.parametrize(("day", "kane_op", "kane_hon", "cook_op", "cook_hon"), ILLINOIS_FORWARDING)
def test_illinois_forwarding(
    day: str, kane_op: str, kane_hon: str, cook_op: str, cook_hon: str
) -> None:
    for county, mode, expected in [
        (KANE, AS_OPERATED, kane_op),
        (KANE, HONOR, kane_hon),
        (COOK, AS_OPERATED, cook_op),
        (COOK, HONOR, cook_hon),
    ]:
        decision = forward_to_ident(d(day), county, ILLINOIS, mode, PROGRAM)
        assert decision.rule == f"forward.{expected}", (county.ori, mode, day)
        assert decision.allowed is _ALLOWED.get(expected, False), (county.ori, mode, day)


# (day, return rule code, allowed): the same under both modes and for both counties
ILLINOIS_RETURNS = [
    ("2009-11-08", "no-moa", False),
    ("2009-11-09", "moa-in-force", True),
    ("2009-11-24", "moa-in-force", True),
    ("2010-06-01", "moa-in-force", True),
    ("2011-05-03", "moa-in-force", True),
    ("2011-05-04", "moa-terminated-by-state", False),
    ("2011-06-15", "moa-terminated-by-state", False),
    ("2011-08-04", "moa-terminated-by-state", False),
    ("2011-08-05", "state-opted-out", False),
    ("2011-11-01", "state-opted-out", False),
    ("2013-01-22", "state-opted-out", False),
]


@pytest.mark.parametrize(("day", "rule", "allowed"), ILLINOIS_RETURNS)
@pytest.mark.parametrize("mode", list(SharingMode))
@pytest.mark.parametrize("county", [KANE, COOK], ids=["Kane", "Cook"])
def test_illinois_returns(
    day: str, rule: str, allowed: bool, mode: SharingMode, county: JurisdictionActivation
) -> None:
    decision = return_response_to_state(d(day), county, ILLINOIS, mode, PROGRAM)
    assert (decision.rule, decision.allowed) == (f"return.{rule}", allowed)


def test_illinois_modes_differ_exactly_on_forwarding_after_the_termination() -> None:
    """Over every day 2009-2013, the two modes disagree only on forwarding from an activated
    county once Illinois terminated its MOA; responses are decided alike."""
    day = date(2009, 1, 1)
    while day <= date(2013, 12, 31):
        for county in (KANE, COOK):
            op = forward_to_ident(day, county, ILLINOIS, AS_OPERATED)
            hon = forward_to_ident(day, county, ILLINOIS, HONOR)
            differs = county.activated(day) and day >= date(2011, 5, 4)
            assert (op.allowed != hon.allowed) is differs, (county.ori, day)
            assert op.allowed is county.activated(day)
            back_op = return_response_to_state(day, county, ILLINOIS, AS_OPERATED)
            back_hon = return_response_to_state(day, county, ILLINOIS, HONOR)
            assert (
                back_op.allowed is back_hon.allowed is (date(2009, 11, 9) <= day < date(2011, 5, 4))
            )
        day += timedelta(days=1)


def test_illinois_reasons_name_the_dates() -> None:
    decision = forward_to_ident(d("2011-06-15"), KANE, ILLINOIS, AS_OPERATED)
    assert decision.reason == (
        "Booking on 2011-06-15 in IL0450000: activated on 2009-11-24; forwarded to IDENT although "
        "IL terminated its MOA on 2011-05-04 (as operated, the opt-out does not stop forwarding)."
    )
    decision = forward_to_ident(d("2011-06-15"), KANE, ILLINOIS, HONOR)
    assert decision.reason == (
        "Booking on 2011-06-15 in IL0450000: activated on 2009-11-24, but IL terminated its MOA "
        "on 2011-05-04 and the opt-out is honoured; not forwarded to IDENT."
    )
    decision = return_response_to_state(d("2011-09-01"), KANE, ILLINOIS, AS_OPERATED)
    assert "ICE terminated all MOAs on 2011-08-05" in decision.reason
    assert "IL terminated its MOA on 2011-05-04" in decision.reason
    decision = forward_to_ident(d("2010-01-04"), COOK, ILLINOIS, AS_OPERATED)
    assert decision.reason == (
        "Booking on 2010-01-04 in IL0160000: not activated until 2011-11-01; "
        "not forwarded to IDENT."
    )


def test_illinois_facts_are_flat_strings_and_json_ready() -> None:
    decision = forward_to_ident(d("2011-06-15"), KANE, ILLINOIS, HONOR)
    assert dict(decision.facts) == {
        "decision": "forward_to_ident",
        "mode": "honor-opt-out",
        "booked_on": "2011-06-15",
        "ori": "IL0450000",
        "state": "IL",
        "activated_on": "2009-11-24",
        "deactivated_on": "",
        "opt_out_requested_on": "",
        "moa_terminated_on": "2011-05-04",
    }
    back = return_response_to_state(d("2011-09-01"), KANE, ILLINOIS, AS_OPERATED)
    assert dict(back.facts) == {
        "decision": "return_response_to_state",
        "mode": "as-operated",
        "on": "2011-09-01",
        "ori": "IL0450000",
        "state": "IL",
        "moa_signed_on": "2009-11-09",
        "moa_terminated_on": "2011-05-04",
        "opt_out_requested_on": "",
        "all_moas_terminated_on": "2011-08-05",
        "returns_after_moas_terminated": "unless-opted-out",
    }
    for each in (decision, back):
        assert Decision.from_dict(json.loads(json.dumps(each.to_dict()))) == each


# ------------------------------------------------------------ Texas: never opted out

TEXAS_DAYS = [
    ("2008-10-26", ("not-activated", False), ("no-moa", False)),
    ("2008-10-27", ("activated", True), ("moa-in-force", True)),
    ("2010-06-01", ("activated", True), ("moa-in-force", True)),
    ("2011-05-04", ("activated", True), ("moa-in-force", True)),
    ("2011-08-04", ("activated", True), ("moa-in-force", True)),
    ("2011-08-05", ("activated", True), ("moas-terminated-continued", True)),
    ("2012-06-01", ("activated", True), ("moas-terminated-continued", True)),
    ("2014-11-20", ("activated", True), ("moas-terminated-continued", True)),
]


@pytest.mark.parametrize(("day", "forward", "back"), TEXAS_DAYS)
@pytest.mark.parametrize("mode", list(SharingMode))
def test_texas_is_the_same_under_both_modes(
    day: str, forward: tuple[str, bool], back: tuple[str, bool], mode: SharingMode
) -> None:
    decision = forward_to_ident(d(day), HARRIS, TEXAS, mode)
    assert (decision.rule, decision.allowed) == (f"forward.{forward[0]}", forward[1])
    decision = return_response_to_state(d(day), HARRIS, TEXAS, mode)
    assert (decision.rule, decision.allowed) == (f"return.{back[0]}", back[1])


def test_texas_reason_after_ice_terminated_the_moas() -> None:
    decision = return_response_to_state(d("2012-06-01"), HARRIS, TEXAS, AS_OPERATED)
    assert decision.reason == (
        "Response on 2012-06-01 for TX1010000: ICE terminated all MOAs on 2011-08-05; "
        "TX never opted out, so returned to the state."
    )


# ------------------------------------------------------------ other rules

REQUESTED = StateTerms("NY", moa_signed_on=date(2010, 1, 15), opt_out_requested_on=date(2011, 6, 1))
NASSAU = JurisdictionActivation("NY0290000", "NY", activated_on=date(2010, 5, 1))


@pytest.mark.parametrize(
    ("day", "mode", "forward", "back"),
    [
        ("2011-05-31", AS_OPERATED, ("activated", True), ("moa-in-force", True)),
        ("2011-05-31", HONOR, ("activated", True), ("moa-in-force", True)),
        ("2011-06-01", AS_OPERATED, ("opt-out-overridden", True), ("opt-out-overridden", True)),
        ("2011-06-01", HONOR, ("state-opted-out", False), ("state-opted-out", False)),
        ("2011-08-05", AS_OPERATED, ("opt-out-overridden", True), ("state-opted-out", False)),
        ("2011-08-05", HONOR, ("state-opted-out", False), ("state-opted-out", False)),
    ],
)
def test_an_opt_out_request_without_termination(
    day: str, mode: SharingMode, forward: tuple[str, bool], back: tuple[str, bool]
) -> None:
    """A suspension (New York, 2011) leaves the MOA in force: as operated, responses continue
    until ICE's termination; honoured, both stop on the request's day."""
    decision = forward_to_ident(d(day), NASSAU, REQUESTED, mode)
    assert (decision.rule, decision.allowed) == (f"forward.{forward[0]}", forward[1])
    decision = return_response_to_state(d(day), NASSAU, REQUESTED, mode)
    assert (decision.rule, decision.allowed) == (f"return.{back[0]}", back[1])
    if back[0] == "opt-out-overridden":
        assert "NY requested to opt out on 2011-06-01" in decision.reason


def test_the_earlier_of_request_and_termination_counts() -> None:
    terms = StateTerms(
        "IL",
        moa_signed_on=date(2009, 11, 9),
        moa_terminated_on=date(2011, 5, 4),
        opt_out_requested_on=date(2011, 4, 1),
    )
    assert terms.opted_out_on == date(2011, 4, 1)
    assert "requested to opt out on 2011-04-01" in terms.opt_out_words()
    assert not terms.opted_out(date(2011, 3, 31)) and terms.opted_out(date(2011, 4, 1))
    decision = forward_to_ident(date(2011, 4, 1), KANE, terms, HONOR)
    assert decision.rule == "forward.state-opted-out"
    later = StateTerms(
        "IL",
        moa_signed_on=date(2009, 11, 9),
        moa_terminated_on=date(2011, 5, 4),
        opt_out_requested_on=date(2011, 6, 1),
    )
    assert later.opted_out_on == date(2011, 5, 4)
    assert later.opt_out_words() == "terminated its MOA on 2011-05-04"


def test_state_terms_moa_in_force() -> None:
    assert not ILLINOIS.moa_in_force(date(2009, 11, 8))
    assert ILLINOIS.moa_in_force(date(2009, 11, 9)) and ILLINOIS.moa_in_force(date(2011, 5, 3))
    assert not ILLINOIS.moa_in_force(date(2011, 5, 4))
    assert TEXAS.moa_in_force(date(2030, 1, 1))  # ICE's termination is a program fact
    assert not StateTerms("MA").moa_in_force(date(2012, 1, 1))


def test_deactivation() -> None:
    county = JurisdictionActivation("TX2270000", "TX", date(2009, 1, 1), date(2012, 1, 1))
    assert forward_to_ident(date(2011, 12, 31), county, TEXAS, AS_OPERATED).allowed
    decision = forward_to_ident(date(2012, 1, 1), county, TEXAS, AS_OPERATED)
    assert (decision.rule, decision.allowed) == ("forward.deactivated", False)
    assert "deactivated on 2012-01-01" in decision.reason


def test_a_never_activated_jurisdiction_is_never_forwarded() -> None:
    county = JurisdictionActivation("MA0090000", "MA")
    terms = StateTerms("MA")
    for mode in SharingMode:
        decision = forward_to_ident(date(2012, 1, 1), county, terms, mode)
        assert (decision.rule, decision.allowed) == ("forward.not-activated", False)
        assert "never activated" in decision.reason


def test_a_state_that_never_signed() -> None:
    """Massachusetts declined to sign: no response before ICE's termination; after it, the
    default rule treats it as never having opted out unless the refusal is entered as one."""
    county = JurisdictionActivation("MA0090000", "MA", activated_on=date(2012, 5, 15))
    never = StateTerms("MA")
    decision = return_response_to_state(date(2011, 7, 1), county, never, AS_OPERATED)
    assert (decision.rule, decision.allowed) == ("return.no-moa", False)
    assert "MA's MOA never signed" in decision.reason
    after = return_response_to_state(date(2012, 6, 1), county, never, AS_OPERATED)
    assert (after.rule, after.allowed) == ("return.moas-terminated-continued", True)
    refused = StateTerms("MA", opt_out_requested_on=date(2011, 6, 3))
    for mode in SharingMode:
        decision = return_response_to_state(date(2012, 6, 1), county, refused, mode)
        assert (decision.rule, decision.allowed) == ("return.state-opted-out", False)
    early = return_response_to_state(date(2011, 7, 1), county, refused, HONOR)
    assert early.rule == "return.state-opted-out"


def test_moa_signed_later_than_the_day() -> None:
    terms = StateTerms("CA", moa_signed_on=date(2009, 1, 15))
    county = JurisdictionActivation("CA0370000", "CA", date(2009, 5, 26))
    decision = return_response_to_state(date(2009, 1, 14), county, terms, AS_OPERATED)
    assert decision.rule == "return.no-moa" and "not signed until 2009-01-15" in decision.reason


@pytest.mark.parametrize(
    ("returns", "mode", "texas", "illinois"),
    [
        (UNLESS, AS_OPERATED, "moas-terminated-continued", "state-opted-out"),
        (UNLESS, HONOR, "moas-terminated-continued", "state-opted-out"),
        (ALL, AS_OPERATED, "moas-terminated-continued", "opt-out-overridden"),
        (ALL, HONOR, "moas-terminated-continued", "state-opted-out"),
        (NONE, AS_OPERATED, "moas-terminated-stopped", "moas-terminated-stopped"),
        (NONE, HONOR, "moas-terminated-stopped", "moas-terminated-stopped"),
    ],
)
def test_the_rule_after_ice_terminated_the_moas_is_configurable(
    returns: PostTerminationReturns, mode: SharingMode, texas: str, illinois: str
) -> None:
    program = ProgramFacts(date(2011, 8, 5), returns)
    day = date(2012, 1, 9)
    allowed = {"moas-terminated-continued", "opt-out-overridden"}
    decision = return_response_to_state(day, HARRIS, TEXAS, mode, program)
    assert (decision.rule, decision.allowed) == (f"return.{texas}", texas in allowed)
    decision = return_response_to_state(day, KANE, ILLINOIS, mode, program)
    assert (decision.rule, decision.allowed) == (f"return.{illinois}", illinois in allowed)


def test_the_termination_date_is_configurable() -> None:
    never = ProgramFacts(None)
    assert not never.moas_terminated(date(2030, 1, 1))
    decision = return_response_to_state(date(2012, 1, 9), HARRIS, TEXAS, AS_OPERATED, never)
    assert decision.rule == "return.moa-in-force" and decision.facts["all_moas_terminated_on"] == ""
    earlier = ProgramFacts(date(2010, 1, 1))
    decision = return_response_to_state(date(2010, 1, 1), KANE, ILLINOIS, AS_OPERATED, earlier)
    assert decision.rule == "return.moas-terminated-continued"


def test_every_rule_code_is_reachable() -> None:
    """The listed codes are exactly the ones a grid of cases produces."""
    states = [
        (KANE, ILLINOIS),
        (COOK, ILLINOIS),
        (HARRIS, TEXAS),
        (NASSAU, REQUESTED),
        (JurisdictionActivation("TX2270000", "TX", date(2009, 1, 1), date(2012, 1, 1)), TEXAS),
    ]
    programs = [ProgramFacts(date(2011, 8, 5), r) for r in PostTerminationReturns]
    forwards, returns = set(), set()
    for day in (date(2008, 1, 1) + timedelta(days=45 * i) for i in range(60)):
        for county, terms in states:
            for mode in SharingMode:
                for program in programs:
                    forwards.add(forward_to_ident(day, county, terms, mode, program).rule)
                    returns.add(return_response_to_state(day, county, terms, mode, program).rule)
    assert forwards == set(FORWARD_RULES)
    assert returns == set(RETURN_RULES)


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "make",
    [
        lambda: JurisdictionActivation("IL016000", "IL"),
        lambda: JurisdictionActivation("il0160000", "IL"),
        lambda: JurisdictionActivation("IL016000-", "IL"),
        lambda: JurisdictionActivation("TX1010000", "IL"),
        lambda: JurisdictionActivation("IL0160000", "Il"),
        lambda: JurisdictionActivation("IL0160000", "IL", deactivated_on=date(2011, 1, 1)),
        lambda: JurisdictionActivation("IL0160000", "IL", date(2011, 1, 1), date(2011, 1, 1)),
        lambda: JurisdictionActivation("IL0160000", "IL", datetime(2011, 1, 1)),
        lambda: JurisdictionActivation("IL0160000", "IL", "2011-01-01"),
        lambda: StateTerms("ILL"),
        lambda: StateTerms("IL", moa_terminated_on=date(2011, 5, 4)),
        lambda: StateTerms("IL", date(2011, 5, 5), date(2011, 5, 4)),
        lambda: StateTerms("IL", opt_out_requested_on="2011-05-04"),
        lambda: ProgramFacts("2011-08-05"),
        lambda: ProgramFacts(date(2011, 8, 5), "none"),
    ],
)
def test_malformed_facts_are_rejected(make: object) -> None:
    with pytest.raises(InvalidFactError):
        make()  # type: ignore[operator]


def test_decisions_check_their_inputs() -> None:
    with pytest.raises(InvalidFactError, match="IL"):
        forward_to_ident(date(2010, 1, 1), HARRIS, ILLINOIS, AS_OPERATED)
    with pytest.raises(InvalidFactError):
        return_response_to_state(date(2010, 1, 1), KANE, TEXAS, AS_OPERATED)
    with pytest.raises(InvalidFactError):
        forward_to_ident(date(2010, 1, 1), KANE, ILLINOIS, "as-operated")  # type: ignore[arg-type]
    with pytest.raises(InvalidFactError):
        forward_to_ident(datetime(2010, 1, 1), KANE, ILLINOIS, AS_OPERATED)
    with pytest.raises(InvalidFactError):
        forward_to_ident(date(2010, 1, 1), "IL0450000", ILLINOIS, AS_OPERATED)  # type: ignore[arg-type]
    with pytest.raises(InvalidFactError):
        return_response_to_state(date(2010, 1, 1), KANE, {"state": "IL"}, HONOR)  # type: ignore[arg-type]
    with pytest.raises(InvalidFactError):
        return_response_to_state(date(2010, 1, 1), KANE, ILLINOIS, HONOR, None)  # type: ignore[arg-type]


def test_the_historical_program_facts() -> None:
    assert PROGRAM.all_moas_terminated_on == date(2011, 8, 5)
    assert PROGRAM.returns_after_moas_terminated is PostTerminationReturns.UNLESS_OPTED_OUT
    assert SharingMode("as-operated") is AS_OPERATED and SharingMode("honor-opt-out") is HONOR
