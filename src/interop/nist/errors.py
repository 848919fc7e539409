"""Typed errors of the ANSI/NIST-ITL layer, each naming where the fault lies."""

from __future__ import annotations


class NistError(ValueError):
    """A transaction that cannot be read or written.

    Attributes
    ----------
    record : int or None
        Index of the record in the transaction (0 is the Type-1 record).
    field : str or None
        The field's tag, as ``"1.003"``.
    offset : int or None
        Byte offset in the transaction where the fault was found.
    """

    def __init__(
        self,
        message: str,
        *,
        record: int | None = None,
        field: str | None = None,
        offset: int | None = None,
    ) -> None:
        self.reason = message
        self.record = record
        self.field = field
        self.offset = offset
        where = []
        if record is not None:
            where.append(f"record {record}")
        if field is not None:
            where.append(f"field {field}")
        if offset is not None:
            where.append(f"byte {offset}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class NistFormatError(NistError):
    """The bytes do not follow the traditional encoding of ANSI/NIST-ITL."""


class NistLimitError(NistError):
    """The transaction exceeds a size limit (:class:`~interop.nist.traditional.Limits`)."""
