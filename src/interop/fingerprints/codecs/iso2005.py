"""ISO/IEC 19794-2:2005 finger minutiae record (version ``" 20\\0"``).

Layout (big-endian)::

    record header (24 bytes)
      0  format identifier      4  "FMR\\0"
      4  version                4  " 20\\0"
      8  record length          4  whole record, header included
     12  capture equipment      2  certification (4 bits), device type ID (12 bits)
     14  image width, height    2+2  pixels
     18  x, y resolution        2+2  pixels per centimetre
     22  number of views        1  (zero is rejected)
     23  reserved               1
    per finger view
         finger position        1  0..10
         view number, impression type  1  (4 bits each)
         finger quality         1  0..100
         number of minutiae     1
         minutiae               6 each: type (2 bits) + x (14), reserved (2) + y (14),
                                        angle (1 byte, 360/256 degrees), quality (1)
         extended data          2-byte length + type/length/data areas

Angles count counter-clockwise from the +x axis as seen on the image (y
down), the convention of :class:`~interop.fingerprints.template.Template`,
so an angle code ``c`` decodes to ``c * 2*pi / 256`` radians unchanged.
Minutia quality 0 means "not reported" and stays 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..template import Template
from ._binary import (
    ISO_ANGLE_UNIT,
    CoreDeltaWalker,
    MinutiaRules,
    Reader,
    Writer,
    as_record_bytes,
    decode_with_repair,
    encode_metadata,
    encode_view_2005,
    read_geometry_2005,
    read_magic,
    read_record_length,
    read_view_2005,
    shared_geometry,
    walk_core_delta_iso,
)

FORMAT_NAME = "iso19794-2:2005"
VERSION = b" 20\x00"
HEADER_SIZE = 24

RULES = MinutiaRules(record_size=6, angle_unit=ISO_ANGLE_UNIT, max_angle=255, unreported_quality=())
"""Minutia layout: 6 bytes, angle codes 0..255, quality 0..100 (0 = not reported)."""


def decode(data: bytes) -> list[Template]:
    """Decode every finger view of an ISO/IEC 19794-2:2005 record.

    Returns one :class:`Template` per view, in record order; each carries
    ``metadata`` with ``format``, ``view_index``, ``view_number``,
    ``impression_type``, ``resolution_ppcm`` (x, y), ``capture_equipment_id``,
    ``capture_equipment_certification``, ``extended_data_bytes`` and
    ``minutiae_outside_image``.

    Raises
    ------
    TemplateDecodeError
        The record is malformed; the error names the field and byte offset.
    """
    raw = as_record_bytes(data)
    return decode_with_repair(lambda walker: _decode(raw, walker), walk_core_delta_iso)


def _decode(data: bytes, core_delta: CoreDeltaWalker | None) -> list[Template]:
    r = Reader(data)
    read_magic(r, VERSION, FORMAT_NAME)
    read_record_length(r, r.u32("record length"), 8)
    equipment = r.u16("capture equipment")
    geometry, views = read_geometry_2005(r)
    header = {
        "capture_equipment_id": equipment & 0x0FFF,
        "capture_equipment_certification": equipment >> 12,
    }
    templates = [
        read_view_2005(r, i, FORMAT_NAME, geometry, RULES, core_delta, header) for i in range(views)
    ]
    r.expect_end("record length", 8)
    return templates


def encode(templates: Sequence[Template]) -> bytes:
    """Encode templates as the finger views of one ISO/IEC 19794-2:2005 record.

    All templates must share image size and resolution (the record header
    holds them once).  Positions are rounded to whole pixels and angles to
    the nearest 360/256 degrees; no extended data is written.  The view
    number, impression type and capture equipment ID are taken from
    ``metadata`` when present (``view_number``, ``impression_type``,
    ``capture_equipment_id``), else 0.

    Raises
    ------
    TemplateEncodeError
        A template does not fit the format (see
        :func:`~interop.fingerprints.codecs._binary.encode_minutiae`).
    """
    geometry = shared_geometry(templates)
    w = Writer()
    w.raw(b"FMR\x00" + VERSION)
    w.u32(0, "record length")
    w.u16(encode_metadata(templates[0], "capture_equipment_id", range(0x1000)), "capture")
    w.u16(geometry.width, "image width")
    w.u16(geometry.height, "image height")
    w.u16(geometry.ppcm_x, "x resolution")
    w.u16(geometry.ppcm_y, "y resolution")
    w.u8(len(templates), "number of finger views")
    w.u8(0, "reserved byte")
    for template in templates:
        encode_view_2005(w, template, ISO_ANGLE_UNIT, 256)
    w.patch_u32(8, len(w.buf), "record length")
    return bytes(w.buf)
