"""Typed errors of the transparency log.

Every error is a :class:`ValueError` through :class:`AuditError`, so a
caller that only cares that the input was bad can catch that.
"""

from __future__ import annotations


class AuditError(ValueError):
    """Base of every error raised by :mod:`interop.audit`."""


class ProofError(AuditError):
    """A proof does not verify, or is malformed (hash lengths, path length)."""


class OutOfRangeError(AuditError):
    """An index or tree size outside the log (``index >= size``, ``size > log size``)."""


class SignatureError(AuditError):
    """A signed tree head whose signature or key id does not verify."""


class EntryError(AuditError):
    """A log entry that is not canonical, or not the entry the log holds at an index."""


class FormatError(AuditError):
    """A serialised head, proof or key (JSON, bytes, PEM) that cannot be read."""


class StoreError(AuditError):
    """A tree store that is inconsistent: a missing node, an append at the wrong index."""
