"""The HTTP API (FastAPI): routers per resource, Pydantic schemas at the edge.

:func:`create_app` builds the app over a :class:`~interop.store.Store`;
:func:`issue_key` and :func:`revoke_key` manage the API keys it accepts.
Authorization rules live in :mod:`interop.web.access`.
"""

from interop.web.app import create_app
from interop.web.auth import Caller, Role, issue_key, revoke_key
from interop.web.settings import ApiSettings

__all__ = ["ApiSettings", "Caller", "Role", "create_app", "issue_key", "revoke_key"]
