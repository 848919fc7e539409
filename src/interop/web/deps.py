"""What routes get by dependency injection: the store, a session, the settings,
the rate limiters. The app factory puts them on ``app.state``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from interop.store.database import Store
from interop.web.ratelimit import TokenBuckets
from interop.web.settings import ApiSettings

__all__ = [
    "ClientLimits",
    "LimitsDep",
    "SessionDep",
    "SettingsDep",
    "StoreDep",
    "get_limits",
    "get_session",
    "get_settings",
    "get_store",
]


@dataclass(frozen=True)
class ClientLimits:
    """The rate limiters: one bucket per API key, one per keyless client address."""

    keys: TokenBuckets
    public: TokenBuckets

    @classmethod
    def of(cls, settings: ApiSettings) -> ClientLimits:
        return cls(
            keys=TokenBuckets(settings.key_rate_per_s, settings.key_burst),
            public=TokenBuckets(settings.public_rate_per_s, settings.public_burst),
        )


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def get_limits(request: Request) -> ClientLimits:
    limits: ClientLimits = request.app.state.limits
    return limits


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
LimitsDep = Annotated[ClientLimits, Depends(get_limits)]


def get_session(store: StoreDep) -> Iterator[Session]:
    """One database transaction for the route: committed when the route returns
    (before the response is sent), rolled back when it raises."""
    with store.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
