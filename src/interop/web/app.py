"""The app factory: :func:`create_app` builds the HTTP API over a store."""

from __future__ import annotations

import logging
import time

from fastapi import Depends, FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interop.store.database import Store
from interop.web.auth import current_caller
from interop.web.deps import ClientLimits
from interop.web.errors import install_error_handlers
from interop.web.routers import (
    agreements,
    detainers,
    disclosures,
    health,
    jurisdictions,
    opt_outs,
    statistics,
    transactions,
)
from interop.web.settings import ApiSettings
from interop.web.uploads import MULTIPART_OVERHEAD, BodyLimit

__all__ = ["create_app"]

log = logging.getLogger("interop.web")

DESCRIPTION = """\
The Secure Communities interoperability API: booking agencies submit
criminal ten-print submissions (ANSI/NIST CAR transactions) and follow
them; state bureaus, ICE, the FBI and IDENT read what was addressed to
them; the program office administers jurisdictions, MOAs and opt-outs; the
public reads aggregate statistics.

**Authentication**: `Authorization: Bearer <key_id>.<secret>` (an API key
bound to an ORI and a role). No key: the public. **Authorization**: a
resource that exists but is not the caller's is answered 404; an endpoint
the caller's role may not use, 403. A booking's status shows each caller
only what the messages addressed to it tell (an agency whose state no
longer gets immigration responses back learns nothing of them). The public
sees aggregate statistics with small counts withheld. **Errors**:
`{"error": code, "detail": message}`. **Limits**: per-key (or per-address)
rate limits (429 with `Retry-After`), request body sizes (413) and path
parameter lengths (422). The rate limits are kept in each serving
process's memory: N processes allow N times the rate.
"""

TAGS = [
    {"name": "transactions", "description": "Submitting bookings (CAR) and following them"},
    {"name": "jurisdictions", "description": "Jurisdictions and their activation"},
    {"name": "agreements", "description": "Memoranda of agreement between ICE and states"},
    {"name": "opt-out requests", "description": "Requests not to take part"},
    {"name": "detainers", "description": "I-247 detainers"},
    {"name": "statistics", "description": "Aggregate counts (public)"},
    {
        "name": "transparency log",
        "description": "Signed tree heads, consistency proofs, and a booking's "
        "disclosures with inclusion proofs",
    },
    {"name": "health", "description": "Liveness of the API and its store"},
]


class AccessLog:
    """One log line per request: method, path, status, time, key id. Never a
    body or a query string (they may hold personal data). Responses are
    marked ``Cache-Control: no-store`` unless a route says otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_marked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        try:
            await self.app(scope, receive, send_marked)
        finally:
            log.info(
                "%s %s %d %.1f ms key=%s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                scope.get("interop.key_id", "-"),
            )


def create_app(
    store: Store, *, settings: ApiSettings | None = None, log_public_key: bytes | None = None
) -> FastAPI:
    """The HTTP API over ``store``.

    Parameters
    ----------
    store : Store
        An open, migrated store; routes get it (and sessions on it) by
        dependency injection.
    settings : ApiSettings, optional
        Body size and rate limits, and whether the dashboard is served
        (defaults: :class:`ApiSettings`, dashboard off).
    log_public_key : bytes, optional
        The transparency log's raw Ed25519 public key, served at
        ``/log/public-key`` (without it that route answers 404).

    Returns
    -------
    FastAPI
        Serve it with uvicorn (``uvicorn.run(create_app(store))``).
    """
    settings = settings or ApiSettings()
    app = FastAPI(
        title="Secure Communities interoperability API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.log_public_key = log_public_key
    app.state.limits = ClientLimits.of(settings)
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit,
        default=settings.max_json_bytes,
        routes={("POST", "/transactions"): settings.max_submission_bytes + MULTIPART_OVERHEAD},
    )
    app.add_middleware(AccessLog)
    metered = [Depends(current_caller)]
    for router in (
        transactions.router,
        jurisdictions.router,
        agreements.router,
        opt_outs.router,
        detainers.router,
        statistics.router,
        disclosures.router,
    ):
        app.include_router(router, dependencies=metered)
    app.include_router(health.router)
    if settings.dashboard != "off":
        from interop.web.dashboard import install_dashboard

        install_dashboard(app)
    return app
