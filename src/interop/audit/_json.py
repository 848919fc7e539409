"""Strict readers for the JSON forms of heads, proofs and receipts (private)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from interop.audit.errors import FormatError

_HEX = re.compile(r"(?:[0-9a-f]{2})*\Z")


def to_hex(data: bytes) -> str:
    """Lowercase hex, two digits per byte."""
    return bytes(data).hex()


def check_keys(obj: object, what: str, keys: set[str]) -> Mapping[str, object]:
    """``obj`` as a mapping holding exactly ``keys``."""
    if not isinstance(obj, Mapping):
        raise FormatError(f"{what}: expected a JSON object, got {type(obj).__name__}")
    found = set(obj)
    if found != keys:
        missing, extra = sorted(keys - found), sorted(found - keys)
        raise FormatError(f"{what}: missing fields {missing}, unknown fields {extra}")
    return obj


def hex_field(obj: Mapping[str, object], key: str, what: str, length: int | None = None) -> bytes:
    """A lowercase hex string field, decoded; ``length`` in bytes if given."""
    value = obj[key]
    if not isinstance(value, str) or not _HEX.match(value):
        raise FormatError(f"{what}.{key}: expected lowercase hex, got {value!r:.80}")
    data = bytes.fromhex(value)
    if length is not None and len(data) != length:
        raise FormatError(f"{what}.{key}: {len(data)} bytes, expected {length}")
    return data


def int_field(obj: Mapping[str, object], key: str, what: str) -> int:
    """A non-negative integer field below 2**64 (not a bool, not a float)."""
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        raise FormatError(f"{what}.{key}: expected an integer in 0..2^64-1, got {value!r:.80}")
    return value


def hex_list_field(
    obj: Mapping[str, object], key: str, what: str, length: int
) -> tuple[bytes, ...]:
    """A list of lowercase hex strings, each ``length`` bytes."""
    value = obj[key]
    if not isinstance(value, list):
        raise FormatError(f"{what}.{key}: expected a list, got {type(value).__name__}")
    return tuple(hex_field({key: v}, key, f"{what}[{i}]", length) for i, v in enumerate(value))
