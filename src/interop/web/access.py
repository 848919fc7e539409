"""Authorization: who may do what and see which rows, in one place.

Two kinds of rule:

* **Role rules** (which roles may call an endpoint): the permission sets
  below, enforced by :func:`authorize` (401 for the public where a key is
  needed, 403 for a role that may not). Routes declare them with
  :func:`allow`.
* **Row rules** (which rows a caller may see): SQL conditions over the
  models (:func:`visible_cases`, :func:`visible_messages`, ...), added to
  every query a route makes. A row the caller may not see is answered as
  if it did not exist (404): existence is not leaked.
* **Field rules** (what a caller may learn from a booking's status):
  :func:`case_view`. Only ``program`` and ``ice`` see the status as
  recorded; every other role sees the stage, the ``final`` flag, the time
  of the last response and the policy decisions only as far as the
  messages it received or sent tell it. So when policy does not return the
  IAR to a state (its MOA terminated, as operated), neither its bureau nor
  its agency learns of the classification, of the detainer decision or of
  the field office having acted, through the status or otherwise.

The rules, by role:

============ =================================================================
``agency``   its own bookings (``Case.ori``) and the messages in its inbox
             (``booking:<ORI>``: what came back to it); detainers lodged with it
``bureau``   its state's bookings, its inbox (``bureau:<ORI>``), its state's
             MOA and opt-out requests; may terminate its state's MOA and
             request its state's opt-out. Not detainers: they are lodged
             with the agency, not sent to the bureau
``ice``      IAR, DETN and CUST messages (any inbox), the bookings that have
             one, all detainers and MOAs; records custody on a detainer
``program``  every booking's status (not the messages, unless addressed to
             ``program:<ORI>``); administers jurisdictions, MOAs, opt-outs
``fbi``,     the messages in their inbox (``fbi:<ORI>``, ``ident:<ORI>``)
``ident``    and the bookings those concern
public       aggregate statistics (small counts withheld) and the published
             jurisdiction list only
============ =================================================================

A booking agency cannot learn that another agency's TCN exists by
submitting it: intake accepts only TCNs that begin with the submitting
agency's ORI (:mod:`interop.agencies.intake`), so TCNs never collide across
agencies and a ``409 tcn-reused`` only ever concerns the caller's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from interop.store.models import (
    Agreement,
    Case,
    DetainerRecord,
    MessageRecord,
    OptOutRequest,
)
from interop.web.auth import Caller, CallerDep, Role
from interop.web.errors import ApiError

__all__ = [
    "ADMINISTER",
    "ALL_ROLES",
    "DECISION_EVIDENCE",
    "ICE_KINDS",
    "INBOX_PREFIX",
    "READ_AGREEMENTS",
    "READ_DETAINERS",
    "READ_OPT_OUTS",
    "RECORD_CUSTODY",
    "REQUEST_OPT_OUT",
    "STAGE_EVIDENCE",
    "SUBMIT",
    "TERMINATE_AGREEMENTS",
    "WHOLE_STATUS",
    "CaseView",
    "KnownMessage",
    "allow",
    "authorize",
    "case_view",
    "inbox",
    "known_messages",
    "opt_out_state",
    "terminating_party",
    "visible_agreements",
    "visible_cases",
    "visible_detainers",
    "visible_messages",
    "visible_opt_outs",
]

ALL_ROLES = frozenset(Role)
SUBMIT = frozenset({Role.AGENCY})
ADMINISTER = frozenset({Role.PROGRAM})
READ_AGREEMENTS = frozenset({Role.PROGRAM, Role.ICE, Role.BUREAU})
TERMINATE_AGREEMENTS = frozenset({Role.PROGRAM, Role.BUREAU})
REQUEST_OPT_OUT = frozenset({Role.PROGRAM, Role.BUREAU})
READ_OPT_OUTS = frozenset({Role.PROGRAM, Role.BUREAU})
READ_DETAINERS = frozenset({Role.ICE, Role.AGENCY})
RECORD_CUSTODY = frozenset({Role.ICE})
WHOLE_STATUS = frozenset({Role.PROGRAM, Role.ICE})
"""Roles that see a booking's status as recorded (:func:`case_view`)."""

ICE_KINDS = ("IAR", "DETN", "CUST")
"""Messages ICE sees, whatever their inbox: its status answers, detainers and
custody notices."""

