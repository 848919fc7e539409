"""``/jurisdictions``: the published list of jurisdictions and their activation.

Anyone may read it (ICE published it with its statistics); the program
office adds jurisdictions and sets their activation and deactivation dates.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from interop.store.models import Jurisdiction, State
from interop.web.access import ADMINISTER, allow
from interop.web.auth import Caller
from interop.web.deps import SessionDep
from interop.web.errors import PUBLIC_OPERATION, ApiError, error_responses
from interop.web.schemas import (
    JurisdictionCreate,
    JurisdictionOut,
    JurisdictionUpdate,
    OriPath,
    StateFilter,
    check_dates,
)

__all__ = ["router"]

router = APIRouter(prefix="/jurisdictions", tags=["jurisdictions"])

Administrator = Annotated[Caller, Depends(allow(ADMINISTER))]


def _out(j: Jurisdiction) -> JurisdictionOut:
    return JurisdictionOut(
        ori=j.ori,
        state=j.state,
        name=j.name,
        activated_on=j.activated_on,
        deactivated_on=j.deactivated_on,
    )


@router.get(
    "",
    summary="List jurisdictions",
    description="Every jurisdiction's ORI, name, state and activation dates (public).",
    response_model=list[JurisdictionOut],
    responses=error_responses(401, 422, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def list_jurisdictions(
    session: SessionDep,
    state: StateFilter = None,
) -> list[JurisdictionOut]:
    query = select(Jurisdiction).order_by(Jurisdiction.ori)
    if state is not None:
        query = query.where(Jurisdiction.state == state)
    return [_out(j) for j in session.scalars(query)]


@router.get(
    "/{ori}",
    summary="One jurisdiction",
    response_model=JurisdictionOut,
    responses=error_responses(401, 404, 422, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def get_jurisdiction(ori: OriPath, session: SessionDep) -> JurisdictionOut:
    jurisdiction = session.get(Jurisdiction, ori)
    if jurisdiction is None:
        raise ApiError(404, "not-found", f"no jurisdiction {ori}")
    return _out(jurisdiction)


@router.post(
    "",
    status_code=201,
    summary="Add a jurisdiction",
    response_model=JurisdictionOut,
    responses=error_responses(401, 403, 409, 413, 422, 429),
)
def create_jurisdiction(
    body: JurisdictionCreate,
    request: Request,
    response: Response,
    caller: Administrator,
    session: SessionDep,
) -> JurisdictionOut:
    if session.get(State, body.state) is None:
        raise ApiError(422, "unknown-state", f"no state {body.state}")
    if session.get(Jurisdiction, body.ori) is not None:
        raise ApiError(409, "conflict", f"jurisdiction {body.ori} exists")
    jurisdiction = Jurisdiction(**body.model_dump())
    session.add(jurisdiction)
    session.flush()
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/jurisdictions/{body.ori}"
    return _out(jurisdiction)


@router.patch(
    "/{ori}",
    summary="Activate or deactivate a jurisdiction",
    description="Sets the fields given (`null` clears a date); omitted fields are unchanged.",
    response_model=JurisdictionOut,
    responses=error_responses(401, 403, 404, 413, 422, 429),
)
def update_jurisdiction(
    ori: OriPath, body: JurisdictionUpdate, caller: Administrator, session: SessionDep
) -> JurisdictionOut:
    jurisdiction = session.get(Jurisdiction, ori)
    if jurisdiction is None:
        raise ApiError(404, "not-found", f"no jurisdiction {ori}")
    changes = body.model_dump(exclude_unset=True)
    activated_on = changes.get("activated_on", jurisdiction.activated_on)
    deactivated_on = changes.get("deactivated_on", jurisdiction.deactivated_on)
    try:
        check_dates(activated_on, deactivated_on)
    except ValueError as exc:
        raise ApiError(422, "invalid-request", str(exc)) from None
    jurisdiction.activated_on = activated_on
    jurisdiction.deactivated_on = deactivated_on
    session.flush()
    return _out(jurisdiction)
