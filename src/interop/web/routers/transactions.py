"""``/transactions``: booking agencies submit CARs and follow them.

TCNs may hold any printable character, ``/`` included, so the routes take
the TCN as a path (percent-encode it: ``status_url`` and ``Location`` are).
What a caller sees of a booking is decided in :mod:`interop.web.access`:
which bookings and messages (row rules), and which of the status's fields
(:func:`~interop.web.access.case_view`).
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.agencies.intake import SubmissionError, submit_car
from interop.store.models import (
    Case,
    DetainerRecord,
    Evidence,
    MessageRecord,
    PolicyDecisionRecord,
)
from interop.web.access import (
    ALL_ROLES,
    SUBMIT,
    KnownMessage,
    allow,
    case_view,
    inbox,
    known_messages,
    visible_cases,
    visible_detainers,
    visible_messages,
)
from interop.web.auth import Caller
from interop.web.deps import SessionDep, SettingsDep, StoreDep
from interop.web.errors import ApiError, error_responses
from interop.web.schemas import (
    DetainerOut,
    MessageIdPath,
    PolicyDecisionOut,
    ResponseOut,
    SubmissionAccepted,
    TcnPath,
    TransactionStatus,
)
from interop.web.uploads import read_transaction

__all__ = ["router", "status_path"]

log = logging.getLogger("interop.web")

router = APIRouter(prefix="/transactions", tags=["transactions"])

Submitter = Annotated[Caller, Depends(allow(SUBMIT))]
Reader = Annotated[Caller, Depends(allow(ALL_ROLES))]

SUBMISSION_STATUS = {
    "too-large": 413,
    "malformed": 400,
    "not-a-submission": 422,
    "wrong-agency": 403,
    "unknown-agency": 422,
    "tcn-prefix": 422,
    "tcn-reused": 409,
}
"""HTTP status of each intake refusal (:class:`SubmissionError` code)."""

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "description": "The ANSI/NIST-ITL CAR transaction (traditional encoding), raw or "
        "as the part named `file` of a multipart upload.",
        "content": {
            "application/octet-stream": _BINARY,
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def status_path(request: Request, tcn: str) -> str:
    """The path of a booking's status (under the app's root path)."""
    return f"{request.scope.get('root_path', '')}/transactions/{quote(tcn, safe='')}"


def _not_found(tcn: str) -> ApiError:
    return ApiError(404, "not-found", f"no transaction {tcn}")


def _case(session: Session, caller: Caller, tcn: str) -> Case:
    case = session.scalars(select(Case).where(Case.tcn == tcn, visible_cases(caller))).one_or_none()
    if case is None:
        raise _not_found(tcn)
    return case


@router.post(
    "",
    status_code=202,
    summary="Submit a booking's CAR",
    description="Accepts a criminal ten-print submission from the calling booking agency: "
    "its 1.008 ORI must be the key's and its 1.009 TCN must begin with that ORI (so that "
    "agencies' TCNs never collide; 422 `tcn-prefix` otherwise). Answers 202 and the status "
    "URL (also in `Location`); the same transaction again is answered 200 with "
    "`duplicate: true` and is not processed again; other bytes under one of the agency's "
    "TCNs, 409 `tcn-reused`.",
    response_model=SubmissionAccepted,
    responses={
        200: {"model": SubmissionAccepted, "description": "A duplicate: received before"},
        **error_responses(400, 401, 403, 409, 413, 415, 422, 429),
    },
    openapi_extra=_SUBMISSION_BODY,
)
async def submit_transaction(
    request: Request,
    response: Response,
    caller: Submitter,
    store: StoreDep,
    settings: SettingsDep,
) -> SubmissionAccepted:
    data = await read_transaction(request, settings.max_submission_bytes)
    try:
        submission = await run_in_threadpool(submit_car, store, data, submitter_ori=caller.ori)
    except SubmissionError as exc:
        log.info("submission refused: %s (key %s)", exc.code, caller.key_id)
        raise ApiError(SUBMISSION_STATUS.get(exc.code, 400), exc.code, str(exc)) from None
    url = status_path(request, submission.tcn)
    response.headers["Location"] = url
    if submission.duplicate:
        response.status_code = 200
    log.info(
        "CAR %s from %s %s",
        submission.tcn,
        submission.ori,
        "duplicate" if submission.duplicate else "accepted",
    )
    return SubmissionAccepted(tcn=submission.tcn, status_url=url, duplicate=submission.duplicate)


@router.get(
    "/{tcn:path}/responses/{message_id}",
    summary="One response's ANSI/NIST transaction",
    description="The raw transaction a message in the caller's inbox carries.",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": _BINARY}, "description": "The bytes"},
        **error_responses(401, 403, 404, 422, 429),
    },
)
def get_response(
    tcn: TcnPath, message_id: MessageIdPath, caller: Reader, session: SessionDep
) -> Response:
    _case(session, caller, tcn)
    row = session.execute(
        select(MessageRecord.id, Evidence.data)
        .join(Evidence, Evidence.sha256 == MessageRecord.evidence_sha256)
        .where(
            MessageRecord.id == message_id,
            MessageRecord.tcn == tcn,
            visible_messages(caller),
        )
    ).one_or_none()
    if row is None:
        raise ApiError(404, "not-found", f"no response {message_id} to transaction {tcn}")
    mid, data = row
    return Response(
        content=data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{mid}.an2"'},
    )


@router.get(
    "/{tcn:path}/responses",
    summary="Responses about a booking in the caller's inbox",
    description="Messages about the booking addressed to the caller (ICE: IAR, DETN and CUST).",
    response_model=list[ResponseOut],
    responses=error_responses(401, 403, 404, 422, 429),
)
def list_responses(tcn: TcnPath, caller: Reader, session: SessionDep) -> list[ResponseOut]:
    _case(session, caller, tcn)
    rows = session.execute(
        select(MessageRecord, Evidence.size)
        .outerjoin(Evidence, Evidence.sha256 == MessageRecord.evidence_sha256)
        .where(MessageRecord.tcn == tcn, visible_messages(caller))
        .order_by(MessageRecord.created_at, MessageRecord.id)
    ).all()
    return [
        ResponseOut(
            id=m.id,
            kind=m.kind,
            sender=m.sender,
            created_at=m.created_at,
            sha256=m.evidence_sha256,
            size=size,
        )
        for m, size in rows
    ]


@router.get(
    "/{tcn:path}",
    summary="A booking's status",
    description="Stage, whether final, times, the policy decisions and the detainer, as "
    "far as the caller may know them: the program office and ICE see the status as "
    "recorded; every other caller sees only what the messages it received or sent tell "
    "it (e.g. an agency whose state no longer gets IARs back sees a classified booking as "
    "`matched`, without the priority level or the detainer decision).",
    response_model=TransactionStatus,
    responses=error_responses(401, 403, 404, 422, 429),
)
def get_transaction(tcn: TcnPath, caller: Reader, session: SessionDep) -> TransactionStatus:
    case = _case(session, caller, tcn)
    box = inbox(caller)
    known = session.execute(
        select(MessageRecord.kind, MessageRecord.created_at, MessageRecord.recipient).where(
            MessageRecord.tcn == tcn, known_messages(caller)
        )
    ).all()
    view = case_view(
        caller,
        case,
        (KnownMessage(kind, created_at, recipient == box) for kind, created_at, recipient in known),
    )
    decisions = [
        d
        for d in session.scalars(
            select(PolicyDecisionRecord)
            .where(PolicyDecisionRecord.tcn == tcn)
            .order_by(PolicyDecisionRecord.decided_at, PolicyDecisionRecord.id)
        )
        if view.shows(d.question)
    ]
    detainer = session.scalars(
        select(DetainerRecord).where(DetainerRecord.tcn == tcn, visible_detainers(caller))
    ).one_or_none()
    return TransactionStatus(
        tcn=case.tcn,
        ori=case.ori,
        state=case.state,
        stage=view.stage,
        final=view.final,
        submitted_at=case.submitted_at,
        last_response_at=view.last_response_at,
        decisions=[
            PolicyDecisionOut(
                question=d.question,
                rule=d.rule,
                allowed=d.allowed,
                reason=d.reason,
                decided_at=d.decided_at,
            )
            for d in decisions
        ],
        detainer=DetainerOut.model_validate(detainer, from_attributes=True) if detainer else None,
    )
