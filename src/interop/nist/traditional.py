"""The traditional encoding of ANSI/NIST-ITL transactions: bytes <-> records.

A transaction is a Type-1 record followed by the records its content field
(1.003, CNT) lists. *Tagged* records (Types 1, 2, 9-99) are fields
``T.NNN:value`` separated by GS (0x1D) and ended by FS (0x1C); a value holds
subfields separated by RS (0x1E), each of items separated by US (0x1F); the
first field (``T.001``) is the record's length in bytes, and the image
records' last field (``T.999``) holds binary data. *Binary* records (Types
3-8) have no tags: a 4-byte big-endian length, a 1-byte IDC, then
type-specific bytes (:mod:`interop.nist.records` reads Type-4).

Tags of two or three digits (``1.01`` in version 0201, ``1.001`` since
0300) are both read, and each field remembers its width so that an
unchanged transaction is written back byte for byte. Nothing is trusted:
every length is checked against the bytes there are and against
:class:`Limits`; a fault raises :class:`~interop.nist.errors.NistFormatError`
or :class:`~interop.nist.errors.NistLimitError` naming the record, field and
byte offset. Parsing is one pass over the bytes (no backtracking).

Written by hand rather than with ``nistitl``: that library reads and writes
the same encoding but reports neither byte offsets nor limits, re-formats
fields it knows, and does not keep unknown binary records as they were.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from interop.nist.errors import NistFormatError, NistLimitError

FS = 0x1C
GS = 0x1D
RS = 0x1E
US = 0x1F

BINARY_TYPES = frozenset({3, 4, 5, 6, 7, 8})
"""Record types with binary headers instead of tagged fields."""

DATA_TAG = 999
"""The tag of the binary image data field of tagged image records."""

TEXT_TYPES = frozenset({1, 2, 9})
"""Tagged record types without a binary data field (their field 999, if
any, is text like any other)."""

_HEADER = re.compile(rb"(\d{1,2})\.(\d{1,9}):")


@dataclass(frozen=True)
class Limits:
    """Hard limits on what a transaction may hold (bytes and counts)."""

    max_transaction_bytes: int = 256 * 1024 * 1024
    max_records: int = 1_000
    max_record_bytes: int = 64 * 1024 * 1024
    max_fields_per_record: int = 5_000
    max_items_per_field: int = 100_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Field:
    """One field of a tagged record.

    Attributes
    ----------
    tag : int
        Field number (``3`` for ``1.003``).
    subfields : tuple of tuple of bytes
        The value as subfields of items; the binary data field is one
        subfield of one item, its raw bytes.
    tag_digits : int
        Digits the tag is written with (2 or 3 in practice).
    offset : int
        Byte offset of the field in its transaction (-1 for a built field).
    """

    tag: int
    subfields: tuple[tuple[bytes, ...], ...]
    tag_digits: int = 3
    offset: int = -1

    @classmethod
    def of(cls, tag: int, value: str | bytes | Iterable[Iterable[str | bytes]]) -> Field:
        """A field from text (one item), bytes (one item) or subfields of items."""
        if isinstance(value, str):
            return cls(tag, ((value.encode("utf-8"),),))
        if isinstance(value, bytes):
            return cls(tag, ((value,),))
        return cls(
            tag,
            tuple(
                tuple(i.encode("utf-8") if isinstance(i, str) else bytes(i) for i in sub)
                for sub in value
            ),
        )

    @property
    def value(self) -> bytes:
        """The value as written (separators included)."""
        return bytes([RS]).join(bytes([US]).join(items) for items in self.subfields)

    @property
    def text(self) -> str:
        """The first item as text (UTF-8, Latin-1 where it is not UTF-8)."""
        first = self.subfields[0][0] if self.subfields and self.subfields[0] else b""
        try:
            return first.decode("utf-8")
        except UnicodeDecodeError:
            return first.decode("latin-1")

    def items(self) -> list[list[str]]:
        """Every item as text, by subfield."""
        return [[_text(i) for i in sub] for sub in self.subfields]


def is_number(text: str) -> bool:
    """Whether ``text`` is a non-empty run of ASCII digits (``str.isdigit``
    also admits other scripts' digits and superscripts, which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def _text(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("latin-1")


@dataclass(frozen=True)
class Record:
    """One record: tagged (``fields``) or binary (``data``).

    Attributes
    ----------
    type : int
        Record type (1, 2, 4, 9, 10, 13, 14, ...).
    fields : tuple of Field
        Tagged records' fields in their order (empty for binary records).
    data : bytes
        Binary records' bytes, length and IDC included (empty for tagged ones).
    offset : int
        Byte offset of the record in its transaction (-1 for a built record).
    """

    type: int
    fields: tuple[Field, ...] = ()
    data: bytes = b""
    offset: int = -1

    @property
    def binary(self) -> bool:
        return self.type in BINARY_TYPES

    def get(self, tag: int) -> Field | None:
        """The field with this tag, or ``None``."""
        for f in self.fields:
            if f.tag == tag:
                return f
        return None

    def __getitem__(self, tag: int) -> Field:
        found = self.get(tag)
        if found is None:
            raise KeyError(f"{self.type}.{tag:03d}")
        return found

    @property
    def idc(self) -> int | None:
        """The information designation character (x.002, or byte 4 of a
        binary record); ``None`` for Type-1, or when absent or not a number."""
        if self.binary:
            return self.data[4] if len(self.data) > 4 else None
        if self.type == 1:
            return None  # 1.002 is the version
        f = self.get(2)
        return int(f.text) if f is not None and is_number(f.text) else None


@dataclass(frozen=True)
class Transaction:
    """A parsed transaction.

    Attributes
    ----------
    records : tuple of Record
        Type-1 first.
    raw : bytes
        The bytes it was read from (``b""`` for a built one): the evidence.
    """

    records: tuple[Record, ...]
    raw: bytes = field(default=b"", repr=False)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of :attr:`raw` (the content address of the original)."""
        return hashlib.sha256(self.raw).hexdigest()

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def of_type(self, record_type: int) -> list[Record]:
        return [r for r in self.records if r.type == record_type]


def content_list(type1: Record) -> list[tuple[int, int]]:
    """(record type, IDC) of the records after Type-1, from field 1.003.

    Raises
    ------
    NistFormatError
        If 1.003 is missing or malformed.
    """
    cnt = type1.get(3)
    where = {"record": 0, "field": "1.003", "offset": cnt.offset if cnt else type1.offset}
    if cnt is None or not cnt.subfields:
        raise NistFormatError("the content list (CNT) is missing", **where)  # type: ignore[arg-type]
    out = []
    for k, items in enumerate(cnt.subfields):
        if len(items) != 2 or not all(i.isdigit() for i in items):
            raise NistFormatError(
                f"subfield {k + 1} of the content list is not two numbers",
                **where,  # type: ignore[arg-type]
            )
        out.append((int(items[0]), int(items[1])))
    first_type, count = out[0]
    if first_type != 1:
        raise NistFormatError("the content list does not start with record type 1", **where)  # type: ignore[arg-type]
    if count != len(out) - 1:
        raise NistFormatError(
            f"the content list announces {count} records but lists {len(out) - 1}",
            **where,  # type: ignore[arg-type]
        )
    return out[1:]


def _tagged(
    data: bytes, start: int, index: int, expected_type: int | None, limits: Limits
) -> tuple[Record, int]:
    """The tagged record at ``start``; returns it and the offset after it."""
    head = _HEADER.match(data, start, min(len(data), start + 16))
    if head is None:
        raise NistFormatError(
            "a tagged record must start with its length field", record=index, offset=start
        )
    rtype = int(head.group(1))
    if expected_type is not None and rtype != expected_type:
        raise NistFormatError(
            f"the content list announces type {expected_type}, the record is type {rtype}",
            record=index,
            offset=start,
        )
    if int(head.group(2)) != 1:
        raise NistFormatError(
            "a tagged record must start with field 1 (length)", record=index, offset=start
        )
    end_digits = head.end()
    stop = end_digits
    while stop < len(data) and stop - end_digits < 12 and 0x30 <= data[stop] <= 0x39:
        stop += 1
    if stop == end_digits or stop >= len(data) or data[stop] not in (GS, FS):
        raise NistFormatError(
            "the record length is not a number",
            record=index,
            field=f"{rtype}.001",
            offset=end_digits,
        )
    length = int(data[end_digits:stop])
    if length > limits.max_record_bytes:
        raise NistLimitError(
            f"record length {length} exceeds {limits.max_record_bytes}",
            record=index,
            field=f"{rtype}.001",
            offset=end_digits,
        )
    end = start + length
    if length < stop - start + 1 or end > len(data):
        raise NistFormatError(
            f"record length {length} does not fit the {len(data) - start} bytes left",
            record=index,
            field=f"{rtype}.001",
            offset=end_digits,
        )
    if data[end - 1] != FS:
        raise NistFormatError(
            "the record does not end with a file separator (FS) where its length says",
            record=index,
            field=f"{rtype}.001",
            offset=end - 1,
        )
    fields: list[Field] = []
    pos = start
    last = end - 1  # the FS
    while pos < last:
        head = _HEADER.match(data, pos, min(last, pos + 16))
        if head is None:
            raise NistFormatError("expected a field tag 'T.NNN:'", record=index, offset=pos)
        if int(head.group(1)) != rtype:
            raise NistFormatError(
                f"field of record type {int(head.group(1))} inside a type {rtype} record",
                record=index,
                offset=pos,
            )
        tag = int(head.group(2))
        name = f"{rtype}.{tag:03d}"
        if fields and tag <= fields[-1].tag:
            raise NistFormatError(
                "fields out of order or repeated", record=index, field=name, offset=pos
            )
        if len(fields) >= limits.max_fields_per_record:
            raise NistLimitError(
                f"more than {limits.max_fields_per_record} fields",
                record=index,
                field=name,
                offset=pos,
            )
        value_start = head.end()
        if tag == DATA_TAG and rtype not in TEXT_TYPES:
            value_end = last  # binary data runs to the record's end
            subfields: tuple[tuple[bytes, ...], ...] = ((data[value_start:value_end],),)
        else:
            gs = data.find(bytes([GS]), value_start, last)
            value_end = last if gs < 0 else gs
            subfields = _split(data, value_start, value_end, limits, index, name)
        fields.append(Field(tag, subfields, len(head.group(2)), pos))
        pos = value_end + 1
    return Record(rtype, tuple(fields), b"", start), end


def _split(
    data: bytes, start: int, end: int, limits: Limits, index: int, name: str
) -> tuple[tuple[bytes, ...], ...]:
    value = data[start:end]
    if value.count(bytes([US])) + value.count(bytes([RS])) >= limits.max_items_per_field:
        raise NistLimitError(
            f"more than {limits.max_items_per_field} items", record=index, field=name, offset=start
        )
    if FS in value:
        raise NistFormatError(
            "file separator (FS) inside a field",
            record=index,
            field=name,
            offset=start + value.index(FS),
        )
    return tuple(tuple(sub.split(bytes([US]))) for sub in value.split(bytes([RS])))


def _binary(
    data: bytes, start: int, index: int, rtype: int, idc: int, limits: Limits
) -> tuple[Record, int]:
    if start + 5 > len(data):
        raise NistFormatError(f"type {rtype} record truncated", record=index, offset=start)
    length = int.from_bytes(data[start : start + 4], "big")
    if length > limits.max_record_bytes:
        raise NistLimitError(
            f"record length {length} exceeds {limits.max_record_bytes}", record=index, offset=start
        )
    if length < 5 or start + length > len(data):
        raise NistFormatError(
            f"type {rtype} record length {length} does not fit the {len(data) - start} bytes left",
            record=index,
            offset=start,
        )
    if data[start + 4] != idc:
        raise NistFormatError(
            f"IDC {data[start + 4]} differs from the content list's {idc}",
            record=index,
            offset=start + 4,
        )
    return Record(rtype, (), data[start : start + length], start), start + length


def parse(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Transaction:
    """Read a transaction in the traditional encoding.

    Raises
    ------
    NistFormatError
        Malformed bytes (the message names record, field and byte offset).
    NistLimitError
        A size limit is exceeded.
    """
    data = bytes(data)
    if len(data) > limits.max_transaction_bytes:
        raise NistLimitError(f"{len(data)} bytes exceed {limits.max_transaction_bytes}", offset=0)
    if not data:
        raise NistFormatError("empty input", offset=0)
    type1, pos = _tagged(data, 0, 0, 1, limits)
    listed = content_list(type1)
    if len(listed) + 1 > limits.max_records:
        raise NistLimitError(
            f"{len(listed) + 1} records exceed {limits.max_records}",
            record=0,
            field="1.003",
            offset=type1[3].offset,
        )
    records = [type1]
    for k, (rtype, idc) in enumerate(listed, start=1):
        if pos >= len(data):
            raise NistFormatError(
                f"the content list announces {len(listed)} records after Type-1, "
                f"the data ends after {k - 1}",
                record=k,
                offset=pos,
            )
        if rtype in BINARY_TYPES:
            record, pos = _binary(data, pos, k, rtype, idc, limits)
        else:
            record, pos = _tagged(data, pos, k, rtype, limits)
            if record.idc is not None and record.idc != idc:
                raise NistFormatError(
                    f"IDC {record.idc} differs from the content list's {idc}",
                    record=k,
                    field=f"{rtype}.002",
                    offset=record[2].offset,
                )
        records.append(record)
    if pos != len(data):
        raise NistFormatError(f"{len(data) - pos} bytes after the last record", offset=pos)
    return Transaction(tuple(records), data)


def encode_record(record: Record) -> bytes:
    """The bytes of one record, its length field (``T.001``) recomputed.

    Binary records are written as they are.
    """
    if record.binary:
        return record.data
    if not record.fields or record.fields[0].tag != 1:
        raise NistFormatError(f"a type {record.type} record needs field 1 (length) first")
    parts = []
    for f in record.fields[1:]:
        parts.append(b"%d.%0*d:" % (record.type, f.tag_digits, f.tag) + f.value)
    rest = b"".join(bytes([GS]) + p for p in parts) + bytes([FS])
    head = b"%d.%0*d:" % (record.type, record.fields[0].tag_digits, 1)
    length = len(head) + len(rest)
    while len(head) + len(str(length)) + len(rest) != length:
        length = len(head) + len(str(length)) + len(rest)
    return head + str(length).encode() + rest


def encode(transaction: Transaction | Iterable[Record]) -> bytes:
    """The bytes of a transaction (lengths recomputed; 1.003 must list the
    records that follow Type-1).

    Raises
    ------
    NistFormatError
        If the first record is not Type-1 or 1.003 does not list the others.
    """
    records = list(transaction.records if isinstance(transaction, Transaction) else transaction)
    if not records or records[0].type != 1:
        raise NistFormatError("a transaction starts with a Type-1 record")
    listed = content_list(records[0])
    actual = [(r.type, r.idc) for r in records[1:]]
    if [t for t, _ in listed] != [t for t, _ in actual]:
        raise NistFormatError(
            f"1.003 lists types {[t for t, _ in listed]}, the records are {[t for t, _ in actual]}",
            field="1.003",
        )
    return b"".join(encode_record(r) for r in records)
