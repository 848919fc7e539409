"""ANSI INCITS 378 finger minutiae records: the 2004 and 2009 editions.

All editions share the minutia record of ISO/IEC 19794-2 (type 2 bits + x
14 bits, reserved 2 bits + y 14 bits, angle, quality) except the angle unit:
ANSI codes count **2 degrees**, 0..179, counter-clockwise from the +x axis as
seen on the image, so code ``c`` decodes to ``c * pi / 90`` radians and
codes above 179 are rejected.

``ansi378:2004`` (version ``" 20\\0"``, the version bytes of ISO 2005)::

     8  record length        2, or 0 followed by 4 (records over 65535 bytes)
        CBEFF product ID     4  owner (2), type (2)
        capture equipment    2  compliance (4 bits), equipment ID (12 bits)
        image width, height  2+2;  x, y resolution 2+2 (pixels per centimetre)
        number of views      1;  reserved 1
    per view: the ISO 2005 finger view (position, view number + impression
    type, quality, minutiae count, minutiae, extended data)

``ansi378:2009`` (version ``"030\\0"``, shared with ISO 19794-2:2011) and
``ansi378:2009/am1`` (its amendment 1, version ``"035\\0"``)::

     8  record length        4
    12  CBEFF product ID     4
    16  capture device certification  1
    17  capture device type ID        2
    19  number of views      1;  reserved 1
    per view (each with its own geometry)
        finger position 1, view number 1, impression type 1,
        finger quality 1 (0..100, 254 = not reported, 255 = failed),
        quality algorithm vendor ID 2, quality algorithm ID 2,
        image width, height 2+2, x, y resolution 2+2 (pixels per centimetre),
        number of minutiae 1, minutiae (quality 254/255 = not reported),
        extended data

``ansi378:2007`` is the pre-publication layout of the 2009 edition read and
written by NIST libbiomeval (``Finger::ANSI2007View``), also version
``"030\\0"``: its header keeps the 2004 capture equipment field (2 bytes) in
place of the certification byte and device type ID, so the header is 20
bytes instead of 21; the views are laid out as in 2009.  The sample record
``biomeval-fmr.ansi2007`` has this layout.

Only the 2004 edition is encoded; the others are decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import TemplateDecodeError, TemplateEncodeError
from ..template import Template
from ._binary import (
    ANSI_ANGLE_UNIT,
    CoreDeltaWalker,
    MinutiaRules,
    Reader,
    Writer,
    as_record_bytes,
    count_outside,
    decode_with_repair,
    encode_metadata,
    encode_view_2005,
    ppcm_to_ppi,
    read_geometry_2005,
    read_magic,
    read_minutiae,
    read_nonzero_u16,
    read_record_length,
    read_view_2005,
    shared_geometry,
    skip_extended_data,
    walk_core_delta_ansi,
)

FORMAT_2004 = "ansi378:2004"
FORMAT_2007 = "ansi378:2007"
FORMAT_2009 = "ansi378:2009"
FORMAT_2009_AM1 = "ansi378:2009/am1"

VERSION_2004 = b" 20\x00"
VERSION_2009 = b"030\x00"
VERSION_2009_AM1 = b"035\x00"

HEADER_SIZE_2004 = 26
"""Record header with the 2-byte record length (30 with the 6-byte form)."""
HEADER_SIZE_2009 = 21
HEADER_SIZE_2007 = 20

RULES_2004 = MinutiaRules(
    record_size=6, angle_unit=ANSI_ANGLE_UNIT, max_angle=179, unreported_quality=()
)
RULES_2009 = MinutiaRules(
    record_size=6, angle_unit=ANSI_ANGLE_UNIT, max_angle=179, unreported_quality=(254, 255)
)

IMPRESSION_TYPES_2009 = frozenset({0, 1, 2, 3, 8, 9, 10, 11, *range(20, 30)})
"""Live/non-live plain and rolled (0..3), swipe (8), contactless (9, as libbiomeval
reads it), palms (10, 11) and the contact/contactless codes 20..29."""

FINGER_POSITIONS_2009 = frozenset({*range(16), *range(40, 51)})


# --------------------------------------------------------------------------
# 2004


def decode_2004(data: bytes) -> list[Template]:
    """Decode every finger view of an ANSI INCITS 378-2004 record.

    ``metadata`` of each template: ``format``, ``cbeff_product_id`` (owner,
    type), ``capture_equipment_id``, ``capture_equipment_compliance``,
    ``view_index``, ``view_number``, ``impression_type``,
    ``resolution_ppcm``, ``extended_data_bytes``, ``minutiae_outside_image``.

    Raises
    ------
    TemplateDecodeError
        The record is malformed; the error names the field and byte offset.
    """
    raw = as_record_bytes(data)
    return decode_with_repair(lambda walker: _decode_2004(raw, walker), walk_core_delta_ansi)


def _decode_2004(data: bytes, core_delta: CoreDeltaWalker | None) -> list[Template]:
    r = Reader(data)
    read_magic(r, VERSION_2004, FORMAT_2004)
    length = r.u16("record length")
    if length == 0:
        length = r.u32("record length")
    read_record_length(r, length, 8)
    header: dict[str, object] = {
        "cbeff_product_id": (r.u16("CBEFF product owner"), r.u16("CBEFF product type")),
    }
    equipment = r.u16("capture equipment")
    header["capture_equipment_id"] = equipment & 0x0FFF
    header["capture_equipment_compliance"] = equipment >> 12
    geometry, views = read_geometry_2005(r)
    templates = [
        read_view_2005(r, i, FORMAT_2004, geometry, RULES_2004, core_delta, header)
        for i in range(views)
    ]
    r.expect_end("record length", 8)
    return templates


def encode_2004(templates: Sequence[Template]) -> bytes:
    """Encode templates as the finger views of one ANSI INCITS 378-2004 record.

    As :func:`interop.fingerprints.codecs.iso2005.encode`, with angles
    rounded to the nearest 2 degrees and the CBEFF product ID taken from
    ``metadata["cbeff_product_id"]`` when present (else 0, 0).

    Raises
    ------
    TemplateEncodeError
        A template does not fit the format.
    """
    geometry = shared_geometry(templates)
    first = templates[0]
    product = first.metadata.get("cbeff_product_id", (0, 0))
    if (
        not isinstance(product, tuple)
        or len(product) != 2
        or not all(isinstance(v, int) and 0 <= v <= 0xFFFF for v in product)
    ):
        raise TemplateEncodeError("metadata 'cbeff_product_id' is not two 16-bit integers")
    body = Writer()
    body.u16(product[0], "CBEFF product owner")
    body.u16(product[1], "CBEFF product type")
    body.u16(encode_metadata(first, "capture_equipment_id", range(0x1000)), "capture equipment")
    body.u16(geometry.width, "image width")
    body.u16(geometry.height, "image height")
    body.u16(geometry.ppcm_x, "x resolution")
    body.u16(geometry.ppcm_y, "y resolution")
    body.u8(len(templates), "number of finger views")
    body.u8(0, "reserved byte")
    for template in templates:
        encode_view_2005(body, template, ANSI_ANGLE_UNIT, 180)
    w = Writer()
    w.raw(b"FMR\x00" + VERSION_2004)
    total = 8 + 2 + len(body.buf)
    if total <= 0xFFFF:
        w.u16(total, "record length")
    else:
        w.u16(0, "record length")
        w.u32(total + 4, "record length")
    w.raw(bytes(body.buf))
    return bytes(w.buf)


# --------------------------------------------------------------------------
# 2009 (and the libbiomeval 2007 layout, and amendment 1)


def decode_2009(data: bytes) -> list[Template]:
    """Decode every finger view of an ANSI INCITS 378-2009 record (version ``"030\\0"``).

    ``metadata`` of each template: ``format``, ``cbeff_product_id``,
    ``capture_device_certification``, ``capture_device_type``,
    ``view_index``, ``view_number``, ``impression_type``,
    ``resolution_ppcm``, ``quality_algorithm`` (vendor, ID),
    ``extended_data_bytes``, ``minutiae_outside_image``.

    Raises
    ------
    TemplateDecodeError
        The record is malformed; the error names the field and byte offset.
    """
    return _decode_2009_family(data, FORMAT_2009, VERSION_2009, _header_2009)


def decode_2009_am1(data: bytes) -> list[Template]:
    """Decode an ANSI INCITS 378-2009/AM1 record (version ``"035\\0"``, 2009 layout)."""
    return _decode_2009_family(data, FORMAT_2009_AM1, VERSION_2009_AM1, _header_2009)


def decode_2007(data: bytes) -> list[Template]:
    """Decode a record in the libbiomeval "ANSI 2007" layout (version ``"030\\0"``).

    As :func:`decode_2009` but with the 20-byte header; ``metadata`` has
    ``capture_equipment_id`` and ``capture_equipment_compliance`` in place of
    the 2009 device fields.
    """
    return _decode_2009_family(data, FORMAT_2007, VERSION_2009, _header_2007)


HeaderReader = Callable[[Reader], dict[str, object]]


def _header_2009(r: Reader) -> dict[str, object]:
    return {
        "cbeff_product_id": (r.u16("CBEFF product owner"), r.u16("CBEFF product type")),
        "capture_device_certification": r.u8("capture device certification"),
        "capture_device_type": r.u16("capture device type"),
    }


def _header_2007(r: Reader) -> dict[str, object]:
    product = (r.u16("CBEFF product owner"), r.u16("CBEFF product type"))
    equipment = r.u16("capture equipment")
    return {
        "cbeff_product_id": product,
        "capture_equipment_id": equipment & 0x0FFF,
        "capture_equipment_compliance": equipment >> 12,
    }


def _decode_2009_family(
    data: bytes, format_name: str, version: bytes, read_header: HeaderReader
) -> list[Template]:
    raw = as_record_bytes(data)

    def decode(core_delta: CoreDeltaWalker | None) -> list[Template]:
        r = Reader(raw)
        read_magic(r, version, format_name)
        read_record_length(r, r.u32("record length"), 8)
        header = read_header(r)
        offset = r.pos
        views = r.u8("number of finger views")
        if views == 0:
            raise TemplateDecodeError(
                "record holds no finger view", field="number of finger views", offset=offset
            )
        r.u8("reserved byte")
        templates = [_read_view_2009(r, i, format_name, header, core_delta) for i in range(views)]
        r.expect_end("record length", 8)
        return templates

    return decode_with_repair(decode, walk_core_delta_ansi)


def _read_view_2009(
    r: Reader,
    index: int,
    format_name: str,
    header: dict[str, object],
    core_delta: CoreDeltaWalker | None,
) -> Template:
    offset = r.pos
    position = r.u8("finger position")
    if position not in FINGER_POSITIONS_2009:
        raise TemplateDecodeError(
            f"finger position {position} is not a defined code",
            field="finger position",
            offset=offset,
        )
    number = r.u8("view number")
    if number > 15:
        raise TemplateDecodeError(
            f"view number {number} is above 15", field="view number", offset=offset + 1
        )
    impression = r.u8("impression type")
    if impression not in IMPRESSION_TYPES_2009:
        raise TemplateDecodeError(
            f"impression type {impression} is not a defined code",
            field="impression type",
            offset=offset + 2,
        )
    quality = r.u8("finger quality")
    if quality > 100 and quality not in (254, 255):
        raise TemplateDecodeError(
            f"finger quality {quality} is outside 0..100 and not 254 or 255",
            field="finger quality",
            offset=offset + 3,
        )
    algorithm = (r.u16("quality algorithm vendor"), r.u16("quality algorithm"))
    width = read_nonzero_u16(r, "image width")
    height = read_nonzero_u16(r, "image height")
    ppcm_x = read_nonzero_u16(r, "x resolution")
    ppcm_y = read_nonzero_u16(r, "y resolution")
    count_offset = r.pos
    count = r.u8("number of minutiae")
    minutiae = read_minutiae(r, count, count_offset, RULES_2009)
    extended = skip_extended_data(r, core_delta)
    return Template(
        minutiae,
        width=width,
        height=height,
        resolution_ppi=ppcm_to_ppi(ppcm_x),
        quality=quality if quality <= 100 else 0,
        finger_position=position,
        metadata={
            "format": format_name,
            **header,
            "view_index": index,
            "view_number": number,
            "impression_type": impression,
            "resolution_ppcm": (ppcm_x, ppcm_y),
            "quality_algorithm": algorithm,
            "extended_data_bytes": extended,
            "minutiae_outside_image": count_outside(minutiae, width, height),
        },
    )
