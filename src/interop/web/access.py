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

The rules, by role:

============ =================================================================
``agency``   its own bookings (``Case.ori``) and the messages in its inbox
             (``booking:<ORI>``: what came back to it); detainers lodged with it
``bureau``   its state's bookings, its inbox (``bureau:<ORI>``), its state's
             detainers, MOA and opt-out requests; may terminate its state's
             MOA and request its state's opt-out
``ice``      IAR and DETN messages (any inbox), the bookings that have one,
             all detainers and MOAs
``program``  every booking's status (not the messages, unless addressed to
             ``program:<ORI>``); administers jurisdictions, MOAs, opt-outs
``fbi``,     the messages in their inbox (``fbi:<ORI>``, ``ident:<ORI>``)
``ident``    and the bookings those concern
public       aggregate statistics and the published jurisdiction list only
============ =================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, exists, false, select, true

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
    "ICE_KINDS",
    "INBOX_PREFIX",
    "READ_AGREEMENTS",
    "READ_DETAINERS",
    "READ_OPT_OUTS",
    "REQUEST_OPT_OUT",
    "SUBMIT",
    "TERMINATE_AGREEMENTS",
    "allow",
    "authorize",
    "inbox",
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
READ_DETAINERS = frozenset({Role.ICE, Role.AGENCY, Role.BUREAU})

ICE_KINDS = ("IAR", "DETN")
"""Messages ICE sees, whatever their inbox: its status answers and detainers."""

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


def visible_detainers(caller: Caller) -> ColumnElement[bool]:
    """Which :class:`DetainerRecord` rows the caller may see."""
    match caller.role:
        case Role.ICE:
            return true()
        case Role.AGENCY:
            return DetainerRecord.ori == caller.ori if caller.ori else false()
        case Role.BUREAU if caller.state:
            return DetainerRecord.tcn.in_(select(Case.tcn).where(Case.state == caller.state))
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
