"""Typed errors of the policy layer.

::

    PolicyError                    base of everything raised on purpose here
     ├── InvalidFactError          a fact given to a decision is malformed or inconsistent
     │                             (ORI, state code, dates out of order, history entry)
     ├── UnknownOffenceError       an NCIC offence code missing from the offence table
     ├── NaiveDatetimeError        a datetime without a time zone where an instant is needed
     ├── UnknownTimeZoneError      a time-zone name that is not in the IANA database
     ├── UnsupportedYearError      a year outside the federal-holiday calendar's range
     └── PolicyConfigError         a policy configuration (or its JSON form) is invalid

All of them are also :class:`ValueError` (:class:`UnknownOffenceError` also
:class:`LookupError`), so a caller validating input may catch either family.
Messages name the offending value and never carry a person's data beyond
offence codes and dates.
"""

from __future__ import annotations

__all__ = [
    "InvalidFactError",
    "NaiveDatetimeError",
    "PolicyConfigError",
    "PolicyError",
    "UnknownOffenceError",
    "UnknownTimeZoneError",
    "UnsupportedYearError",
]


class PolicyError(ValueError):
    """Base class of all errors raised deliberately by :mod:`interop.policy`."""


class InvalidFactError(PolicyError):
    """A fact given to a decision is malformed or inconsistent with the others."""


class UnknownOffenceError(PolicyError, LookupError):
    """An NCIC offence code is not in :data:`interop.policy.offences.OFFENCES`.

    Parameters
    ----------
    code : str
        The unknown code.
    """

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"NCIC offence code {code!r} is not in the offence table")


class NaiveDatetimeError(PolicyError):
    """A :class:`datetime.datetime` without a time zone was given where an instant is needed."""


class UnknownTimeZoneError(PolicyError):
    """A time-zone name is not a valid IANA name known to :mod:`zoneinfo`."""


class UnsupportedYearError(PolicyError):
    """A year outside the range the federal-holiday calendar is exact for."""


class PolicyConfigError(PolicyError):
    """A policy configuration, or its JSON-ready form, is invalid."""
