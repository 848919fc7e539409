"""Reading a submitted transaction from a request body, within a size limit.

The body is either the ANSI/NIST file itself (``application/octet-stream``)
or a ``multipart/form-data`` upload with one file part. The declared
``Content-Length`` is checked before anything is read, and the bytes are
counted as they stream in, so a client that declares nothing (chunked
transfer) or too little is cut off at the limit too.
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Mapping

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interop.web.errors import ApiError, ErrorBody

__all__ = ["MULTIPART_OVERHEAD", "BodyLimit", "read_limited", "read_transaction"]

MULTIPART_OVERHEAD = 16 * 1024
"""Bytes allowed for a multipart body's boundaries and part headers."""

RAW_TYPES = frozenset({"application/octet-stream"})


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too-large", f"the body is larger than {limit:,} bytes")


class BodyLimit:
    """ASGI middleware: every request body at most ``default`` bytes, or the
    limit ``routes`` gives its ``(method, path)``.

    A declared ``Content-Length`` over the limit is answered 413 at once,
    without reading the body or running the route; a body that grows past
    the limit while it streams in raises a 413 :class:`ApiError` in the
    route that reads it.
    """

    def __init__(
        self, app: ASGIApp, *, default: int, routes: Mapping[tuple[str, str], int]
    ) -> None:
        self.app = app
        self.default = default
        self.routes = dict(routes)

    def limit(self, scope: Scope) -> int:
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return self.routes.get((scope["method"], path), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            error = _too_large(limit)
            body = ErrorBody(error=error.code, detail=error.detail).model_dump_json().encode()
            headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 413, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, limited, send)


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing one over ``limit`` bytes (413) before and
    while reading it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise ApiError(400, "bad-request", "Content-Length is not a number") from None
        if length > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _file_part(content_type: str, body: bytes) -> bytes:
    """The file in a ``multipart/form-data`` body: the part named ``file``, else
    the only part with a file name."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart() or message.defects:
        raise ApiError(400, "malformed", "the multipart body cannot be read")
    parts = list(message.iter_parts())
    named = [p for p in parts if p.get_param("name", header="content-disposition") == "file"]
    files = named or [p for p in parts if p.get_filename()]
    if len(files) != 1:
        raise ApiError(400, "malformed", "the multipart body must have one file part named 'file'")
    payload = files[0].get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise ApiError(400, "malformed", "the file part cannot be read")
    return payload


async def read_transaction(request: Request, limit: int) -> bytes:
    """The submitted transaction's bytes (at most ``limit``).

    Raises
    ------
    ApiError
        413 over the limit, 415 for another content type, 400 for an
        unreadable multipart body.
    """
    content_type = request.headers.get("content-type", "application/octet-stream")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        body = await read_limited(request, limit + MULTIPART_OVERHEAD)
        data = _file_part(content_type, body)
        if len(data) > limit:
            raise _too_large(limit)
        return data
    if media_type not in RAW_TYPES:
        raise ApiError(
            415,
            "unsupported-media-type",
            f"send the transaction as application/octet-stream or multipart/form-data, "
            f"not {media_type}",
        )
    return await read_limited(request, limit)
