"""The decision layer of Secure Communities: pure functions over plain facts.

    config = policy_preset("as-operated")            # or "honor-opt-out", or from_dict(...)
    config.forward_to_ident(booked_on, jurisdiction, state_terms)        # -> Decision
    config.return_response_to_state(on, jurisdiction, state_terms)       # -> Decision
    level = classify(history, on, citizen=False)                         # -> LevelDecision
    config.decide_detainer(level)                                        # -> Decision
    detainer_expires_at(scheduled_release, "America/Chicago")            # -> datetime

Nothing here does I/O, reads a clock or imports another part of the
project: every input is an argument, every output a value that says what
was decided, by which rule (a stable code) and why. The modules:

* :mod:`.offences` -- the NCIC offence table (felony, aggravated felony, Level 1);
* :mod:`.priority` -- ICE's priority levels and the LESC's classification;
* :mod:`.sharing` -- forwarding to IDENT and returning responses to the state;
* :mod:`.detainer` -- which levels get a detainer (I-247);
* :mod:`.clock` -- when a detainer expires (48 business-day hours, 8 CFR 287.7(d));
* :mod:`.federal_holidays` -- US federal holidays and business days;
* :mod:`.config` -- a whole configuration, its presets and its JSON form;
* :mod:`.decision` -- the :class:`Decision` value;
* :mod:`.errors` -- typed errors.
"""

from __future__ import annotations

from interop.policy.clock import (
    HOLD_LIMIT,
    counted_hold_time,
    detainer_expires_at,
    is_expired,
    time_zone,
)
from interop.policy.config import POLICY_PRESETS, PolicyConfig, policy_preset
from interop.policy.decision import Decision
from interop.policy.detainer import (
    DETAINER_POLICIES,
    DETAINER_RULES,
    DetainerPolicy,
    decide_detainer,
    detainer_policy,
)
from interop.policy.errors import (
    InvalidFactError,
    NaiveDatetimeError,
    PolicyConfigError,
    PolicyError,
    UnknownOffenceError,
    UnknownTimeZoneError,
    UnsupportedYearError,
)
from interop.policy.federal_holidays import federal_holidays, is_business_day, is_federal_holiday
from interop.policy.offences import OFFENCES, Offence, offence
from interop.policy.priority import (
    LEVEL_RULES,
    Disposition,
    HistoryEntry,
    LevelDecision,
    MatchLevel,
    PriorityLevel,
    classify,
    conviction_level,
    match_level,
)
from interop.policy.sharing import (
    FORWARD_RULES,
    PROGRAM,
    RETURN_RULES,
    JurisdictionActivation,
    PostTerminationReturns,
    ProgramFacts,
    SharingMode,
    StateTerms,
    forward_to_ident,
    return_response_to_state,
)

__all__ = [
    "DETAINER_POLICIES",
    "DETAINER_RULES",
    "FORWARD_RULES",
    "HOLD_LIMIT",
    "LEVEL_RULES",
    "OFFENCES",
    "POLICY_PRESETS",
    "PROGRAM",
    "RETURN_RULES",
    "Decision",
    "DetainerPolicy",
    "Disposition",
    "HistoryEntry",
    "InvalidFactError",
    "JurisdictionActivation",
    "LevelDecision",
    "MatchLevel",
    "NaiveDatetimeError",
    "Offence",
    "PolicyConfig",
    "PolicyConfigError",
    "PolicyError",
    "PostTerminationReturns",
    "PriorityLevel",
    "ProgramFacts",
    "SharingMode",
    "StateTerms",
    "UnknownOffenceError",
    "UnknownTimeZoneError",
    "UnsupportedYearError",
    "classify",
    "conviction_level",
    "counted_hold_time",
    "decide_detainer",
    "detainer_expires_at",
    "detainer_policy",
    "federal_holidays",
    "forward_to_ident",
    "is_business_day",
    "is_expired",
    "is_federal_holiday",
    "match_level",
    "offence",
    "policy_preset",
    "return_response_to_state",
    "time_zone",
]
