"""Errors as the API answers them: ``{"error": code, "detail": message}``.

Every error response has the same shape (:class:`ErrorBody`): a stable
machine-readable ``error`` code and a human-readable ``detail``; request
validation errors add ``fields``. Request bodies are never echoed back
(they may hold personal data).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "PUBLIC_OPERATION",
    "ApiError",
    "ErrorBody",
    "FieldError",
    "error_responses",
    "install_error_handlers",
]

log = logging.getLogger("interop.web")

STATUS_CODES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}

DESCRIPTIONS = {
    400: "The request cannot be read (e.g. a malformed transaction)",
    401: "An API key is required, or the key given is unknown, malformed or revoked",
    403: "The caller's role may not do this",
    404: "No such resource, or not the caller's to see",
    409: "Conflicts with the current state (e.g. a TCN received before with other contents)",
    413: "The request body is larger than allowed",
    415: "Unsupported content type",
    422: "The request is well-formed but not acceptable (field errors are listed)",
    429: "Too many requests; retry after the number of seconds in Retry-After",
    503: "The store is unavailable",
}


class FieldError(BaseModel):
    """One invalid field of a request."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """An error: a stable code, a message, and for invalid requests the fields at fault."""

    error: str
    detail: str
    fields: list[FieldError] | None = None


class ApiError(StarletteHTTPException):
    """An HTTP error with the API's error code.

    Parameters
    ----------
    status_code : int
    code : str
        Stable error code (``not-found``, ``tcn-reused``, ...).
    detail : str
    headers : dict, optional
    """

    def __init__(
        self, status_code: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.code = code


PUBLIC_OPERATION: dict[str, Any] = {"security": [{}]}
"""``openapi_extra`` of a route the public may call: the key is optional."""


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry of the errors a route may answer."""
    return {
        code: {"model": ErrorBody, "description": DESCRIPTIONS.get(code, STATUS_CODES[code])}
        for code in status_codes
    }


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = getattr(exc, "code", None) or STATUS_CODES.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else code
    body = ErrorBody(error=code, detail=detail)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=exc.status_code, headers=exc.headers
    )


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        FieldError(
            loc=[p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            msg=str(e.get("msg", "")),
            type=str(e.get("type", "")),
        )
        for e in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(str(p) for p in f.loc)}: {f.msg}" for f in fields)
    body = ErrorBody(error="invalid-request", detail=detail or "invalid request", fields=fields)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=422)


def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path
    )  # no message: it may quote data
    body = ErrorBody(error="internal-error", detail="internal error")
    return JSONResponse(body.model_dump(exclude_none=True), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error with an :class:`ErrorBody`."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)
