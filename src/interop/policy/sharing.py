"""Sharing policy: which bookings go to IDENT, and which responses go back to the state.

Two decisions, each a :class:`~interop.policy.decision.Decision`:

* :func:`forward_to_ident`: does the FBI forward a booking's prints to DHS's
  IDENT (message 3 of the flow)?
* :func:`return_response_to_state`: does the LESC's Immigration Alien
  Response (IAR) go back to the state bureau and the booking agency, besides
  the ICE field office (message 6)?

Their inputs are plain facts: the jurisdiction's activation
(:class:`JurisdictionActivation`), the state's terms with ICE
(:class:`StateTerms`), program-wide facts (:class:`ProgramFacts`) and the
:class:`SharingMode` under study:

``as-operated``
    What DHS did. Every booking from a jurisdiction activated on that day is
    forwarded, whatever the state says ("no agreement with the state is
    legally necessary for one part of the federal government to share it
    with another part"). An opt-out only touches the return of responses,
    and only once the state terminated its MOA.
``honor-opt-out``
    The counterfactual the project lets its users measure: once a state has
    opted out (an opt-out request or its own termination of its MOA,
    whichever came first, from that day on), nothing from its jurisdictions
    is forwarded and no response is returned to it.

Dates: ``activated_on`` is the first day forwarded, ``deactivated_on`` the
first day no longer forwarded; an MOA is in force from ``moa_signed_on``
(inclusive) until ``moa_terminated_on`` (the first day without it); an
opt-out counts from its own day. An opt-out is permanent here (no state
rejoined in 2008-2014).

**Responses after 5 Aug 2011.** Before that day the rule is the MOA's: a
response is returned while the state's MOA is in force. On that day ICE
terminated every MOA, so read literally no response would ever be returned
again, anywhere; that is not what happened (ICE terminated the MOAs to
remove the states' say over *forwarding*, not to stop informing jails, and
jurisdictions activated later, without any MOA, received responses). What
the MOA governed in practice was whether the state bureau relays responses
to its agencies, which remained the state's operational choice. The default
rule, :attr:`PostTerminationReturns.UNLESS_OPTED_OUT`, therefore continues
returns to every state that never opted out and stops them for a state that
did (Illinois), taking the state at its word. The rule is a field of
:class:`ProgramFacts`: ``all-states`` is DHS's position that the states had
no say (in ``honor-opt-out`` mode an opted-out state still gets none), and
``none`` is the literal reading. ``all_moas_terminated_on`` is configurable
too (None: ICE never terminated them).

Rule codes (:attr:`Decision.rule`):

=====================================  =====  ===============================================
``forward.activated``                  yes    activated on the day, no opt-out in effect
``forward.opt-out-overridden``         yes    activated; the state opted out (as-operated)
``forward.not-activated``              no     never activated, or not yet on the day
``forward.deactivated``                no     on or after the jurisdiction's deactivation
``forward.state-opted-out``            no     the state opted out (honor-opt-out)
``return.moa-in-force``                yes    the state's MOA is in force
``return.opt-out-overridden``          yes    MOA in force (or ``all-states`` after ICE's
                                              termination) despite an opt-out (as-operated)
``return.no-moa``                      no     no MOA signed on or before the day
``return.moa-terminated-by-state``     no     the state terminated its MOA (before ICE did)
``return.state-opted-out``             no     the state opted out (honor-opt-out, or after
                                              ICE's termination under ``unless-opted-out``)
``return.moas-terminated-continued``   yes    after ICE's termination, state never opted out
``return.moas-terminated-stopped``     no     after ICE's termination, rule ``none``
=====================================  =====  ===============================================

Every decision's ``facts`` carry the mode, the day, the ORI and state and the
dates the rule read (an absent date as the empty string).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from interop.policy._checks import check_date
from interop.policy.decision import Decision, fact_date
from interop.policy.errors import InvalidFactError

__all__ = [
    "FORWARD_RULES",
    "PROGRAM",
    "RETURN_RULES",
    "JurisdictionActivation",
    "PostTerminationReturns",
    "ProgramFacts",
    "SharingMode",
    "StateTerms",
    "forward_to_ident",
    "return_response_to_state",
]

FORWARD_RULES = (
    "forward.activated",
    "forward.opt-out-overridden",
    "forward.not-activated",
    "forward.deactivated",
    "forward.state-opted-out",
)
"""Every rule code of :func:`forward_to_ident`."""

RETURN_RULES = (
    "return.moa-in-force",
    "return.opt-out-overridden",
    "return.no-moa",
    "return.moa-terminated-by-state",
    "return.state-opted-out",
    "return.moas-terminated-continued",
    "return.moas-terminated-stopped",
)
"""Every rule code of :func:`return_response_to_state`."""

_STATE = re.compile(r"[A-Z]{2}")
_ORI = re.compile(r"[A-Z]{2}[A-Z0-9]{7}")


class SharingMode(StrEnum):
    """Whether a state's opt-out stops forwarding (see the module docstring)."""

    AS_OPERATED = "as-operated"
    """DHS's practice: forwarding ignores the state; opt-outs touch only responses."""
    HONOR_OPT_OUT = "honor-opt-out"
    """An opt-out stops forwarding and responses from its day on."""


