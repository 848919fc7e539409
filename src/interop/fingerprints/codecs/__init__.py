"""Finger minutiae record codecs: ISO/IEC 19794-2 (2005, 2011) and ANSI INCITS 378.

One module per standard (:mod:`.iso2005`, :mod:`.iso2011`, :mod:`.ansi378`),
registered in :data:`CODECS` by format name:

========================  ============  ======  ======
format                    version bytes  decode  encode
========================  ============  ======  ======
``iso19794-2:2005``       ``" 20\\0"``    yes     yes
``iso19794-2:2011``       ``"030\\0"``    yes     yes
``ansi378:2004``          ``" 20\\0"``    yes     yes
``ansi378:2007``          ``"030\\0"``    yes     no
``ansi378:2009``          ``"030\\0"``    yes     no
``ansi378:2009/am1``      ``"035\\0"``    yes     no
========================  ============  ======  ======

Two pairs of formats share version bytes, so :func:`detect` also looks at
the structure: ISO 2005 and ANSI 2004 differ in the width of the record
length field, ISO 2011 and the ANSI "030" layouts in the representation
lengths ISO 2011 carries.

Decoding yields one :class:`~interop.fingerprints.template.Template` per
finger view, in the template conventions (pixels, ``y`` down, radians
counter-clockwise as seen on the image, which is also the direction both
standards count their angle codes in), with the record's other fields in
``metadata``.  Minutiae outside the declared image are kept and counted in
``metadata["minutiae_outside_image"]``; records whose core/delta area length
is miscounted (as in NIST libbiomeval's samples) are recovered by walking the
area and marked ``metadata["extended_data_repaired"]``.

Every decoder enforces :data:`MAX_TEMPLATE_BYTES` before parsing and raises
:class:`~interop.fingerprints.errors.TemplateDecodeError` (naming the field
and byte offset) for any malformed input; encoders raise
:class:`~interop.fingerprints.errors.TemplateEncodeError` for templates that
do not fit the target format.

Examples
--------
>>> from interop.fingerprints.template import Template
>>> t = Template.from_arrays([10, 20], [30, 40], [0.0, 1.0], type=[1, 2],
...                          width=300, height=400)
>>> record = encode_template(t, "iso19794-2:2011")
>>> detect(record)
'iso19794-2:2011'
>>> decode_template(record).xy.tolist()
[[10.0, 30.0], [20.0, 40.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import TemplateDecodeError
from ..template import Template
from . import ansi378, iso2005, iso2011
from ._binary import FORMAT_IDENTIFIER, MAX_TEMPLATE_BYTES, as_record_bytes

__all__ = [
    "CODECS",
    "DEFAULT_FORMAT",
    "MAX_TEMPLATE_BYTES",
    "TemplateCodec",
    "decode_record",
    "decode_template",
    "detect",
    "encode_record",
    "encode_template",
]


@dataclass(frozen=True)
class TemplateCodec:
    """One record format: its name, decoder and (optional) encoder."""

    name: str
    """Format name, e.g. ``"iso19794-2:2005"``."""
    version: bytes
    """Bytes 4..7 of the record."""
    decode: Callable[[bytes], list[Template]]
    """Decode every finger view of a record, in record order."""
    encode: Callable[[Sequence[Template]], bytes] | None = None
    """Encode templates as the views of one record; None for decode-only formats."""


CODECS: dict[str, TemplateCodec] = {
    codec.name: codec
    for codec in (
        TemplateCodec(iso2005.FORMAT_NAME, iso2005.VERSION, iso2005.decode, iso2005.encode),
        TemplateCodec(iso2011.FORMAT_NAME, iso2011.VERSION, iso2011.decode, iso2011.encode),
        TemplateCodec(
            ansi378.FORMAT_2004, ansi378.VERSION_2004, ansi378.decode_2004, ansi378.encode_2004
        ),
        TemplateCodec(ansi378.FORMAT_2007, ansi378.VERSION_2009, ansi378.decode_2007),
        TemplateCodec(ansi378.FORMAT_2009, ansi378.VERSION_2009, ansi378.decode_2009),
        TemplateCodec(ansi378.FORMAT_2009_AM1, ansi378.VERSION_2009_AM1, ansi378.decode_2009_am1),
    )
}
"""The registered formats, by name."""

DEFAULT_FORMAT = iso2005.FORMAT_NAME
"""Format written by :func:`encode_template` unless told otherwise."""


def detect(data: bytes) -> str:
    """Name the format of a finger minutiae record.

    Looks only at the header (and, for records whose version bytes are
    shared by two formats, at the lengths that tell them apart); the record
    may still be malformed further on.

    Raises
    ------
    TemplateDecodeError
        The data exceeds :data:`MAX_TEMPLATE_BYTES`, is not a finger minutiae
        record, or carries a version no registered format has.
    """
    raw = as_record_bytes(data)
    if raw[:4] != FORMAT_IDENTIFIER:
        raise TemplateDecodeError(
            "not a finger minutiae record (it does not start with 'FMR\\0')",
            field="format identifier",
            offset=0,
        )
    if len(raw) < 8:
        raise TemplateDecodeError(
            f"version needs 4 bytes but only {len(raw) - 4} remain in the record",
            field="version",
            offset=4,
        )
    version = raw[4:8]
    if version == iso2005.VERSION:
        return _detect_20(raw)
    if version == iso2011.VERSION:
        return _detect_030(raw)
    if version == ansi378.VERSION_2009_AM1:
        return ansi378.FORMAT_2009_AM1
    raise TemplateDecodeError(
        "version is not one of ' 20', '030', '035'", field="version", offset=4
    )


def _u16(raw: bytes, offset: int) -> int | None:
    return int.from_bytes(raw[offset : offset + 2], "big") if len(raw) >= offset + 2 else None


def _u32(raw: bytes, offset: int) -> int | None:
    return int.from_bytes(raw[offset : offset + 4], "big") if len(raw) >= offset + 4 else None


def _detect_20(raw: bytes) -> str:
    """ISO 2005 (4-byte record length) or ANSI 2004 (2-byte, or 0 then 4-byte)?

    An ISO record under the size limit has a length below 26 * 65536, so its
    first two length bytes are below 26, while a 2-byte ANSI length is at
    least the 26-byte header.  When those two bytes are 0, the next two are
    an ISO length (at least its 24-byte header) or the high half of a 4-byte
    ANSI length (below 24 under the size limit).
    """
    high = _u16(raw, 8)
    if high is None:
        return iso2005.FORMAT_NAME  # too short for either; the decoder says where
    if high >= ansi378.HEADER_SIZE_2004:
        return ansi378.FORMAT_2004
    if high > 0:
        return iso2005.FORMAT_NAME
    low = _u16(raw, 10)
    if low is not None and low < iso2005.HEADER_SIZE:
        return ansi378.FORMAT_2004
    return iso2005.FORMAT_NAME


def _detect_030(raw: bytes) -> str:
    """ISO 2011, ANSI 378-2009 or the libbiomeval 2007 layout (all version "030")?

    ISO 2011 is recognised by its representation lengths adding up to the
    record length, an ANSI layout by decoding; when the record is malformed
    in every reading, the header bytes that differ decide.
    """
    if _iso2011_lengths_agree(raw):
        return iso2011.FORMAT_NAME
    for name in (ansi378.FORMAT_2009, ansi378.FORMAT_2007):
        try:
            CODECS[name].decode(raw)
        except TemplateDecodeError:
            continue
        return name
    # malformed in every reading: guess from the fields that differ
    total, first = _u32(raw, 8), _u32(raw, 15)
    if (
        total is not None
        and first is not None
        and len(raw) > 14
        and raw[14] <= 1
        and iso2011.MIN_REPRESENTATION_LENGTH <= first <= total - iso2011.HEADER_SIZE
    ):
        return iso2011.FORMAT_NAME
    # the header ends with the view count and a reserved zero byte
    for name, size in (
        (ansi378.FORMAT_2009, ansi378.HEADER_SIZE_2009),
        (ansi378.FORMAT_2007, ansi378.HEADER_SIZE_2007),
    ):
        if len(raw) >= size and raw[size - 1] == 0 and raw[size - 2] != 0:
            return name
    return ansi378.FORMAT_2009


def _iso2011_lengths_agree(raw: bytes) -> bool:
    total, count = _u32(raw, 8), _u16(raw, 12)
    if total != len(raw) or not count or len(raw) < iso2011.HEADER_SIZE:
        return False
    pos = iso2011.HEADER_SIZE
    for _ in range(count):
        length = _u32(raw, pos)
        if length is None or length < iso2011.MIN_REPRESENTATION_LENGTH:
            return False
        pos += length
    return pos == total


def _codec(format: str) -> TemplateCodec:
    try:
        return CODECS[format]
    except KeyError:
        raise ValueError(
            f"unknown template format {format!r}; known: {', '.join(CODECS)}"
        ) from None


def decode_record(data: bytes, *, format: str | None = None) -> list[Template]:
    """Decode every finger view of a record, detecting its format unless ``format`` is given.

    Raises
    ------
    TemplateDecodeError
        The record is malformed (or not of ``format``).
    ValueError
        ``format`` is not a registered format name.
    """
    raw = as_record_bytes(data)
    return _codec(detect(raw) if format is None else format).decode(raw)


def decode_template(data: bytes, *, view: int = 0, format: str | None = None) -> Template:
    """Decode one finger view (the first by default) of a record.

    Raises
    ------
    TemplateDecodeError
        The record is malformed, or has no view ``view``.
    ValueError
        ``view`` is negative or ``format`` unknown.
    """
    if view < 0:
        raise ValueError(f"view index must be non-negative, got {view}")
    templates = decode_record(data, format=format)
    if view >= len(templates):
        raise TemplateDecodeError(
            f"record holds {len(templates)} finger view(s); view {view} was requested",
            field="number of finger views",
        )
    return templates[view]


def encode_record(templates: Sequence[Template], format: str = DEFAULT_FORMAT) -> bytes:
    """Encode templates as the finger views of one record of ``format``.

    Raises
    ------
    TemplateEncodeError
        A template is not representable in ``format``.
    ValueError
        ``format`` is unknown or decode-only.
    """
    codec = _codec(format)
    if codec.encode is None:
        raise ValueError(f"format {format!r} can be decoded but not encoded")
    return codec.encode(list(templates))


def encode_template(template: Template, format: str = DEFAULT_FORMAT) -> bytes:
    """Encode one template as a single-view record of ``format``.

    Raises
    ------
    TemplateEncodeError
        The template is not representable in ``format`` (more than 255
        minutiae, a position beyond 14 bits, a quality above 100, ...).
    ValueError
        ``format`` is unknown or decode-only.
    """
    return encode_record([template], format)
