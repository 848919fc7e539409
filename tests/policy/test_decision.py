"""The Decision value: immutable, hashable, JSON round trip."""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

import pytest

from interop.policy import Decision, PolicyConfigError


def test_facts_are_read_only_copies() -> None:
    facts = {"ori": "IL0450000"}
    decision = Decision(True, "forward.activated", "Forwarded.", facts)
    facts["ori"] = "changed"
    assert decision.facts["ori"] == "IL0450000"
    assert isinstance(decision.facts, MappingProxyType)
    with pytest.raises(TypeError):
        decision.facts["ori"] = "x"  # type: ignore[index]


def test_equality_and_hash() -> None:
    a = Decision(True, "forward.activated", "Forwarded.", {"a": "1", "b": "2"})
    b = Decision(True, "forward.activated", "Forwarded.", {"b": "2", "a": "1"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Decision(False, "forward.activated", "Forwarded.", {"a": "1", "b": "2"})
    assert Decision(True, "r", "why").facts == {}


def test_round_trip() -> None:
    decision = Decision(False, "return.no-moa", "No MOA.", {"on": "2009-01-01", "x": ""})
    record = json.loads(json.dumps(decision.to_dict()))
    assert record == {
        "allowed": False,
        "rule": "return.no-moa",
        "reason": "No MOA.",
        "facts": {"on": "2009-01-01", "x": ""},
    }
    assert Decision.from_dict(record) == decision


@pytest.mark.parametrize(
    "record",
    [
        [],
        {"allowed": True, "rule": "r", "reason": "why"},
        {"allowed": True, "rule": "r", "reason": "why", "facts": {}, "more": 1},
        {"allowed": "true", "rule": "r", "reason": "why", "facts": {}},
        {"allowed": True, "rule": "", "reason": "why", "facts": {}},
        {"allowed": True, "rule": "r", "reason": None, "facts": {}},
        {"allowed": True, "rule": "r", "reason": "why", "facts": []},
        {"allowed": True, "rule": "r", "reason": "why", "facts": {"n": 1}},
    ],
)
def test_from_dict_rejects(record: Any) -> None:
    with pytest.raises(PolicyConfigError):
        Decision.from_dict(record)


def test_facts_must_be_strings() -> None:
    with pytest.raises(PolicyConfigError):
        Decision(True, "r", "why", {"n": 1})  # type: ignore[dict-item]