class PostTerminationReturns(StrEnum):
    """Which states get responses back after ICE terminated all MOAs."""

    UNLESS_OPTED_OUT = "unless-opted-out"
    """States that never opted out keep getting responses; opted-out states do not."""
    ALL_STATES = "all-states"
    """Every state (DHS's position); an opted-out state only in as-operated mode."""
    NONE = "none"
    """No state: no MOA, no return (the literal reading)."""


def _check_state(state: object) -> None:
    if not isinstance(state, str) or not _STATE.fullmatch(state):
        raise InvalidFactError(f"state must be a 2-letter USPS code, got {state!r}")


@dataclass(frozen=True, slots=True)
class JurisdictionActivation:
    """A jurisdiction as the program office's deployment schedule sees it.

    Attributes
    ----------
    ori : str
        ORI of its booking agency: 9 characters, upper-case letters and
        digits, the first two the state's USPS code.
    state : str
        USPS code.
    activated_on : date or None
        First day its bookings are forwarded to IDENT; None if never activated.
    deactivated_on : date or None
        First day they no longer are; None if never deactivated. Only with
        ``activated_on``, and after it.

    Raises
    ------
    InvalidFactError
        On a malformed ORI or state code, an ORI of another state, or
        deactivation without (or not after) activation.
    """

    ori: str
    state: str
    activated_on: date | None = None
    deactivated_on: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.ori, str) or not _ORI.fullmatch(self.ori):
            raise InvalidFactError(
                f"ORI must be 9 upper-case letters or digits starting with the state, "
                f"got {self.ori!r}"
            )
        _check_state(self.state)
        if self.ori[:2] != self.state:
            raise InvalidFactError(f"ORI {self.ori} is not in state {self.state}")
        check_date(self.activated_on, "activated_on")
        check_date(self.deactivated_on, "deactivated_on")
        if self.deactivated_on is not None and (
            self.activated_on is None or self.deactivated_on <= self.activated_on
        ):
            raise InvalidFactError(
                f"{self.ori}: deactivated_on {self.deactivated_on} needs an earlier "
                f"activated_on, got {self.activated_on}"
            )

    def activated(self, on: date) -> bool:
        """True if bookings on day ``on`` are forwarded under the deployment schedule."""
        return (
            self.activated_on is not None
            and self.activated_on <= on
            and (self.deactivated_on is None or on < self.deactivated_on)
        )


