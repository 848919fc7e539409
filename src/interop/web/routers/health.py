"""``/health``: is the API up and its store reachable (not rate limited, no key)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from interop.web.deps import StoreDep
from interop.web.schemas import Health

__all__ = ["router"]

log = logging.getLogger("interop.web")

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Health check",
    response_model=Health,
    responses={503: {"model": Health, "description": "The store is unreachable"}},
)
def health(store: StoreDep) -> Health | JSONResponse:
    try:
        with store.session() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: store unreachable (%s)", type(exc).__name__)
        return JSONResponse(Health(status="unavailable").model_dump(), status_code=503)
    return Health(status="ok")
