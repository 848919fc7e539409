"""Who may see the dashboard: in ``local`` mode, the machine's own users only.

The dashboard is the program office's operator view: it shows every
booking's journey, so it is never public. :class:`~interop.web.ApiSettings`
``dashboard`` is ``"off"`` (the routes are not mounted) or ``"local"``:
served to loopback clients only. A request is local when

* the connection comes from a loopback address (``127.0.0.0/8``, ``::1``;
  Starlette's test client calls itself ``testclient``);
* it carries no ``Forwarded`` or ``X-Forwarded-For`` header: a reverse
  proxy on the same host connects from loopback too, and would otherwise
  publish the dashboard to whoever reaches the proxy;
* its ``Host`` names the loopback (``localhost``, a loopback address), so
  that a web page on another site cannot read the dashboard through a
  rebound DNS name (DNS rebinding).

Any other request is answered exactly as a path that does not exist (404),
so the dashboard's existence is not revealed.
"""

from __future__ import annotations

import ipaddress

from fastapi import Request
from starlette.exceptions import HTTPException

__all__ = ["is_local_request", "loopback_host", "require_local"]

TEST_CLIENT = "testclient"
"""The client host Starlette's ``TestClient`` reports (its ``Host`` is ``testserver``)."""


def loopback_host(host: str | None) -> bool:
    """Whether ``host`` (an address or name, without a port) is the loopback.

    >>> [loopback_host(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "10.0.0.1")]
    [True, True, True, False, False]
    """
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:8000`` -> ``::1``)."""
    header = header.strip()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def is_local_request(request: Request) -> bool:
    """Whether ``request`` may see a ``local`` dashboard (module docstring)."""
    settings = getattr(request.app.state, "settings", None)
    if getattr(settings, "dashboard", "off") != "local":
        return False
    client = request.client.host if request.client is not None else None
    if "forwarded" in request.headers or "x-forwarded-for" in request.headers:
        return False
    host = _host_name(request.headers.get("host", ""))
    if client == TEST_CLIENT:
        return host == "testserver" or loopback_host(host)
    return loopback_host(client) and loopback_host(host)


def require_local(request: Request) -> None:
    """Route dependency: 404 (as for an unknown path) unless the request is local."""
    if not is_local_request(request):
        raise HTTPException(404)