@dataclass(frozen=True, slots=True)
class StateTerms:
    """A state's standing with ICE: its MOA and its opt-out, as the state acted.

    Attributes
    ----------
    state : str
        USPS code.
    moa_signed_on : date or None
        Day the State Identification Bureau's MOA with ICE was signed; None if never.
    moa_terminated_on : date or None
        Day *the state* terminated its MOA (Illinois, 2011-05-04); not ICE's
        termination of all MOAs, which is a :class:`ProgramFacts` fact.
        Only with ``moa_signed_on``, on or after it.
    opt_out_requested_on : date or None
        Day the state asked to opt out of the program (a suspension, or a
        refusal to sign, may be entered so); None if never.

    Raises
    ------
    InvalidFactError
        On a malformed state code or a termination without (or before) a signature.
    """

    state: str
    moa_signed_on: date | None = None
    moa_terminated_on: date | None = None
    opt_out_requested_on: date | None = None

    def __post_init__(self) -> None:
        _check_state(self.state)
        check_date(self.moa_signed_on, "moa_signed_on")
        check_date(self.moa_terminated_on, "moa_terminated_on")
        check_date(self.opt_out_requested_on, "opt_out_requested_on")
        if self.moa_terminated_on is not None and (
            self.moa_signed_on is None or self.moa_terminated_on < self.moa_signed_on
        ):
            raise InvalidFactError(
                f"{self.state}: MOA terminated on {self.moa_terminated_on} but signed on "
                f"{self.moa_signed_on}"
            )

    @property
    def opted_out_on(self) -> date | None:
        """First day the state counts as opted out: its request or its termination, earlier."""
        days = [d for d in (self.opt_out_requested_on, self.moa_terminated_on) if d is not None]
        return min(days) if days else None

    def opted_out(self, on: date) -> bool:
        """True if the state has opted out by day ``on`` (inclusive)."""
        first = self.opted_out_on
        return first is not None and first <= on

    def moa_in_force(self, on: date) -> bool:
        """True if the MOA is signed by day ``on`` and not terminated by the state.

        ICE's termination of all MOAs is not considered here (see
        :func:`return_response_to_state`).
        """
        return (
            self.moa_signed_on is not None
            and self.moa_signed_on <= on
            and (self.moa_terminated_on is None or on < self.moa_terminated_on)
        )

    def opt_out_words(self) -> str:
        """How the state opted out, for a reason sentence ("terminated its MOA on ...")."""
        if self.moa_terminated_on is not None and self.moa_terminated_on == self.opted_out_on:
            return f"terminated its MOA on {self.moa_terminated_on}"
        return f"requested to opt out on {self.opt_out_requested_on}"


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """Program-wide facts and the reading of their consequences.

    Attributes
    ----------
    all_moas_terminated_on : date or None
        Day ICE terminated every MOA (historically 2011-08-05); None if never.
    returns_after_moas_terminated : PostTerminationReturns
        Who gets responses back from that day on (default
        ``unless-opted-out``; the reasoning is in the module docstring).

    Raises
    ------
    InvalidFactError
        On a value of the wrong type.
    """

    all_moas_terminated_on: date | None = date(2011, 8, 5)
    returns_after_moas_terminated: PostTerminationReturns = PostTerminationReturns.UNLESS_OPTED_OUT

    def __post_init__(self) -> None:
        check_date(self.all_moas_terminated_on, "all_moas_terminated_on")
        if not isinstance(self.returns_after_moas_terminated, PostTerminationReturns):
            raise InvalidFactError(
                "returns_after_moas_terminated must be a PostTerminationReturns, "
                f"got {self.returns_after_moas_terminated!r}"
            )

    def moas_terminated(self, on: date) -> bool:
        """True if ICE has terminated all MOAs by day ``on`` (inclusive)."""
        return self.all_moas_terminated_on is not None and self.all_moas_terminated_on <= on


PROGRAM = ProgramFacts()
"""The historical program facts: all MOAs terminated by ICE on 2011-08-05."""


