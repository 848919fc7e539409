"""The dashboard: the program office's operator view, served by the API's app.

Pages (under ``/dashboard``; ``/`` redirects there):

* the **nation**: jurisdictions activated over time by state, IDENT matches
  and removals by priority level over time, the non-criminal share of
  matches and removals by state, and every state;
* a **state**: its activation timeline, its figures by level, its
  jurisdictions with their activation dates and figures;
* a **jurisdiction**: its monthly figures and its latest bookings, by TCN;
* a **booking's journey**: every message in order (kind, inboxes, times,
  how long each step took), every policy decision (question, rule, outcome,
  reason), the detainer if any, and the transparency log's inclusion proof
  of each disclosure, with how to check it;
* **what-if**: two policies side by side (:mod:`interop.reports.whatif`);
* **downloads**: the monthly statistics as CSV, HTML and PDF.

Charts are drawn by matplotlib on the server as inline SVG, each with an
accessible name, a description and its numbers as a table. Nothing is
fetched from elsewhere and no script runs in the page. Rendered charts and
computed figures are cached by the store's state.

Access (:mod:`interop.web.dashboard.access`): the dashboard is mounted only
when :class:`~interop.web.ApiSettings` ``dashboard`` is ``"local"``, and then
answers loopback clients only (others get 404). It shows identifiers (TCN,
ORI, message ids), hashes, decisions, times and levels: never a name, a date
of birth, an A-number, an FBI number, fingerprints or a transaction's bytes.
"""

from __future__ import annotations

from fastapi import FastAPI

from interop.web.dashboard.access import is_local_request, loopback_host, require_local
from interop.web.dashboard.cache import LruCache
from interop.web.dashboard.common import CACHE_SIZE

__all__ = ["install_dashboard", "is_local_request", "loopback_host", "require_local"]


def install_dashboard(app: FastAPI) -> None:
    """Mount the dashboard's routes on ``app`` (whose settings say who may see them)."""
    from interop.web.dashboard.routes import root_router, router

    app.state.dashboard_cache = LruCache(CACHE_SIZE)
    app.include_router(router)
    app.include_router(root_router)
