"""Authentication: API keys bound to an ORI and a role.

A key is ``<key_id>.<secret>``: ``key_id`` is 12 URL-safe characters (it
names the key in the ``credentials`` table, in logs and for revocation),
``secret`` 32 random bytes (43 URL-safe characters). The full key is shown
once, when it is issued; the store keeps only a hash of the secret.

Why SHA-256 and not a slow password hash (scrypt, Argon2): a slow hash makes
guessing *low-entropy* passwords from a stolen table expensive. Our secrets
are 256 random bits from :mod:`secrets`: guessing one is infeasible whatever
the hash, and a preimage of SHA-256 is too, while scrypt would cost tens of
milliseconds and megabytes of memory on *every request* (an easy lever for
denial of service). The hash is domain-separated and binds the key id, so a
hash copied onto another row does not verify; it is stored as
``sha256$<hex>`` so that the scheme can change later. Hashes are compared in
constant time (:func:`hmac.compare_digest`), also for unknown key ids.

A request without an ``Authorization`` header is *public*; a header that is
not ``Bearer <key>``, or a key that is malformed, unknown, wrong or revoked,
is answered 401 (never silently treated as public). Identifying the caller
also meters it: one token from the key's bucket, or from the client
address's bucket for public callers and failed attempts (429 when empty).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from interop.bus.queue import utcnow
from interop.store.models import Credential, Jurisdiction, StateBureau
from interop.web.deps import LimitsDep, StoreDep
from interop.web.errors import ApiError
from interop.web.ratelimit import TokenBuckets

__all__ = [
    "PUBLIC",
    "Caller",
    "CallerDep",
    "Role",
    "authenticate",
    "current_caller",
    "hash_secret",
    "issue_key",
    "parse_key",
    "revoke_key",
]

log = logging.getLogger("interop.web")

KEY_ID_BYTES = 9  # 12 URL-safe characters
SECRET_BYTES = 32  # 43 URL-safe characters
_KEY = re.compile(r"(?P<key_id>[A-Za-z0-9_-]{12,16})\.(?P<secret>[A-Za-z0-9_-]{43,128})")
_ORI = re.compile(r"[A-Za-z0-9]{2,16}")
_HASH_DOMAIN = b"interop-api-key/v1\x00"
_SCHEME = "sha256$"


class Role(StrEnum):
    """What a key's holder is.

    ``agency``: a booking agency (its ORI); ``bureau``: a State
    Identification Bureau (its ORI); ``ice``: LESC or an ICE field office;
    ``program``: the program office's administrators; ``fbi``: the FBI's
    criminal AFIS; ``ident``: DHS's immigration AFIS.
    """

    AGENCY = "agency"
    BUREAU = "bureau"
    ICE = "ice"
    PROGRAM = "program"
    FBI = "fbi"
    IDENT = "ident"


@dataclass(frozen=True)
class Caller:
    """Who is calling.

    Attributes
    ----------
    role : Role or None
        ``None``: the public (no key).
    ori : str or None
        The key's ORI (an agency's, a bureau's, a field office's code).
    state : str or None
        For an agency, its jurisdiction's state; for a bureau, the state it
        serves (``None`` when the ORI is not a known bureau: it then sees no
        state's data).
    key_id : str or None
    """

    role: Role | None
    ori: str | None = None
    state: str | None = None
    key_id: str | None = None

    @property
    def is_public(self) -> bool:
        return self.role is None


PUBLIC = Caller(role=None)


def hash_secret(key_id: str, secret: str) -> str:
    """The stored form of a key's secret: ``sha256$<hex>``, bound to ``key_id``."""
    digest = hashlib.sha256(_HASH_DOMAIN + key_id.encode() + b"\x00" + secret.encode())
    return _SCHEME + digest.hexdigest()


_UNKNOWN_KEY_HASH = hash_secret("unknown-key-id", "x" * 43)


def parse_key(key: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed key, else ``None``."""
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    return match["key_id"], match["secret"]


def issue_key(session: Session, ori: str, role: Role | str, *, now: datetime | None = None) -> str:
    """Issue an API key for ``ori`` in ``role``; returns the full key (shown once).

    Raises
    ------
    ValueError
        If ``role`` is not a :class:`Role` or ``ori`` is not 2-16 letters and digits.
    """
    role = Role(role)
    if not _ORI.fullmatch(ori):
        raise ValueError(f"ORI {ori!r} must be 2-16 letters and digits")
    while True:
        key_id = secrets.token_urlsafe(KEY_ID_BYTES)
        if session.get(Credential, key_id) is None:
            break
    secret = secrets.token_urlsafe(SECRET_BYTES)
    session.add(
        Credential(
            key_id=key_id,
            secret_hash=hash_secret(key_id, secret),
            ori=ori,
            role=role.value,
            created_at=now or utcnow(),
            revoked_at=None,
        )
    )
    session.flush()
    return f"{key_id}.{secret}"


def revoke_key(session: Session, key_id: str, *, now: datetime | None = None) -> bool:
    """Revoke the key ``key_id``; ``False`` if it was revoked already.

    Raises
    ------
    KeyError
        If there is no such key.
    """
    credential = session.get(Credential, key_id)
    if credential is None:
        raise KeyError(key_id)
    if credential.revoked_at is not None:
        return False
    credential.revoked_at = now or utcnow()
    session.flush()
    return True


def _state_of(session: Session, role: Role, ori: str) -> str | None:
    if role is Role.AGENCY:
        jurisdiction = session.get(Jurisdiction, ori)
        return jurisdiction.state if jurisdiction is not None else None
    if role is Role.BUREAU:
        bureau = session.get(StateBureau, ori)
        return bureau.state if bureau is not None else None
    return None


def authenticate(session: Session, key: str) -> Caller | None:
    """The caller a key identifies; ``None`` if the key is malformed, unknown,
    wrong or revoked. Takes the same time for an unknown key id as for a wrong
    secret."""
    parsed = parse_key(key)
    key_id, secret = parsed if parsed is not None else ("", "")
    credential = session.get(Credential, key_id) if parsed is not None else None
    expected = credential.secret_hash if credential is not None else _UNKNOWN_KEY_HASH
    matches = hmac.compare_digest(expected.encode(), hash_secret(key_id, secret).encode())
    if credential is None or not matches or credential.revoked_at is not None:
        return None
    try:
        role = Role(credential.role)
    except ValueError:
        return None
    return Caller(
        role=role,
        ori=credential.ori,
        state=_state_of(session, role, credential.ori),
        key_id=credential.key_id,
    )


def _meter(buckets: TokenBuckets, client: str) -> None:
    wait = buckets.take(client)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "rate-limited",
            f"too many requests; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def _unauthenticated(detail: str) -> ApiError:
    return ApiError(
        401,
        "unauthenticated",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="interop", error="invalid_token"'},
    )


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key `<key_id>.<secret>` as a bearer token. Without one "
    "the caller is the public.",
)


def current_caller(
    request: Request,
    store: StoreDep,
    limits: LimitsDep,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)] = None,
) -> Caller:
    """The caller of the request (the public without a key), metered.

    Raises
    ------
    ApiError
        401 for a bad key, 429 when the caller's bucket is empty.
    """
    address = request.client.host if request.client is not None else "unknown"
    headers = request.headers.getlist("authorization")
    if not headers:
        _meter(limits.public, f"ip:{address}")
        return PUBLIC
    scheme, _, token = headers[0].partition(" ")
    caller = None
    if len(headers) == 1 and scheme.lower() == "bearer" and token.strip():
        with store.session() as session:
            caller = authenticate(session, token.strip())
    if caller is None:
        _meter(limits.public, f"ip:{address}")
        log.info("rejected API key on %s %s", request.method, request.url.path)
        raise _unauthenticated("the API key is malformed, unknown or revoked")
    assert caller.key_id is not None
    request.scope["interop.key_id"] = caller.key_id
    _meter(limits.keys, f"key:{caller.key_id}")
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