STAGE_EVIDENCE: Mapping[str, tuple[str, str]] = {
    "identified": ("SRE", "submitted"),
    "rejected": ("ERRT", "submitted"),
    "ident_searched": ("IDR", "identified"),
    "matched": ("IDR", "identified"),
    "classified": ("IAR", "matched"),
    "closed": ("IAR", "matched"),
    "detainer_lodged": ("DETN", "classified"),
}
"""For each stage after ``submitted``: the message kind that tells a caller the
booking reached it, and the stage before it (what a caller without that
message is shown instead)."""

DECISION_EVIDENCE: Mapping[str, str | None] = {
    "forward_to_ident": None,
    "priority_level": "IAR",
    "return_iar_to_state": "IAR",
    "detainer": "IAR",
}
"""For each policy question: the message kind a caller must have received or
sent to see its decision (``None``: any caller who sees the booking). The
priority level, the return of the IAR and the detainer decision (whose
reason names the level) go with the IAR. Questions not listed are shown to
:data:`WHOLE_STATUS` roles only."""

INBOX_PREFIX = {
    Role.AGENCY: "booking",
    Role.BUREAU: "bureau",
    Role.PROGRAM: "program",
    Role.FBI: "fbi",
    Role.IDENT: "ident",
}
"""Bus inbox of each role with one (``<prefix>:<ORI>``)."""


def authorize(caller: Caller, roles: frozenset[Role]) -> Caller:
    """``caller`` if its role is one of ``roles``.

    Raises
    ------
    ApiError
        401 for the public, 403 for another role.
    """
    if caller.role is None:
        raise ApiError(
            401,
            "unauthenticated",
            "an API key is required",
            headers={"WWW-Authenticate": 'Bearer realm="interop"'},
        )
    if caller.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise ApiError(403, "forbidden", f"role {caller.role.value} may not do this ({allowed})")
    return caller


def allow(roles: frozenset[Role]) -> Callable[[Caller], Caller]:
    """A route dependency: the caller, if its role is in ``roles``."""

    def dependency(caller: CallerDep) -> Caller:
        return authorize(caller, roles)

    return dependency


def inbox(caller: Caller) -> str | None:
    """The caller's bus inbox (``booking:IL0310000``), if its role has one."""
    if caller.role is None or caller.ori is None:
        return None
    prefix = INBOX_PREFIX.get(caller.role)
    return f"{prefix}:{caller.ori}" if prefix is not None else None


