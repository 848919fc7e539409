"""Detainer policy: which priority levels an ICE field office lodges a detainer (I-247) for.

A :class:`DetainerPolicy` is configuration: a name and the set of
:class:`~interop.policy.priority.PriorityLevel` values that get a detainer.
As operated (2008-2011) ICE lodged detainers at every level, non-criminal
included; the named presets (:data:`DETAINER_POLICIES`) give the
alternatives a what-if study compares:

===================  ===============================  ========================================
``as-operated``      Level 1, 2, 3 and non-criminal   what ICE did
``convicted-only``   Level 1, 2, 3                    no detainer without a conviction
``level-1-and-2``    Level 1, 2                       felons and repeat offenders
``level-1-only``     Level 1                          "the worst of the worst", as advertised
===================  ===============================  ========================================

:func:`decide_detainer` never allows a detainer against a US citizen,
whatever the policy. Rule codes:

===========================  =====  ===============================================
``detainer.level-covered``   yes    the person's level is one the policy covers
``detainer.level-not-covered`` no   it is not
``detainer.us-citizen``      no     a US citizen: recorded, no enforcement action
===========================  =====  ===============================================

How long a lodged detainer may hold is :mod:`interop.policy.clock`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from interop.policy.decision import Decision
from interop.policy.errors import InvalidFactError, PolicyConfigError
from interop.policy.priority import LevelDecision, PriorityLevel

__all__ = [
    "DETAINER_POLICIES",
    "DETAINER_RULES",
    "DetainerPolicy",
    "decide_detainer",
    "detainer_policy",
]

DETAINER_RULES = ("detainer.level-covered", "detainer.level-not-covered", "detainer.us-citizen")
"""Every rule code of :func:`decide_detainer`."""

_L1, _L2, _L3, _NC = PriorityLevel
_PRESET_LEVELS: Mapping[str, frozenset[PriorityLevel]] = MappingProxyType(
    {
        "as-operated": frozenset({_L1, _L2, _L3, _NC}),
        "convicted-only": frozenset({_L1, _L2, _L3}),
        "level-1-and-2": frozenset({_L1, _L2}),
        "level-1-only": frozenset({_L1}),
    }
)


@dataclass(frozen=True, slots=True, init=False)
class DetainerPolicy:
    """Which priority levels get a detainer.

    Parameters
    ----------
    name : str
        Label for reports and decisions. A preset's name may only be used
        with that preset's levels.
    levels : iterable of PriorityLevel
        Levels that get a detainer (stored as a frozenset; may be empty).

    Attributes
    ----------
    name : str
    levels : frozenset of PriorityLevel

    Raises
    ------
    PolicyConfigError
        On an empty name, a value that is not a PriorityLevel, or a
        preset's name with other levels.
    """

    name: str
    levels: frozenset[PriorityLevel]

    def __init__(self, name: str, levels: Iterable[PriorityLevel]) -> None:
        if not isinstance(name, str) or not name.strip():
            raise PolicyConfigError(f"a detainer policy needs a name, got {name!r}")
        if isinstance(levels, str | bytes) or not isinstance(levels, Iterable):
            raise PolicyConfigError(f"levels must be a collection of PriorityLevel, got {levels!r}")
        chosen = frozenset(levels)
        for level in chosen:
            if not isinstance(level, PriorityLevel):
                raise PolicyConfigError(f"not a PriorityLevel: {level!r}")
        preset = _PRESET_LEVELS.get(name)
        if preset is not None and preset != chosen:
            raise PolicyConfigError(
                f"{name!r} is a preset with levels {_names(preset)}, got {_names(chosen)}"
            )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "levels", chosen)

    def covers(self, level: PriorityLevel) -> bool:
        """True if a person at ``level`` gets a detainer under this policy."""
        return level in self.levels

    def level_names(self) -> tuple[str, ...]:
        """The covered levels by name, most serious first (``("LEVEL_1", ...)``)."""
        return tuple(level.name for level in sorted(self.levels))


def _names(levels: Iterable[PriorityLevel]) -> str:
    return ", ".join(level.name for level in sorted(levels)) or "none"


DETAINER_POLICIES: Mapping[str, DetainerPolicy] = MappingProxyType(
    {name: DetainerPolicy(name, levels) for name, levels in _PRESET_LEVELS.items()}
)
"""The named presets, by name; ``"as-operated"`` is the historical practice."""


def detainer_policy(name: str) -> DetainerPolicy:
    """The preset detainer policy of that name.

    Raises
    ------
    PolicyConfigError
        If there is no such preset.
    """
    try:
        return DETAINER_POLICIES[name]
    except (KeyError, TypeError):
        raise PolicyConfigError(
            f"no detainer policy {name!r}; presets: {', '.join(DETAINER_POLICIES)}"
        ) from None


def decide_detainer(level_decision: LevelDecision, policy: DetainerPolicy) -> Decision:
    """Whether the ICE field office lodges a detainer (Form I-247) for a classified person.

    Parameters
    ----------
    level_decision : LevelDecision
        The LESC's classification (:func:`interop.policy.priority.classify`).
    policy : DetainerPolicy

    Returns
    -------
    Decision
        One of :data:`DETAINER_RULES`; never allowed for a US citizen.

    Raises
    ------
    InvalidFactError
        On inputs of the wrong type.
    """
    if not isinstance(level_decision, LevelDecision):
        raise InvalidFactError(f"expected a LevelDecision, got {level_decision!r}")
    if not isinstance(policy, DetainerPolicy):
        raise InvalidFactError(f"expected a DetainerPolicy, got {policy!r}")
    level = level_decision.level
    facts = {
        "decision": "decide_detainer",
        "level": level.name,
        "level_rule": level_decision.rule,
        "classified_on": level_decision.on.isoformat(),
        "citizen": "true" if level_decision.citizen else "false",
        "policy": policy.name,
        "policy_levels": ",".join(policy.level_names()),
    }
    if not level_decision.enforcement_allowed:
        return Decision(
            False,
            "detainer.us-citizen",
            f"A US citizen (classified {level.name} on {level_decision.on}): recorded, "
            "no detainer.",
            facts,
        )
    if policy.covers(level):
        return Decision(
            True,
            "detainer.level-covered",
            f"{level.name} on {level_decision.on}: policy {policy.name!r} lodges a detainer "
            f"for {_names(policy.levels)}.",
            facts,
        )
    return Decision(
        False,
        "detainer.level-not-covered",
        f"{level.name} on {level_decision.on}: policy {policy.name!r} lodges detainers only "
        f"for {_names(policy.levels)}; no detainer.",
        facts,
    )
