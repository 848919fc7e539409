"""Detainer policy: which levels get an I-247, never a US citizen."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interop.policy import (
    DETAINER_POLICIES,
    DETAINER_RULES,
    DetainerPolicy,
    Disposition,
    HistoryEntry,
    InvalidFactError,
    LevelDecision,
    PolicyConfigError,
    PriorityLevel,
    classify,
    decide_detainer,
    detainer_policy,
)

L1, L2, L3, NC = PriorityLevel
ON = date(2010, 6, 1)
RECORDS = {
    L1: [HistoryEntry("1206", date(2005, 1, 1), Disposition.CONVICTED, date(2005, 6, 1))],
    L2: [HistoryEntry("2399", date(2005, 1, 1), Disposition.CONVICTED, date(2005, 6, 1))],
    L3: [HistoryEntry("5404", date(2005, 1, 1), Disposition.CONVICTED, date(2005, 6, 1))],
    NC: [HistoryEntry("1206", date(2005, 1, 1), Disposition.DISMISSED, date(2005, 6, 1))],
}


def level(of: PriorityLevel, *, citizen: bool = False) -> LevelDecision:
    result = classify(RECORDS[of], ON, citizen=citizen)
    assert result.level is of
    return result


@pytest.mark.parametrize(
    ("name", "covered"),
    [
        ("as-operated", {L1, L2, L3, NC}),
        ("convicted-only", {L1, L2, L3}),
        ("level-1-and-2", {L1, L2}),
        ("level-1-only", {L1}),
    ],
)
def test_presets(name: str, covered: set[PriorityLevel]) -> None:
    policy = detainer_policy(name)
    assert policy is DETAINER_POLICIES[name] and policy.levels == covered
    for each in PriorityLevel:
        decision = decide_detainer(level(each), policy)
        assert decision.allowed is (each in covered)
        expected = "detainer.level-covered" if each in covered else "detainer.level-not-covered"
        assert decision.rule == expected


def test_as_operated_lodges_for_the_non_criminal() -> None:
    decision = decide_detainer(level(NC), DETAINER_POLICIES["as-operated"])
    assert decision.allowed
    assert decision.reason == (
        "NON_CRIMINAL on 2010-06-01: policy 'as-operated' lodges a detainer for "
        "LEVEL_1, LEVEL_2, LEVEL_3, NON_CRIMINAL."
    )
    assert dict(decision.facts) == {
        "decision": "decide_detainer",
        "level": "NON_CRIMINAL",
        "level_rule": "level.no-conviction",
        "classified_on": "2010-06-01",
        "citizen": "false",
        "policy": "as-operated",
        "policy_levels": "LEVEL_1,LEVEL_2,LEVEL_3,NON_CRIMINAL",
    }


def test_level_1_only_refuses_level_2() -> None:
    decision = decide_detainer(level(L2), DETAINER_POLICIES["level-1-only"])
    assert not decision.allowed
    assert decision.reason == (
        "LEVEL_2 on 2010-06-01: policy 'level-1-only' lodges detainers only for LEVEL_1; "
        "no detainer."
    )


@given(st.sampled_from(list(PriorityLevel)), st.sampled_from(sorted(DETAINER_POLICIES)))
def test_never_a_detainer_for_a_citizen(of: PriorityLevel, name: str) -> None:
    decision = decide_detainer(level(of, citizen=True), DETAINER_POLICIES[name])
    assert (decision.allowed, decision.rule) == (False, "detainer.us-citizen")
    assert decision.facts["citizen"] == "true"
    assert "US citizen" in decision.reason


def test_custom_policies() -> None:
    policy = DetainerPolicy("levels-2-and-3", [L3, L2, L2])
    assert policy.levels == frozenset({L2, L3})
    assert policy.level_names() == ("LEVEL_2", "LEVEL_3")
    assert not decide_detainer(level(L1), policy).allowed
    nobody = DetainerPolicy("no-detainers", ())
    assert not any(decide_detainer(level(each), nobody).allowed for each in PriorityLevel)
    assert "for none" in decide_detainer(level(L1), nobody).reason
    assert DetainerPolicy("as-operated", set(PriorityLevel)) == DETAINER_POLICIES["as-operated"]
    assert hash(policy) == hash(DetainerPolicy("levels-2-and-3", {L2, L3}))


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        ("", [L1]),
        ("  ", [L1]),
        (None, [L1]),
        ("mine", [1]),
        ("mine", "LEVEL_1"),
        ("mine", 1),
        ("level-1-only", [L1, L2]),  # a preset's name with other levels
    ],
)
def test_bad_policies(name: object, levels: object) -> None:
    with pytest.raises(PolicyConfigError):
        DetainerPolicy(name, levels)  # type: ignore[arg-type]


def test_unknown_preset() -> None:
    with pytest.raises(PolicyConfigError, match="presets: as-operated"):
        detainer_policy("worst-of-the-worst")
    with pytest.raises(PolicyConfigError):
        detainer_policy(None)  # type: ignore[arg-type]


def test_decide_detainer_checks_its_inputs() -> None:
    with pytest.raises(InvalidFactError):
        decide_detainer(L1, DETAINER_POLICIES["as-operated"])  # type: ignore[arg-type]
    with pytest.raises(InvalidFactError):
        decide_detainer(level(L1), "as-operated")  # type: ignore[arg-type]


def test_rule_codes() -> None:
    produced = {
        decide_detainer(level(each, citizen=c), DETAINER_POLICIES[name]).rule
        for each in PriorityLevel
        for c in (False, True)
        for name in DETAINER_POLICIES
    }
    assert produced == set(DETAINER_RULES)
