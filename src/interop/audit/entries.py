"""Canonical bytes of a log entry: one flat JSON object, one encoding.

A disclosure's entry is hashed as bytes, so two writers (or a writer and an
auditor years later) must turn the same facts into the same bytes.
:func:`canonical_entry` allows exactly one encoding:

- a flat JSON object; keys are ASCII ``[a-z][a-z0-9_]*``, at most 64
  characters (so code-point and UTF-16 key orders agree);
- values are strings or integers only: no floats (``1.0`` vs ``1``), no
  booleans (write ``0``/``1`` or a code), no ``null`` (leave the key out:
  "absent" and "null" would otherwise be two encodings of one fact), no
  nested objects or lists;
- integers within ±(2**53 - 1), the range every JSON parser reads exactly;
- strings are any Unicode text without lone surrogates;
- keys sorted, no whitespace (``separators=(",", ":")``), non-ASCII
  characters written as themselves in UTF-8, control characters escaped as
  JSON requires (``\\n``, ``\\u001f``, ...).

Under these rules the bytes are also the RFC 8785 (JCS) canonical form of
the object, so another language's JCS library reproduces them.

Privacy: an entry must hold no personal data in clear. Put identifiers
(the transaction control number TCN, the agency ORI), the message type, the
SHA-256 of the message bytes and the policy decision code, never names,
dates of birth or biometric data. The log is append-only and public to
auditors; it stores whatever it is given, forever.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from interop.audit.errors import EntryError

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer magnitude allowed in an entry (I-JSON, RFC 7493)."""

_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")

EntryValue = int | str
"""The types an entry's values may have."""


def _check(fields: Mapping[str, object]) -> dict[str, EntryValue]:
    checked: dict[str, EntryValue] = {}
    for key, value in fields.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise EntryError(f"key {key!r}: expected [a-z][a-z0-9_]*, at most 64 characters")
        if value is None:
            raise EntryError(f"{key}: None is not allowed; leave the key out instead")
        if isinstance(value, bool):
            raise EntryError(f"{key}: booleans are not allowed; use an integer or a code")
        if isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                raise EntryError(f"{key}: integer {value} is beyond ±(2^53-1)")
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise EntryError(f"{key}: string holds a lone surrogate") from exc
        else:
            raise EntryError(
                f"{key}: {type(value).__name__} is not allowed; only str and int values"
            )
        checked[key] = value
    return checked


def canonical_entry(fields: Mapping[str, object]) -> bytes:
    """The canonical bytes of a flat mapping of identifiers (see the module docstring).

    Parameters
    ----------
    fields : mapping of str to int or str

    Returns
    -------
    bytes
        UTF-8 JSON, keys sorted, no whitespace.

    Raises
    ------
    EntryError
        On a key or value outside the rules.

    Examples
    --------
    >>> canonical_entry({"type": "DISCLOSE", "tcn": "T-1", "n": 2})
    b'{"n":2,"tcn":"T-1","type":"DISCLOSE"}'
    """
    if not isinstance(fields, Mapping):
        raise EntryError(f"an entry is a mapping, got {type(fields).__name__}")
    checked = _check(fields)
    text = json.dumps(checked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _reject_constant(name: str) -> object:
    raise EntryError(f"{name} is not allowed in an entry")


def _reject_float(text: str) -> object:
    raise EntryError(f"number {text} is not an integer")


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise EntryError(f"duplicate key {key!r}")
        out[key] = value
    return out


def parse_entry(data: bytes) -> dict[str, EntryValue]:
    """Read canonical entry bytes back, refusing any other encoding of the same object.

    Raises
    ------
    EntryError
        If ``data`` is not exactly what :func:`canonical_entry` writes.
    """
    try:
        text = bytes(data).decode("utf-8")
        obj = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_float=_reject_float,
            parse_constant=_reject_constant,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryError(f"not UTF-8 JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise EntryError(f"an entry is a JSON object, got {type(obj).__name__}")
    checked = _check(obj)
    if canonical_entry(checked) != bytes(data):
        raise EntryError("entry is not in canonical form")
    return checked
