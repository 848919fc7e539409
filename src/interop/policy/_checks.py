"""Shared checks of the facts given to policy decisions."""

from __future__ import annotations

from datetime import date, datetime

from interop.policy.errors import InvalidFactError


def check_date(value: object, name: str, *, optional: bool = True) -> None:
    """Raise :class:`InvalidFactError` unless ``value`` is a date (not a datetime), or None."""
    if value is None and optional:
        return
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidFactError(f"{name} must be a date (not a datetime), got {value!r}")
