"""``/log``: the transparency log of disclosures, for agencies and outsiders.

Anyone may read the latest signed tree head, the log's public key and a
consistency proof between two sizes (an outside monitor keeps heads and
checks that each new one extends the last). A caller who may see a booking
gets the disclosures about it that it may see, each with an inclusion proof
to the latest head: the receipt format and the check are in
``docs/transparency.md``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from interop.audit import OutOfRangeError, TransparencyLog
from interop.audit.signing import key_id, public_key_pem
from interop.store.models import Case, MessageRecord
from interop.store.transparency import SqlTreeStore, disclosures, latest_head
from interop.web.access import ALL_ROLES, allow, visible_cases, visible_messages
from interop.web.auth import Caller
from interop.web.deps import SessionDep
from interop.web.errors import PUBLIC_OPERATION, ApiError, error_responses
from interop.web.schemas import TcnPath

__all__ = ["router"]

router = APIRouter(prefix="/log", tags=["transparency log"])

Reader = Annotated[Caller, Depends(allow(ALL_ROLES))]


class DisclosureOut(BaseModel):
    """One logged message about a booking."""

    message_id: str
    kind: str = Field(description="CAR, SRE, ERRT, IDR, IAQ, IAR, DETN or CUST.")
    sender: str = Field(description="Sending inbox: role and ORI.")
    recipient: str = Field(description="Receiving inbox: role and ORI.")
    leaf_index: int
    receipt: dict[str, Any] | None = Field(
        description="Entry (hex), inclusion proof and signed tree head; null until a "
        "published head covers the leaf."
    )


class PublicKeyOut(BaseModel):
    """The key that signs the log's heads."""

    public_key_pem: str
    key_id: str = Field(description="SHA-256 of the raw 32-byte key, hex.")


def _public_key(request: Request) -> bytes:
    raw: bytes | None = getattr(request.app.state, "log_public_key", None)
    if raw is None:
        raise ApiError(404, "not-found", "this server was started without the log's public key")
    return raw


@router.get(
    "/head",
    summary="The latest signed tree head",
    description="Size, root, time (ms since the epoch) and Ed25519 signature of the "
    "largest tree the log has published.",
    responses=error_responses(404, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def head(session: SessionDep) -> dict[str, object]:
    sth = latest_head(session)
    if sth is None:
        raise ApiError(404, "not-found", "the log has published no head yet")
    return sth.to_json()


@router.get(
    "/public-key",
    summary="The log's public key",
    response_model=PublicKeyOut,
    responses=error_responses(404, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def public_key(request: Request) -> PublicKeyOut:
    raw = _public_key(request)
    return PublicKeyOut(
        public_key_pem=public_key_pem(raw).decode("ascii"), key_id=key_id(raw).hex()
    )


@router.get(
    "/consistency",
    summary="Proof that a larger tree extends a smaller one",
    description="RFC 9162 consistency proof between two sizes, both at most the latest "
    "published head's.",
    responses=error_responses(404, 422, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def consistency(
    session: SessionDep,
    first: Annotated[int, Query(ge=0, description="The smaller tree size.")],
    second: Annotated[int, Query(ge=0, description="The larger tree size.")],
) -> dict[str, object]:
    sth = latest_head(session)
    if sth is None:
        raise ApiError(404, "not-found", "the log has published no head yet")
    if second > sth.head.size or first > second:
        raise ApiError(
            422,
            "out-of-range",
            f"sizes must satisfy first <= second <= {sth.head.size} (the latest head)",
        )
    try:
        proof = TransparencyLog(SqlTreeStore(session), None).consistency_proof(first, second)
    except OutOfRangeError as exc:  # the tree is never smaller than a published head
        raise ApiError(422, "out-of-range", str(exc)) from None
    return proof.to_json()


@router.get(
    "/disclosures/{tcn:path}",
    summary="A booking's disclosures with inclusion proofs",
    description="The logged messages about a booking that the caller may see, each "
    "with its receipt (entry, inclusion proof, signed head).",
    response_model=list[DisclosureOut],
    responses=error_responses(401, 403, 404, 422, 429),
)
def booking_disclosures(tcn: TcnPath, caller: Reader, session: SessionDep) -> list[DisclosureOut]:
    if (
        session.scalars(select(Case.tcn).where(Case.tcn == tcn, visible_cases(caller))).first()
        is None
    ):
        raise ApiError(404, "not-found", f"no transaction {tcn}")
    allowed = list(
        session.scalars(
            select(MessageRecord.id).where(MessageRecord.tcn == tcn, visible_messages(caller))
        )
    )
    return [
        DisclosureOut(
            message_id=d.message_id,
            kind=d.kind,
            sender=d.sender,
            recipient=d.recipient,
            leaf_index=d.index,
            receipt=d.receipt.to_json() if d.receipt is not None else None,
        )
        for d in disclosures(session, tcn, messages=allowed)
    ]
