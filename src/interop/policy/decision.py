"""The value every policy decision returns: allowed or not, which rule, why, on what facts.

A :class:`Decision` is what the transparency log records next to each
disclosure ("under which policy decision"), so it is plain data: a boolean,
a stable rule code a report can group by, one human sentence, and the facts
the rule read as a flat ``str -> str`` mapping. It converts to and from a
JSON-ready ``dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from interop.policy.errors import PolicyConfigError

__all__ = ["Decision", "fact_date"]


def fact_date(value: date | None) -> str:
    """A date as a fact value: ISO 8601, or the empty string for "none"."""
    return "" if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision of the policy layer.

    Attributes
    ----------
    allowed : bool
        Whether the action (forwarding, returning a response, lodging a
        detainer) may take place.
    rule : str
        Stable code of the rule that decided (e.g. ``"forward.activated"``);
        codes are listed in each deciding module and never change meaning.
    reason : str
        One sentence for people, naming the dates and values that decided.
    facts : Mapping of str to str
        The facts the rule read, flat and JSON-ready (dates ISO 8601, an
        absent date the empty string). Stored read-only.
    """

    allowed: bool
    rule: str
    reason: str
    facts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        facts = dict(self.facts)
        for key, value in facts.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise PolicyConfigError(
                    f"decision facts must map str to str, got {key!r}: {value!r}"
                )
        object.__setattr__(self, "facts", MappingProxyType(facts))

    def __hash__(self) -> int:
        return hash((self.allowed, self.rule, self.reason, tuple(sorted(self.facts.items()))))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``dict``."""
        return {
            "allowed": self.allowed,
            "rule": self.rule,
            "reason": self.reason,
            "facts": dict(self.facts),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Decision:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        PolicyConfigError
            If a key is missing or unknown, or a value has the wrong type.
        """
        if not isinstance(record, Mapping) or set(record) != {"allowed", "rule", "reason", "facts"}:
            raise PolicyConfigError(
                "a decision needs exactly the keys allowed, rule, reason, facts; "
                f"got {sorted(record) if isinstance(record, Mapping) else type(record).__name__}"
            )
        allowed, rule, reason, facts = (
            record["allowed"],
            record["rule"],
            record["reason"],
            record["facts"],
        )
        if not isinstance(allowed, bool):
            raise PolicyConfigError(f"decision 'allowed' must be a boolean, got {allowed!r}")
        if not isinstance(rule, str) or not rule:
            raise PolicyConfigError(f"decision 'rule' must be a non-empty string, got {rule!r}")
        if not isinstance(reason, str):
            raise PolicyConfigError(f"decision 'reason' must be a string, got {reason!r}")
        if not isinstance(facts, Mapping):
            raise PolicyConfigError(f"decision 'facts' must be an object, got {facts!r}")
        return cls(allowed, rule, reason, facts)