def _check_inputs(
    jurisdiction: JurisdictionActivation,
    state_terms: StateTerms,
    mode: SharingMode,
    program: ProgramFacts,
    on: date,
) -> None:
    if not isinstance(jurisdiction, JurisdictionActivation):
        raise InvalidFactError(f"expected a JurisdictionActivation, got {jurisdiction!r}")
    if not isinstance(state_terms, StateTerms):
        raise InvalidFactError(f"expected StateTerms, got {state_terms!r}")
    if not isinstance(mode, SharingMode):
        raise InvalidFactError(f"mode must be a SharingMode, got {mode!r}")
    if not isinstance(program, ProgramFacts):
        raise InvalidFactError(f"expected ProgramFacts, got {program!r}")
    check_date(on, "day", optional=False)
    if jurisdiction.state != state_terms.state:
        raise InvalidFactError(
            f"jurisdiction {jurisdiction.ori} is in {jurisdiction.state}, "
            f"the terms are {state_terms.state}'s"
        )


def forward_to_ident(
    booked_on: date,
    jurisdiction: JurisdictionActivation,
    state_terms: StateTerms,
    mode: SharingMode,
    program: ProgramFacts = PROGRAM,
) -> Decision:
    """Whether the FBI forwards a booking's prints to IDENT.

    Parameters
    ----------
    booked_on : date
        Day of the booking (local calendar day of the booking agency).
    jurisdiction : JurisdictionActivation
        The booking agency's jurisdiction.
    state_terms : StateTerms
        Its state's terms (same state).
    mode : SharingMode
    program : ProgramFacts, optional
        Not read by the forwarding rules (ICE's termination of the MOAs did
        not change forwarding); accepted so both sharing decisions take the
        same inputs.

    Returns
    -------
    Decision
        One of :data:`FORWARD_RULES`.

    Raises
    ------
    InvalidFactError
        On inputs of the wrong type or of different states.
    """
    _check_inputs(jurisdiction, state_terms, mode, program, booked_on)
    facts = {
        "decision": "forward_to_ident",
        "mode": mode.value,
        "booked_on": booked_on.isoformat(),
        "ori": jurisdiction.ori,
        "state": jurisdiction.state,
        "activated_on": fact_date(jurisdiction.activated_on),
        "deactivated_on": fact_date(jurisdiction.deactivated_on),
        "opt_out_requested_on": fact_date(state_terms.opt_out_requested_on),
        "moa_terminated_on": fact_date(state_terms.moa_terminated_on),
    }
    where = f"Booking on {booked_on} in {jurisdiction.ori}"
    activated_on = jurisdiction.activated_on
    if activated_on is None:
        return Decision(
            False,
            "forward.not-activated",
            f"{where}: the jurisdiction was never activated; not forwarded to IDENT.",
            facts,
        )
    if booked_on < activated_on:
        return Decision(
            False,
            "forward.not-activated",
            f"{where}: not activated until {activated_on}; not forwarded to IDENT.",
            facts,
        )
    if jurisdiction.deactivated_on is not None and booked_on >= jurisdiction.deactivated_on:
        return Decision(
            False,
            "forward.deactivated",
            f"{where}: activated on {activated_on} but deactivated on "
            f"{jurisdiction.deactivated_on}; not forwarded to IDENT.",
            facts,
        )
    if state_terms.opted_out(booked_on):
        how = f"{state_terms.state} {state_terms.opt_out_words()}"
        if mode is SharingMode.HONOR_OPT_OUT:
            return Decision(
                False,
                "forward.state-opted-out",
                f"{where}: activated on {activated_on}, but {how} and the opt-out is "
                "honoured; not forwarded to IDENT.",
                facts,
            )
        return Decision(
            True,
            "forward.opt-out-overridden",
            f"{where}: activated on {activated_on}; forwarded to IDENT although {how} "
            "(as operated, the opt-out does not stop forwarding).",
            facts,
        )
    return Decision(
        True,
        "forward.activated",
        f"{where}: activated on {activated_on}; forwarded to IDENT.",
        facts,
    )


