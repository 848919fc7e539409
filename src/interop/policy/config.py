"""A whole policy configuration: sharing mode, detainer policy, program facts.

:class:`PolicyConfig` ties the decisions together so a caller (an agency
handler, the what-if report) holds one value and asks it::

    config = policy_preset("honor-opt-out")
    config.forward_to_ident(booked_on, jurisdiction, state_terms)
    config.return_response_to_state(on, jurisdiction, state_terms)
    config.decide_detainer(classify(history, on, citizen=False))

The presets (:data:`POLICY_PRESETS`) differ in one thing each:

=================  ===============  ================  =====================================
preset             sharing mode     detainer policy   program facts
=================  ===============  ================  =====================================
``as-operated``    as-operated      as-operated       historical (MOAs ended 2011-08-05,
                                                      returns ``unless-opted-out``)
``honor-opt-out``  honor-opt-out    as-operated       historical
=================  ===============  ================  =====================================

A configuration converts to and from a JSON-ready ``dict``::

    {"sharing_mode": "as-operated",
     "detainer_policy": {"name": "as-operated",
                         "levels": ["LEVEL_1", "LEVEL_2", "LEVEL_3", "NON_CRIMINAL"]},
     "program": {"all_moas_terminated_on": "2011-08-05",
                 "returns_after_moas_terminated": "unless-opted-out"}}

:meth:`PolicyConfig.from_dict` is strict: a missing or unknown key, a
wrong type or an unknown value raises
:class:`~interop.policy.errors.PolicyConfigError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, TypeVar

from interop.policy.decision import Decision
from interop.policy.detainer import (
    DETAINER_POLICIES,
    DetainerPolicy,
    decide_detainer,
)
from interop.policy.errors import PolicyConfigError
from interop.policy.priority import LevelDecision, PriorityLevel
from interop.policy.sharing import (
    PROGRAM,
    JurisdictionActivation,
    PostTerminationReturns,
    ProgramFacts,
    SharingMode,
    StateTerms,
    forward_to_ident,
    return_response_to_state,
)

__all__ = ["POLICY_PRESETS", "PolicyConfig", "policy_preset"]

_E = TypeVar("_E", SharingMode, PostTerminationReturns)


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """Everything the policy decisions need besides the facts of one case.

    Attributes
    ----------
    sharing_mode : SharingMode
    detainer_policy : DetainerPolicy
    program : ProgramFacts
        The historical facts (:data:`~interop.policy.sharing.PROGRAM`) by default.

    Raises
    ------
    PolicyConfigError
        On a field of the wrong type.
    """

    sharing_mode: SharingMode
    detainer_policy: DetainerPolicy
    program: ProgramFacts = PROGRAM

    def __post_init__(self) -> None:
        if not isinstance(self.sharing_mode, SharingMode):
            raise PolicyConfigError(
                f"sharing_mode must be a SharingMode, got {self.sharing_mode!r}"
            )
        if not isinstance(self.detainer_policy, DetainerPolicy):
            raise PolicyConfigError(
                f"detainer_policy must be a DetainerPolicy, got {self.detainer_policy!r}"
            )
        if not isinstance(self.program, ProgramFacts):
            raise PolicyConfigError(f"program must be ProgramFacts, got {self.program!r}")

    def forward_to_ident(
        self, booked_on: date, jurisdiction: JurisdictionActivation, state_terms: StateTerms
    ) -> Decision:
        """:func:`~interop.policy.sharing.forward_to_ident` under this configuration."""
        return forward_to_ident(
            booked_on, jurisdiction, state_terms, self.sharing_mode, self.program
        )

    def return_response_to_state(
        self, on: date, jurisdiction: JurisdictionActivation, state_terms: StateTerms
    ) -> Decision:
        """:func:`~interop.policy.sharing.return_response_to_state` under this configuration."""
        return return_response_to_state(
            on, jurisdiction, state_terms, self.sharing_mode, self.program
        )

    def decide_detainer(self, level_decision: LevelDecision) -> Decision:
        """:func:`~interop.policy.detainer.decide_detainer` under this configuration."""
        return decide_detainer(level_decision, self.detainer_policy)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``dict`` (format in the module docstring)."""
        terminated = self.program.all_moas_terminated_on
        return {
            "sharing_mode": self.sharing_mode.value,
            "detainer_policy": {
                "name": self.detainer_policy.name,
                "levels": list(self.detainer_policy.level_names()),
            },
            "program": {
                "all_moas_terminated_on": None if terminated is None else terminated.isoformat(),
                "returns_after_moas_terminated": self.program.returns_after_moas_terminated.value,
            },
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> PolicyConfig:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        PolicyConfigError
            On a missing or unknown key, a wrong type or an unknown value.
        """
        top = _object(record, "policy config", ("sharing_mode", "detainer_policy", "program"))
        detainer = _object(top["detainer_policy"], "detainer_policy", ("name", "levels"))
        program = _object(
            top["program"], "program", ("all_moas_terminated_on", "returns_after_moas_terminated")
        )
        mode = _enum(SharingMode, top["sharing_mode"], "sharing_mode")
        levels = detainer["levels"]
        if not isinstance(levels, list):
            raise PolicyConfigError(f"detainer_policy.levels must be a list, got {levels!r}")
        parsed = []
        for name in levels:
            if not isinstance(name, str) or name not in PriorityLevel.__members__:
                raise PolicyConfigError(
                    f"detainer_policy.levels: unknown level {name!r}; "
                    f"expected one of {', '.join(PriorityLevel.__members__)}"
                )
            parsed.append(PriorityLevel[name])
        if len(set(parsed)) != len(parsed):
            raise PolicyConfigError(f"detainer_policy.levels has duplicates: {levels!r}")
        terminated = program["all_moas_terminated_on"]
        if terminated is not None:
            if not isinstance(terminated, str):
                raise PolicyConfigError(
                    "program.all_moas_terminated_on must be an ISO date or null, "
                    f"got {terminated!r}"
                )
            try:
                terminated = date.fromisoformat(terminated)
            except ValueError:
                raise PolicyConfigError(
                    f"program.all_moas_terminated_on is not an ISO date: {terminated!r}"
                ) from None
        returns = _enum(
            PostTerminationReturns,
            program["returns_after_moas_terminated"],
            "program.returns_after_moas_terminated",
        )
        # DetainerPolicy raises PolicyConfigError itself; ProgramFacts gets checked values.
        return cls(
            mode, DetainerPolicy(detainer["name"], parsed), ProgramFacts(terminated, returns)
        )


def _object(value: object, what: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyConfigError(f"{what} must be an object, got {type(value).__name__}")
    missing = [k for k in keys if k not in value]
    unknown = sorted(str(k) for k in value if k not in keys)
    if missing or unknown:
        raise PolicyConfigError(f"{what}: missing keys {missing}, unknown keys {unknown}")
    return value


def _enum(kind: type[_E], value: object, what: str) -> _E:
    if not isinstance(value, str):
        raise PolicyConfigError(f"{what} must be a string, got {value!r}")
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise PolicyConfigError(f"{what}: unknown value {value!r}; expected {choices}") from None


POLICY_PRESETS: Mapping[str, PolicyConfig] = MappingProxyType(
    {
        "as-operated": PolicyConfig(SharingMode.AS_OPERATED, DETAINER_POLICIES["as-operated"]),
        "honor-opt-out": PolicyConfig(SharingMode.HONOR_OPT_OUT, DETAINER_POLICIES["as-operated"]),
    }
)
"""The named configurations a what-if compares, by name."""


def policy_preset(name: str) -> PolicyConfig:
    """The preset configuration of that name.

    Raises
    ------
    PolicyConfigError
        If there is no such preset.
    """
    try:
        return POLICY_PRESETS[name]
    except (KeyError, TypeError):
        raise PolicyConfigError(
            f"no policy preset {name!r}; presets: {', '.join(POLICY_PRESETS)}"
        ) from None
