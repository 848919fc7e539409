"""Canonical entry bytes: one encoding per object, ints and strings only."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interop.audit.entries import MAX_SAFE_INTEGER, canonical_entry, parse_entry
from interop.audit.errors import EntryError


def test_canonical_form() -> None:
    entry = {
        "tcn": "TCN-2026-000123",
        "ori": "VA0010000",
        "message_type": "IDRR",
        "message_sha256": "ab" * 32,
        "decision": 3,
    }
    data = canonical_entry(entry)
    assert data == (
        b'{"decision":3,"message_sha256":"' + b"ab" * 32 + b'","message_type":"IDRR",'
        b'"ori":"VA0010000","tcn":"TCN-2026-000123"}'
    )
    assert canonical_entry(dict(reversed(list(entry.items())))) == data
    assert parse_entry(data) == entry


def test_non_ascii_and_control_characters() -> None:
    data = canonical_entry({"note": 'Zürich\n\x1f"\\/'})
    assert data == '{"note":"Zürich\\n\\u001f\\"\\\\/"}'.encode()
    assert parse_entry(data) == {"note": 'Zürich\n\x1f"\\/'}


@pytest.mark.parametrize(
    "fields",
    [
        {"a": 1.0},
        {"a": None},
        {"a": True},
        {"a": [1]},
        {"a": {"b": 1}},
        {"a": b"x"},
        {"A": 1},
        {"1a": 1},
        {"a-b": 1},
        {"a" * 65: 1},
        {"": 1},
        {"a": MAX_SAFE_INTEGER + 1},
        {"a": -MAX_SAFE_INTEGER - 1},
        {"a": "\ud800"},
    ],
)
def test_rejects_ambiguous_values(fields: dict[str, object]) -> None:
    with pytest.raises(EntryError):
        canonical_entry(fields)


def test_rejects_non_mappings() -> None:
    with pytest.raises(EntryError):
        canonical_entry([("a", 1)])  # type: ignore[arg-type]


def test_integer_limits_are_inclusive() -> None:
    data = canonical_entry({"a": MAX_SAFE_INTEGER, "b": -MAX_SAFE_INTEGER})
    assert parse_entry(data) == {"a": MAX_SAFE_INTEGER, "b": -MAX_SAFE_INTEGER}


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1}',
        b'{"b":1,"a":2}',
        b'{"a":1,"a":1}',
        b'{"a":1.0}',
        b'{"a":1e3}',
        b'{"a":NaN}',
        b'{"a":null}',
        b'{"a":true}',
        b'{"a":{"b":1}}',
        b'{"a":"\\u00fc"}',  # escaped where canonical writes UTF-8
        b"[1]",
        b"\xff",
        b"",
        b'{"a":1} ',
    ],
)
def test_parse_refuses_non_canonical_bytes(data: bytes) -> None:
    with pytest.raises(EntryError):
        parse_entry(data)


keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
values = st.one_of(
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)


@given(st.dictionaries(keys, values, max_size=8))
def test_round_trip(fields: dict[str, int | str]) -> None:
    data = canonical_entry(fields)
    assert parse_entry(data) == fields
    assert json.loads(data) == fields
