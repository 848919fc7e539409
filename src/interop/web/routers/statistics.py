"""``/statistics``: aggregate counts of bookings, for anyone (no personal data).

Submissions are published as counted (in total and by state: arrests, as
ICE published them by jurisdiction). Outcomes (bookings by stage) are
published with small counts withheld (:mod:`interop.web.suppression`,
threshold :attr:`ApiSettings.statistics_min_count`), and the number of final
bookings is withheld along with them, since it and the total would let a
withheld stage count be worked out.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from interop.store.models import Case
from interop.web.deps import SessionDep, SettingsDep
from interop.web.errors import PUBLIC_OPERATION, error_responses
from interop.web.schemas import Statistics
from interop.web.suppression import suppress_small_counts

__all__ = ["router"]

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get(
    "",
    summary="Aggregate booking counts",
    description="Bookings submitted (in total and by state), final, and by stage. Counts "
    "only; stage counts below `min_count` are withheld (null), with as many others as "
    "it takes that none can be worked out from the total.",
    response_model=Statistics,
    responses=error_responses(401, 429),
    openapi_extra=PUBLIC_OPERATION,
)
def statistics(session: SessionDep, settings: SettingsDep) -> Statistics:
    total, final = session.execute(
        select(func.count(), func.count().filter(Case.final.is_(True))).select_from(Case)
    ).one()
    by_stage = session.execute(select(Case.stage, func.count()).group_by(Case.stage)).all()
    by_state = session.execute(select(Case.state, func.count()).group_by(Case.state)).all()
    stages = suppress_small_counts(
        {stage: int(n) for stage, n in sorted(by_stage)}, settings.statistics_min_count
    )
    complete = stages is not None and None not in stages.values()
    return Statistics(
        cases_submitted=int(total),
        cases_final=int(final) if complete else None,
        by_stage=stages,
        by_state={state: int(n) for state, n in sorted(by_state)},
        min_count=settings.statistics_min_count,
    )
