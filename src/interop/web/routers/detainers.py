"""``/detainers``: I-247 detainers, for ICE, and for the agencies and bureaus they concern."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from interop.store.models import DetainerRecord
from interop.web.access import READ_DETAINERS, allow, visible_detainers
from interop.web.auth import Caller
from interop.web.deps import SessionDep
from interop.web.errors import error_responses
from interop.web.schemas import DetainerOut

__all__ = ["router"]

router = APIRouter(prefix="/detainers", tags=["detainers"])

Reader = Annotated[Caller, Depends(allow(READ_DETAINERS))]


@router.get(
    "",
    summary="List detainers",
    description="ICE sees all; an agency those lodged with it; a bureau its state's.",
    response_model=list[DetainerOut],
    responses=error_responses(401, 403, 429),
)
def list_detainers(caller: Reader, session: SessionDep) -> list[DetainerOut]:
    rows = session.scalars(
        select(DetainerRecord)
        .where(visible_detainers(caller))
        .order_by(DetainerRecord.lodged_at, DetainerRecord.tcn)
    )
    return [DetainerOut.model_validate(d, from_attributes=True) for d in rows]
