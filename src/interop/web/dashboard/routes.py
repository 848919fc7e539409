"""The dashboard's routes, under ``/dashboard`` (and ``/`` redirecting there).

Every route depends on :func:`~interop.web.dashboard.access.require_local`:
a request that is not local is answered 404, as an unknown path. Path and
query parameters are bounded (patterns and lengths: 422 otherwise); an
unknown state, jurisdiction or TCN is a 404 page. The routes are left out
of the OpenAPI document: they are pages, not the API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from interop.reports.monthly import Scope
from interop.reports.output import to_csv, to_html
from interop.store.database import Store
from interop.web.dashboard import pages, queries
from interop.web.dashboard.access import require_local
from interop.web.dashboard.common import (
    MonthParam,
    OriParam,
    StateParam,
    TcnParam,
    month_end,
    view,
)
from interop.web.dashboard.html import el, link
from interop.web.dashboard.journey import booking_page, proofs_page
from interop.web.dashboard.layout import base, page
from interop.web.dashboard.styles import CSS
from interop.web.dashboard.whatif import (
    DEFAULT_COMPARISON,
    DEFAULT_STATE,
    WhatIfUnavailableError,
    known_policies,
    whatif_page,
)

__all__ = ["root_router", "router"]

router = APIRouter(
    prefix="/dashboard", dependencies=[Depends(require_local)], include_in_schema=False
)
root_router = APIRouter(dependencies=[Depends(require_local)], include_in_schema=False)

PolicyParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9-]*(\+[a-z0-9-]+)?$",
        description="A policy preset, optionally + a detainer policy",
    ),
]
SinceParam = Annotated[
    str | None,
    Query(
        max_length=7,
        pattern=r"^((19|20)\d\d-(0[1-9]|1[0-2]))?$",
        description="First month of bookings (YYYY-MM)",
    ),
]
StateQuery = Annotated[
    str | None, Query(max_length=2, pattern=r"^([A-Z]{2})?$", description="A state, or all")
]


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _crumbs(request: Request, *more: tuple[str, str]) -> list[tuple[str, str]]:
    return [("National overview", f"{base(request)}/"), *more]


def _not_found(request: Request, what: str) -> HTMLResponse:
    return page(
        request,
        "Not found",
        [
            el("p", f"There is no {what}."),
            el("p", link("Back to the national overview", f"{base(request)}/")),
        ],
        crumbs=_crumbs(request),
        status_code=404,
    )


@root_router.get("/")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{base(request)}/", status_code=307)


@router.get("/static/dashboard.css")
def stylesheet() -> Response:
    return Response(
        CSS,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.get("")
@router.get("/")
def national(request: Request, through: MonthParam = None) -> HTMLResponse:
    with _store(request).session() as session:
        body = pages.national_page(view(request, session, through), base(request))
    return page(request, "National overview", body)


@router.get("/states/{state}")
def state(request: Request, state: StateParam, through: MonthParam = None) -> HTMLResponse:
    with _store(request).session() as session:
        name = queries.state_name(session, state)
        if name is None:
            return _not_found(request, f"state {state}")
        body = pages.state_page(view(request, session, through), base(request), state, name)
    return page(request, f"{name} ({state})", body, crumbs=_crumbs(request))


@router.get("/jurisdictions/{ori}")
def jurisdiction(request: Request, ori: OriParam, through: MonthParam = None) -> HTMLResponse:
    root = base(request)
    with _store(request).session() as session:
        place = queries.jurisdiction(session, ori)
        if place is None:
            return _not_found(request, f"jurisdiction {ori}")
        name = queries.state_name(session, place.state) or place.state
        body = pages.jurisdiction_page(view(request, session, through), root, place)
    crumbs = _crumbs(request, (f"{name} ({place.state})", f"{root}/states/{place.state}"))
    return page(request, f"{place.name} ({place.ori})", body, crumbs=crumbs)


@router.get("/bookings/{tcn:path}")
def booking(request: Request, tcn: TcnParam) -> HTMLResponse:
    root = base(request)
    with _store(request).session() as session:
        journey = queries.journey(session, tcn)
        if journey is None:
            return _not_found(request, "booking with this TCN")
        place = queries.jurisdiction(session, journey.ori)
        state_name = queries.state_name(session, journey.state)
        public_key = getattr(request.app.state, "log_public_key", None)
        body = booking_page(
            journey,
            root,
            public_key,
            place_name=place.name if place else None,
            state_name=f"{state_name} ({journey.state})" if state_name else None,
        )
    crumbs = _crumbs(
        request,
        (journey.state, f"{root}/states/{journey.state}"),
        (place.name if place else journey.ori, f"{root}/jurisdictions/{journey.ori}"),
    )
    return page(request, f"Booking {tcn}", body, crumbs=crumbs)


@router.get("/receipts/{tcn:path}")
def receipts(request: Request, tcn: TcnParam) -> JSONResponse:
    with _store(request).session() as session:
        journey = queries.journey(session, tcn)
        if journey is None:
            return JSONResponse({"error": "not-found", "detail": "no such booking"}, 404)
        body = [
            {
                "message_id": d.message_id,
                "kind": d.kind,
                "sender": d.sender,
                "recipient": d.recipient,
                "leaf_index": d.index,
                "receipt": d.receipt.to_json() if d.receipt is not None else None,
            }
            for d in journey.disclosures
        ]
    return JSONResponse(
        body,
        headers={"Content-Disposition": 'attachment; filename="receipts.json"'},
    )


@router.get("/proofs")
def proofs(request: Request) -> HTMLResponse:
    return page(
        request,
        "Checking a transparency-log proof",
        proofs_page(base(request)),
        crumbs=_crumbs(request),
    )


@router.get("/what-if")
def what_if(
    request: Request,
    a: PolicyParam = DEFAULT_COMPARISON[0],
    b: PolicyParam = DEFAULT_COMPARISON[1],
    state: StateQuery = DEFAULT_STATE,
    since: SinceParam = None,
    through: SinceParam = None,
) -> HTMLResponse:
    title = "Policy what-if"
    policies = known_policies()
    unknown = [p for p in (a, b) if p not in policies]
    if unknown:
        known = ", ".join(policies)
        return page(
            request,
            title,
            [el("p", f"Unknown policy {unknown[0]}: choose one of {known}.")],
            crumbs=_crumbs(request),
            status_code=422,
        )
    chosen = state or None
    with _store(request).session() as session:
        codes = [s.code for s in queries.states(session)]
        if chosen is not None and chosen not in codes:
            return _not_found(request, f"state {chosen}")
        try:
            body = whatif_page(
                view(request, session),
                base(request),
                a,
                b,
                chosen,
                codes,
                since=month_end(since).replace(day=1) if since else None,
                through=month_end(through) if through else None,
            )
        except WhatIfUnavailableError:
            body = [
                el(
                    "p",
                    "The policy comparison (interop.reports.whatif) is not part of this build yet.",
                )
            ]
    return page(request, title, body, crumbs=_crumbs(request))


@router.get("/downloads/monthly.{fmt}")
def download(
    request: Request,
    fmt: Annotated[Literal["csv", "html", "pdf"], Path(description="csv, html or pdf")],
    scope: Annotated[Scope, Query(description="national, state or jurisdiction rows")] = (
        Scope.NATIONAL
    ),
    through: MonthParam = None,
) -> Response:
    with _store(request).session() as session:
        v = view(request, session, through)
        rows = v.statistics(scope)
    last = v.through.isoformat() if v.through is not None else "none"
    title = f"IDENT/IAFIS Interoperability Statistics through {last}"
    if fmt == "pdf":
        from interop.reports.pdf import to_pdf

        data = v.cached(("pdf", scope.value, v.through), lambda: to_pdf(rows, title))
    elif fmt == "html":
        data = to_html(rows, title).encode("utf-8")
    else:
        data = to_csv(rows).encode("utf-8")
    media_type, _ = pages.REPORT_FORMATS[fmt]
    name = f"interop-statistics-{scope.value}-{last}.{fmt}"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