def visible_messages(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`MessageRecord` rows (and their transactions) the caller may see."""
    if caller.role is Role.ICE:
        return MessageRecord.kind.in_(ICE_KINDS)
    box = inbox(caller)
    if box is None:
        return false()
    return MessageRecord.recipient == box


def visible_cases(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`Case` rows (bookings' status) the caller may see."""
    match caller.role:
        case None:
            return false()
        case Role.AGENCY:
            return Case.ori == caller.ori if caller.ori else false()
        case Role.BUREAU:
            return Case.state == caller.state if caller.state else false()
        case Role.PROGRAM:
            return true()
        case Role.ICE | Role.FBI | Role.IDENT:
            return exists(
                select(MessageRecord.id).where(
                    and_(MessageRecord.tcn == Case.tcn, visible_messages(caller))
                )
            )
    return false()  # pragma: no cover (every role is matched)


def known_messages(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`MessageRecord` rows the caller knows of: those it may see
    (:func:`visible_messages`) and those it sent."""
    box = inbox(caller)
    sent = MessageRecord.sender == box if box is not None else false()
    return or_(visible_messages(caller), sent)


@dataclass(frozen=True)
class KnownMessage:
    """A message about a booking that the caller knows of (:func:`known_messages`).

    Attributes
    ----------
    kind : str
    created_at : datetime
    to_caller : bool
        Addressed to the caller (in its inbox), not sent by it.
    """

    kind: str
    created_at: datetime
    to_caller: bool


@dataclass(frozen=True)
class CaseView:
    """What a caller may learn of a booking's progress.

    Attributes
    ----------
    stage : str
        The furthest stage the caller's messages tell it of.
    final : bool
        The booking is final and the caller sees its last stage.
    last_response_at : datetime or None
        The latest response addressed to the caller.
    kinds : frozenset of str
        The kinds of message the caller knows of (``None``: all, for
        :data:`WHOLE_STATUS` roles).
    """

    stage: str
    final: bool
    last_response_at: datetime | None
    kinds: frozenset[str] | None

    def shows(self, question: str) -> bool:
        """Whether the caller may see the decision on policy ``question``."""
        if self.kinds is None:
            return True
        if question not in DECISION_EVIDENCE:
            return False
        needed = DECISION_EVIDENCE[question]
        return needed is None or needed in self.kinds


def case_view(caller: Caller, case: Case, known: Iterable[KnownMessage]) -> CaseView:
    """A booking's status as ``caller`` may see it.

    :data:`WHOLE_STATUS` roles see it as recorded. Any other caller sees the
    furthest stage its messages evidence (:data:`STAGE_EVIDENCE`: a booking
    classified or closed by ICE is ``matched`` to a caller who got the IDR
    but not the IAR), ``final`` only when that is the recorded stage (else a
    finished booking would tell a caller without the IAR that the field
    office decided), and the time of the last response sent to it.

    Parameters
    ----------
    caller : Caller
        A caller who may see ``case`` (:func:`visible_cases`).
    case : Case
    known : iterable of KnownMessage
        The messages about the booking the caller knows of
        (:func:`known_messages`).

    Returns
    -------
    CaseView
    """
    if caller.role in WHOLE_STATUS:
        return CaseView(case.stage, case.final, case.last_response_at, None)
    messages = list(known)
    kinds = frozenset(m.kind for m in messages)
    stage = case.stage if case.stage in STAGE_EVIDENCE else "submitted"
    while stage in STAGE_EVIDENCE and STAGE_EVIDENCE[stage][0] not in kinds:
        stage = STAGE_EVIDENCE[stage][1]
    responses = [m.created_at for m in messages if m.to_caller and m.kind != "CAR"]
    return CaseView(
        stage=stage,
        final=case.final and stage == case.stage,
        last_response_at=max(responses, default=None),
        kinds=kinds,
    )


def visible_detainers(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`DetainerRecord` rows the caller may see: ICE all, an
    agency those lodged with it."""
    match caller.role:
        case Role.ICE:
            return true()
        case Role.AGENCY:
            return DetainerRecord.ori == caller.ori if caller.ori else false()
    return false()


def visible_agreements(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`Agreement` rows (MOAs) the caller may see."""
    match caller.role:
        case Role.PROGRAM | Role.ICE:
            return true()
        case Role.BUREAU if caller.state:
            return Agreement.state == caller.state
    return false()


def visible_opt_outs(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`OptOutRequest` rows the caller may see."""
    match caller.role:
        case Role.PROGRAM:
            return true()
        case Role.BUREAU if caller.state:
            return OptOutRequest.state == caller.state
    return false()


def terminating_party(caller: Caller, agreement: Agreement) -> str:
    """Who terminates ``agreement`` when ``caller`` does: ``"state"`` for the
    state's bureau, ``"ice"`` for the program office.

    Raises
    ------
    ApiError
        404 for a bureau of another state (it may not see that MOA), 403 for
        other roles.
    """
    caller = authorize(caller, TERMINATE_AGREEMENTS)
    if caller.role is Role.PROGRAM:
        return "ice"
    if caller.state is None or caller.state != agreement.state:
        raise ApiError(404, "not-found", f"no agreement {agreement.id}")
    return "state"


def opt_out_state(caller: Caller, requested: str | None) -> str:
    """The state an opt-out request by ``caller`` is for.

    A bureau requests for its own state (``requested`` may be omitted or
    must be it); the program office names the state.

    Raises
    ------
    ApiError
        403 for a bureau naming another state (or serving none), 422 for the
        program office naming none, 403 for other roles.
    """
    caller = authorize(caller, REQUEST_OPT_OUT)
    if caller.role is Role.BUREAU:
        if caller.state is None:
            raise ApiError(403, "forbidden", f"ORI {caller.ori} is not a known state bureau")
        if requested is not None and requested != caller.state:
            raise ApiError(
                403, "forbidden", "a bureau may request an opt-out for its own state only"
            )
        return caller.state
    if requested is None:
        raise ApiError(422, "invalid-request", "state: required")
    return requested
