"""ANSI/NIST-ITL transactions (traditional encoding) and the EBTS messages of the program."""

from interop.nist.errors import NistError, NistFormatError, NistLimitError
from interop.nist.traditional import (
    DEFAULT_LIMITS,
    Field,
    Limits,
    Record,
    Transaction,
    content_list,
    encode,
    encode_record,
    parse,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Field",
    "Limits",
    "NistError",
    "NistFormatError",
    "NistLimitError",
    "Record",
    "Transaction",
    "content_list",
    "encode",
    "encode_record",
    "parse",
]
