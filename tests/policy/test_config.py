"""A whole policy configuration: presets, delegation, JSON round trip, typed errors."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from interop.policy import (
    DETAINER_POLICIES,
    POLICY_PRESETS,
    PROGRAM,
    DetainerPolicy,
    Disposition,
    HistoryEntry,
    JurisdictionActivation,
    PolicyConfig,
    PolicyConfigError,
    PostTerminationReturns,
    PriorityLevel,
    ProgramFacts,
    SharingMode,
    StateTerms,
    classify,
    decide_detainer,
    forward_to_ident,
    policy_preset,
    return_response_to_state,
)

ILLINOIS = StateTerms("IL", moa_signed_on=date(2009, 11, 9), moa_terminated_on=date(2011, 5, 4))
KANE = JurisdictionActivation("IL0450000", "IL", activated_on=date(2009, 11, 24))


def test_presets() -> None:
    as_operated, honour = policy_preset("as-operated"), policy_preset("honor-opt-out")
    assert as_operated is POLICY_PRESETS["as-operated"]
    assert as_operated.sharing_mode is SharingMode.AS_OPERATED
    assert honour.sharing_mode is SharingMode.HONOR_OPT_OUT
    for config in (as_operated, honour):
        assert config.detainer_policy is DETAINER_POLICIES["as-operated"]
        assert config.program == PROGRAM
    with pytest.raises(PolicyConfigError, match="honor-opt-out"):
        policy_preset("honour-opt-out")
    with pytest.raises(PolicyConfigError):
        policy_preset(["as-operated"])  # type: ignore[arg-type]


def test_as_operated_document() -> None:
    assert policy_preset("as-operated").to_dict() == {
        "sharing_mode": "as-operated",
        "detainer_policy": {
            "name": "as-operated",
            "levels": ["LEVEL_1", "LEVEL_2", "LEVEL_3", "NON_CRIMINAL"],
        },
        "program": {
            "all_moas_terminated_on": "2011-08-05",
            "returns_after_moas_terminated": "unless-opted-out",
        },
    }


CUSTOM = PolicyConfig(
    SharingMode.HONOR_OPT_OUT,
    DetainerPolicy("felons", {PriorityLevel.LEVEL_2, PriorityLevel.LEVEL_1}),
    ProgramFacts(None, PostTerminationReturns.NONE),
)


@pytest.mark.parametrize(
    "config", [*POLICY_PRESETS.values(), CUSTOM], ids=[*POLICY_PRESETS, "custom"]
)
def test_json_round_trip(config: PolicyConfig) -> None:
    text = json.dumps(config.to_dict())
    assert PolicyConfig.from_dict(json.loads(text)) == config


def test_delegation() -> None:
    day = date(2011, 6, 15)
    history = [HistoryEntry("2399", date(2005, 1, 1), Disposition.CONVICTED, date(2005, 6, 1))]
    level = classify(history, day, citizen=False)
    for config in (*POLICY_PRESETS.values(), CUSTOM):
        mode, program = config.sharing_mode, config.program
        assert config.forward_to_ident(day, KANE, ILLINOIS) == forward_to_ident(
            day, KANE, ILLINOIS, mode, program
        )
        assert config.return_response_to_state(day, KANE, ILLINOIS) == (
            return_response_to_state(day, KANE, ILLINOIS, mode, program)
        )
        assert config.decide_detainer(level) == decide_detainer(level, config.detainer_policy)
    assert policy_preset("as-operated").forward_to_ident(day, KANE, ILLINOIS).allowed
    assert not policy_preset("honor-opt-out").forward_to_ident(day, KANE, ILLINOIS).allowed


def _good() -> dict[str, Any]:
    return CUSTOM.to_dict()


def _set(path: str, value: object) -> dict[str, Any]:
    record = _good()
    *parents, key = path.split(".")
    target = record
    for parent in parents:
        target = target[parent]
    if value is KeyError:
        del target[key]
    else:
        target[key] = value
    return record


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([], "must be an object"),
        (_set("sharing_mode", "honour"), "unknown value 'honour'"),
        (_set("sharing_mode", None), "must be a string"),
        (_set("sharing_mode", KeyError), "missing keys ['sharing_mode']"),
        (_set("extra", 1), "unknown keys ['extra']"),
        (_set("detainer_policy", "felons"), "detainer_policy must be an object"),
        (_set("detainer_policy.levels", ["LEVEL_1", "LEVEL_5"]), "unknown level 'LEVEL_5'"),
        (_set("detainer_policy.levels", [1]), "unknown level 1"),
        (_set("detainer_policy.levels", "LEVEL_1"), "must be a list"),
        (_set("detainer_policy.levels", ["LEVEL_1", "LEVEL_1"]), "duplicates"),
        (_set("detainer_policy.name", ""), "needs a name"),
        (_set("detainer_policy.name", "level-1-only"), "is a preset"),
        (_set("detainer_policy.name", KeyError), "missing keys ['name']"),
        (_set("program.all_moas_terminated_on", "2011-08-32"), "not an ISO date"),
        (_set("program.all_moas_terminated_on", 20110805), "ISO date or null"),
        (_set("program.returns_after_moas_terminated", "some"), "unknown value 'some'"),
        (_set("program.colour", "blue"), "unknown keys ['colour']"),
    ],
)
def test_from_dict_rejects_bad_documents(record: object, message: str) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyConfig.from_dict(record)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_constructor_checks_types() -> None:
    policy = DETAINER_POLICIES["as-operated"]
    with pytest.raises(PolicyConfigError):
        PolicyConfig("as-operated", policy)  # type: ignore[arg-type]
    with pytest.raises(PolicyConfigError):
        PolicyConfig(SharingMode.AS_OPERATED, "as-operated")  # type: ignore[arg-type]
    with pytest.raises(PolicyConfigError):
        PolicyConfig(SharingMode.AS_OPERATED, policy, {})  # type: ignore[arg-type]
