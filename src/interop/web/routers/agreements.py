"""``/agreements``: memoranda of agreement between ICE and the state bureaus.

The program office signs and terminates them (``terminated_by="ice"``); a
state's bureau may terminate its own state's (``terminated_by="state"``),
as Illinois did in May 2011.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from sqlalchemy import select

from interop.bus.queue import utcnow
from interop.store.models import Agreement, State
from interop.web.access import (
    ADMINISTER,
    READ_AGREEMENTS,
    TERMINATE_AGREEMENTS,
    allow,
    terminating_party,
    visible_agreements,
)
from interop.web.auth import Caller
from interop.web.deps import SessionDep
from interop.web.errors import ApiError, error_responses
from interop.web.schemas import (
    AgreementCreate,
    AgreementIdPath,
    AgreementOut,
    AgreementTermination,
    StateFilter,
)

__all__ = ["router"]

router = APIRouter(prefix="/agreements", tags=["agreements"])

Reader = Annotated[Caller, Depends(allow(READ_AGREEMENTS))]
Signer = Annotated[Caller, Depends(allow(ADMINISTER))]
Terminator = Annotated[Caller, Depends(allow(TERMINATE_AGREEMENTS))]


def _out(a: Agreement) -> AgreementOut:
    return AgreementOut(
        id=a.id,
        state=a.state,
        signed_on=a.signed_on,
        terminated_on=a.terminated_on,
        terminated_by=a.terminated_by,
        terms=a.terms,
    )


@router.get(
    "",
    summary="List MOAs",
    description="The program office and ICE see all; a bureau sees its state's.",
    response_model=list[AgreementOut],
    responses=error_responses(401, 403, 422, 429),
)
def list_agreements(
    caller: Reader,
    session: SessionDep,
    state: StateFilter = None,
) -> list[AgreementOut]:
    query = select(Agreement).where(visible_agreements(caller)).order_by(Agreement.id)
    if state is not None:
        query = query.where(Agreement.state == state)
    return [_out(a) for a in session.scalars(query)]


@router.post(
    "",
    status_code=201,
    summary="Record a signed MOA",
    description="One MOA in force per state: 409 while the state's previous one is.",
    response_model=AgreementOut,
    responses=error_responses(401, 403, 409, 413, 422, 429),
)
def sign_agreement(body: AgreementCreate, caller: Signer, session: SessionDep) -> AgreementOut:
    if session.get(State, body.state) is None:
        raise ApiError(422, "unknown-state", f"no state {body.state}")
    in_force = session.scalars(
        select(Agreement).where(Agreement.state == body.state, Agreement.terminated_on.is_(None))
    ).first()
    if in_force is not None:
        raise ApiError(409, "agreement-in-force", f"{body.state}'s MOA {in_force.id} is in force")
    agreement = Agreement(state=body.state, signed_on=body.signed_on, terms=body.terms)
    session.add(agreement)
    session.flush()
    return _out(agreement)


@router.post(
    "/{agreement_id}/terminate",
    summary="Terminate an MOA",
    description="By the program office (recorded as terminated by ICE) or by the state's "
    "own bureau (terminated by the state).",
    response_model=AgreementOut,
    responses=error_responses(401, 403, 404, 409, 413, 422, 429),
)
def terminate_agreement(
    agreement_id: AgreementIdPath,
    caller: Terminator,
    session: SessionDep,
    body: Annotated[AgreementTermination | None, Body()] = None,
) -> AgreementOut:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise ApiError(404, "not-found", f"no agreement {agreement_id}")
    party = terminating_party(caller, agreement)
    if agreement.terminated_on is not None:
        raise ApiError(
            409, "already-terminated", f"agreement {agreement_id} ended {agreement.terminated_on}"
        )
    on = body.terminated_on if body is not None and body.terminated_on else utcnow().date()
    if on < agreement.signed_on:
        raise ApiError(422, "invalid-request", "terminated_on is before signed_on")
    agreement.terminated_on = on
    agreement.terminated_by = party
    session.flush()
    return _out(agreement)
