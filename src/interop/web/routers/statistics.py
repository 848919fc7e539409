"""``/statistics``: aggregate counts of bookings, for anyone (no personal data)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from interop.store.models import Case
from interop.web.deps import SessionDep
from interop.web.errors import PUBLIC_OPERATION, error_responses
from interop.web.schemas import Statistics

__all__ = ["router"]

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get(
    "",
    summary="Aggregate booking counts",
    description="Bookings submitted, final, by stage and by state. Counts only.",
    response_model=Statistics,
    responses=error_responses(401, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def statistics(session: SessionDep) -> Statistics:
    total, final = session.execute(
        select(func.count(), func.count().filter(Case.final.is_(True))).select_from(Case)
    ).one()
    by_stage = session.execute(select(Case.stage, func.count()).group_by(Case.stage)).all()
    by_state = session.execute(select(Case.state, func.count()).group_by(Case.state)).all()
    return Statistics(
        cases_submitted=int(total),
        cases_final=int(final),
        by_stage={stage: int(n) for stage, n in sorted(by_stage)},
        by_state={state: int(n) for state, n in sorted(by_state)},
    )
