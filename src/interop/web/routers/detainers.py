"""``/detainers``: I-247 detainers, for ICE and for the agencies they are lodged with.

ICE records here that it assumed custody of a person held on a detainer
(:func:`interop.agencies.detainers.assume_custody`); expiry is the worker's
(:func:`interop.agencies.detainers.expire_detainers`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from interop.agencies.detainers import (
    CustodyBeforeLodgingError,
    DetainerError,
    DetainerNotFoundError,
    assume_custody,
)
from interop.bus.queue import utcnow
from interop.store.models import DetainerRecord
from interop.web.access import READ_DETAINERS, RECORD_CUSTODY, allow, visible_detainers
from interop.web.auth import Caller
from interop.web.deps import SessionDep
from interop.web.errors import ApiError, error_responses
from interop.web.schemas import CustodyIn, DetainerOut, TcnPath

__all__ = ["MAX_CLOCK_SKEW", "router"]

log = logging.getLogger("interop.web")

router = APIRouter(prefix="/detainers", tags=["detainers"])

Reader = Annotated[Caller, Depends(allow(READ_DETAINERS))]
Officer = Annotated[Caller, Depends(allow(RECORD_CUSTODY))]

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future (by the server's clock) a custody time may be."""


def _status(error: DetainerError) -> int:
    if isinstance(error, DetainerNotFoundError):
        return 404
    if isinstance(error, CustodyBeforeLodgingError):
        return 422
    return 409  # expired, already honoured: the detainer's state forbids it


@router.get(
    "",
    summary="List detainers",
    description="ICE sees all; an agency those lodged with it.",
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


@router.post(
    "/{tcn:path}/custody",
    summary="Record that ICE assumed custody",
    description="ICE took the person held on the booking's detainer into custody at `at`. "
    "The detainer becomes `honoured` if it was lodged and had not expired at that time "
    "(48 hours beyond the scheduled release, Saturdays, Sundays and federal holidays "
    "excluded, in the jurisdiction's time zone); the booking agency is sent a `CUST` "
    "message. Refused with 409 `detainer-expired` once the hold had expired, 409 "
    "`detainer-honoured` if custody was recorded before, 422 `custody-before-lodging` "
    "for a time before the detainer was lodged and 422 `custody-in-future` for one in the "
    "future, 404 without a detainer. ICE only.",
    response_model=DetainerOut,
    responses=error_responses(401, 403, 404, 409, 413, 422, 429),
)
def record_custody(
    tcn: TcnPath, body: CustodyIn, caller: Officer, session: SessionDep
) -> DetainerOut:
    if body.at > utcnow() + MAX_CLOCK_SKEW:
        raise ApiError(422, "custody-in-future", "the custody time is in the future")
    try:
        detainer = assume_custody(session, tcn, body.at)
    except DetainerError as error:
        raise ApiError(_status(error), error.code, str(error)) from None
    log.info("custody recorded for %s (key %s)", tcn, caller.key_id)
    return DetainerOut.model_validate(detainer, from_attributes=True)