def return_response_to_state(
    on: date,
    jurisdiction: JurisdictionActivation,
    state_terms: StateTerms,
    mode: SharingMode,
    program: ProgramFacts = PROGRAM,
) -> Decision:
    """Whether an immigration response (IAR) goes back to the state bureau and the agency.

    The field office always gets the IAR; this decides the copy routed back
    through the state bureau to the booking agency. It does not look at the
    jurisdiction's activation: a response exists only for a forwarded
    booking, and this decision only routes it.

    Parameters
    ----------
    on : date
        Day the response is sent.
    jurisdiction : JurisdictionActivation
        The booking agency's jurisdiction.
    state_terms : StateTerms
        Its state's terms (same state).
    mode : SharingMode
    program : ProgramFacts, optional
        ICE's termination of all MOAs and the rule after it; the historical
        facts by default.

    Returns
    -------
    Decision
        One of :data:`RETURN_RULES`.

    Raises
    ------
    InvalidFactError
        On inputs of the wrong type or of different states.
    """
    _check_inputs(jurisdiction, state_terms, mode, program, on)
    facts = {
        "decision": "return_response_to_state",
        "mode": mode.value,
        "on": on.isoformat(),
        "ori": jurisdiction.ori,
        "state": state_terms.state,
        "moa_signed_on": fact_date(state_terms.moa_signed_on),
        "moa_terminated_on": fact_date(state_terms.moa_terminated_on),
        "opt_out_requested_on": fact_date(state_terms.opt_out_requested_on),
        "all_moas_terminated_on": fact_date(program.all_moas_terminated_on),
        "returns_after_moas_terminated": program.returns_after_moas_terminated.value,
    }
    state = state_terms.state
    where = f"Response on {on} for {jurisdiction.ori}"
    honour = mode is SharingMode.HONOR_OPT_OUT
    opted = state_terms.opted_out(on)

    if not program.moas_terminated(on):
        terminated = state_terms.moa_terminated_on
        if terminated is not None and terminated <= on:
            return Decision(
                False,
                "return.moa-terminated-by-state",
                f"{where}: {state} terminated its MOA on {terminated}; not returned to the state.",
                facts,
            )
        if opted and honour:
            return Decision(
                False,
                "return.state-opted-out",
                f"{where}: {state} {state_terms.opt_out_words()} and the opt-out is "
                "honoured; not returned to the state.",
                facts,
            )
        signed = state_terms.moa_signed_on
        if signed is None or signed > on:
            when = "never signed" if signed is None else f"not signed until {signed}"
            return Decision(
                False,
                "return.no-moa",
                f"{where}: {state}'s MOA {when}; not returned to the state.",
                facts,
            )
        if opted:
            return Decision(
                True,
                "return.opt-out-overridden",
                f"{where}: {state}'s MOA in force since {signed}; returned to the state "
                f"although {state} {state_terms.opt_out_words()} (as operated, only the "
                "MOA counts).",
                facts,
            )
        return Decision(
            True,
            "return.moa-in-force",
            f"{where}: {state}'s MOA in force since {signed}; returned to the state.",
            facts,
        )

    ended = f"ICE terminated all MOAs on {program.all_moas_terminated_on}"
    rule = program.returns_after_moas_terminated
    if rule is PostTerminationReturns.NONE:
        return Decision(
            False,
            "return.moas-terminated-stopped",
            f"{where}: {ended} and no state gets responses after that; not returned to the state.",
            facts,
        )
    if opted:
        if rule is PostTerminationReturns.ALL_STATES and not honour:
            return Decision(
                True,
                "return.opt-out-overridden",
                f"{where}: {ended} and every state gets responses after that; returned "
                f"to the state although {state} {state_terms.opt_out_words()}.",
                facts,
            )
        return Decision(
            False,
            "return.state-opted-out",
            f"{where}: {ended}; {state} {state_terms.opt_out_words()}, so not returned "
            "to the state.",
            facts,
        )
    return Decision(
        True,
        "return.moas-terminated-continued",
        f"{where}: {ended}; {state} never opted out, so returned to the state.",
        facts,
    )
