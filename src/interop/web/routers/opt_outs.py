"""``/opt-out-requests``: states' (and jurisdictions') requests not to take part."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from interop.bus.queue import utcnow
from interop.store.models import Jurisdiction, OptOutRequest, State
from interop.web.access import (
    READ_OPT_OUTS,
    REQUEST_OPT_OUT,
    allow,
    opt_out_state,
    visible_opt_outs,
)
from interop.web.auth import Caller
from interop.web.deps import SessionDep
from interop.web.errors import ApiError, error_responses
from interop.web.schemas import OptOutCreate, OptOutOut

__all__ = ["router"]

router = APIRouter(prefix="/opt-out-requests", tags=["opt-out requests"])

Reader = Annotated[Caller, Depends(allow(READ_OPT_OUTS))]
Requester = Annotated[Caller, Depends(allow(REQUEST_OPT_OUT))]


def _out(r: OptOutRequest) -> OptOutOut:
    return OptOutOut(
        id=r.id,
        state=r.state,
        jurisdiction_ori=r.jurisdiction_ori,
        requested_on=r.requested_on,
        requested_by=r.requested_by,
        text=r.text,
    )


@router.get(
    "",
    summary="List opt-out requests",
    description="The program office sees all; a bureau sees its state's.",
    response_model=list[OptOutOut],
    responses=error_responses(401, 403, 429),
)
def list_opt_outs(caller: Reader, session: SessionDep) -> list[OptOutOut]:
    query = select(OptOutRequest).where(visible_opt_outs(caller)).order_by(OptOutRequest.id)
    return [_out(r) for r in session.scalars(query)]


@router.post(
    "",
    status_code=201,
    summary="Request an opt-out",
    description="A bureau for its own state (or one of its jurisdictions); the program "
    "office records any state's.",
    response_model=OptOutOut,
    responses=error_responses(401, 403, 413, 422, 429),
)
def request_opt_out(body: OptOutCreate, caller: Requester, session: SessionDep) -> OptOutOut:
    state = opt_out_state(caller, body.state)
    if session.get(State, state) is None:
        raise ApiError(422, "unknown-state", f"no state {state}")
    if body.jurisdiction_ori is not None:
        jurisdiction = session.get(Jurisdiction, body.jurisdiction_ori)
        if jurisdiction is None or jurisdiction.state != state:
            raise ApiError(
                422, "unknown-jurisdiction", f"no jurisdiction {body.jurisdiction_ori} in {state}"
            )
    request = OptOutRequest(
        state=state,
        jurisdiction_ori=body.jurisdiction_ori,
        requested_on=body.requested_on or utcnow().date(),
        requested_by=body.requested_by,
        text=body.text,
    )
    session.add(request)
    session.flush()
    return _out(request)
