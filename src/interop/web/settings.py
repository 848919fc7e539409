"""What an operator can tune about the API: body sizes, rate limits, and the
smallest count the public statistics publish."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interop.agencies.intake import MAX_SUBMISSION_BYTES

__all__ = ["ApiSettings"]


class ApiSettings(BaseModel):
    """Limits of the HTTP API.

    Attributes
    ----------
    max_submission_bytes : int
        Largest body of ``POST /transactions`` (at most intake's
        ``MAX_SUBMISSION_BYTES``).
    max_json_bytes : int
        Largest body of every other request (JSON documents).
    key_rate_per_s, key_burst : float, int
        Token bucket of each API key: sustained requests per second and burst.
    public_rate_per_s, public_burst : float, int
        Token bucket of each client address without a key (failed
        authentication attempts count here too).
    statistics_min_count : int
        The smallest outcome count ``/statistics`` publishes; smaller ones are
        withheld (:mod:`interop.web.suppression`). 1 publishes everything.
    dashboard : {"off", "local"}
        The operator's dashboard (:mod:`interop.web.dashboard`): not mounted
        (``off``, the default), or served to loopback clients only
        (``local``; any other client gets 404). It shows every booking's
        journey, so it is never public.

    Notes
    -----
    The rate limits are **per process**: each process serving the API keeps
    its own buckets in memory (:mod:`interop.web.ratelimit`), so N processes
    behind a load balancer allow N times the rates above, and a restart
    refills every bucket. Where that matters, enforce a shared limit in the
    reverse proxy or divide the rates by the number of processes. Public
    callers are told apart by the connection's address: behind a proxy that
    is the proxy's, shared by every public caller, unless the server is run
    with the proxy's forwarded address trusted (uvicorn ``--proxy-headers``
    with ``--forwarded-allow-ips``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_submission_bytes: int = Field(default=MAX_SUBMISSION_BYTES, gt=0, le=MAX_SUBMISSION_BYTES)
    max_json_bytes: int = Field(default=64 * 1024, gt=0)
    key_rate_per_s: float = Field(default=20.0, gt=0)
    key_burst: int = Field(default=100, ge=1)
    public_rate_per_s: float = Field(default=2.0, gt=0)
    public_burst: int = Field(default=30, ge=1)
    statistics_min_count: int = Field(default=10, ge=1)
    dashboard: Literal["off", "local"] = "off"
