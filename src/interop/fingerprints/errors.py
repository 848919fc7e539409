"""Typed errors of the fingerprint engine.

::

    FingerprintError                  base of everything raised on purpose here
     ├── ImageError                   an image could not be turned into pixels
     │    ├── ImageDecodeError        bytes are not a valid image of the claimed format
     │    └── ImageLimitError         dimensions or byte size beyond the configured limits
     ├── TemplateError                a minutiae template could not be read or written
     │    ├── TemplateDecodeError     malformed record (offset and field named)
     │    └── TemplateEncodeError     template not representable in the target format
     └── ExtractionError              extraction failed on an otherwise valid image
          └── FailureToEnrol          too little usable fingerprint to make a template

Every error names what is wrong; none carries pixel or minutiae data, so
messages are safe to log.
"""

from __future__ import annotations


class FingerprintError(Exception):
    """Base class of all errors raised deliberately by :mod:`interop.fingerprints`."""


class ImageError(FingerprintError):
    """An image could not be decoded into an 8-bit grey array."""


class ImageDecodeError(ImageError):
    """The bytes are not a valid image of the claimed (or detected) format."""


class ImageLimitError(ImageError):
    """The image exceeds a size limit (bytes, width, height or pixel count)."""


class TemplateError(FingerprintError):
    """A minutiae template could not be decoded or encoded."""


class TemplateDecodeError(TemplateError):
    """A template record is malformed.

    Parameters
    ----------
    message : str
        What is wrong.
    field : str, optional
        Name of the offending field (e.g. ``"record length"``).
    offset : int, optional
        Byte offset of the offending field from the start of the record.
    """

    def __init__(self, message: str, *, field: str | None = None, offset: int | None = None):
        self.field = field
        self.offset = offset
        where = []
        if field is not None:
            where.append(f"field {field!r}")
        if offset is not None:
            where.append(f"byte offset {offset}")
        super().__init__(f"{message} ({', '.join(where)})" if where else message)


class TemplateEncodeError(TemplateError):
    """A template cannot be represented in the requested format."""


class ExtractionError(FingerprintError):
    """Feature extraction failed on a decodable image."""


class FailureToEnrol(ExtractionError):  # noqa: N818 (the domain term, "FTE")
    """The image holds too little usable fingerprint area or too few minutiae.

    Attributes
    ----------
    reason : str
        Short machine-readable reason, e.g. ``"foreground_too_small"`` or
        ``"too_few_minutiae"``.
    """

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"failure to enrol: {reason}" + (f" ({detail})" if detail else ""))
