"""ISO/IEC 19794-2:2011 finger minutiae record (version ``"030\\0"``).

Layout (big-endian), after the ISO/IEC 19794-1:2011 general header::

    general record header (15 bytes)
      0  format identifier           4  "FMR\\0"
      4  version                     4  "030\\0"
      8  record length               4  whole record
     12  number of representations   2  (zero is rejected)
     14  certification flag          1  0 or 1
    per finger representation
         representation length       4  this representation, these 4 bytes included
         capture date and time       9  year (2), month, day, hour, minute, second,
                                        millisecond (2); all 0xFF = not given
         capture device technology   1
         capture device vendor ID    2
         capture device type ID      2
         quality blocks              1 count + 5 each: score (0..100, 255 = failed),
                                        algorithm vendor ID (2), algorithm ID (2)
         certification blocks        only if the flag is 1: 1 count + 3 each:
                                        authority ID (2), scheme ID (1)
         finger position             1
         representation number       1  0..15
         x, y resolution             2+2  pixels per centimetre
         impression type             1
         image width, height         2+2  pixels
         minutia field length,       1  high 4 bits: 5 or 6 bytes per minutia;
           ridge ending type            low 4 bits: 0 or 1
         number of minutiae          1
         minutiae                    5 or 6 each: type (2 bits) + x (14),
                                        reserved (2) + y (14), angle (360/256 degrees),
                                        quality (0..100, 254 = not computed,
                                        255 = failed; absent in 5-byte records)
         extended data               2-byte length + type/length/data areas

Unlike the 2005 edition, every representation carries its own image size and
resolution, and the image quality sits in quality blocks: the first block's
score becomes :attr:`Template.quality` (0 when there is none or it is 255).
Angles follow the same counter-clockwise convention as the 2005 edition.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import TemplateDecodeError, TemplateEncodeError
from ..template import Template
from ._binary import (
    ISO_ANGLE_UNIT,
    CoreDeltaWalker,
    MinutiaRules,
    Reader,
    Writer,
    as_record_bytes,
    count_outside,
    decode_with_repair,
    encode_geometry,
    encode_metadata,
    encode_minutiae,
    encode_range,
    ppcm_to_ppi,
    read_magic,
    read_minutiae,
    read_nonzero_u16,
    read_record_length,
    skip_extended_data,
    walk_core_delta_iso,
)

FORMAT_NAME = "iso19794-2:2011"
VERSION = b"030\x00"
HEADER_SIZE = 15
MIN_REPRESENTATION_LENGTH = 34
"""Smallest representation: no quality or certification block, no minutia."""

IMPRESSION_TYPES = frozenset({*range(10), 24, 28, 29})
"""Live/non-live plain and rolled (0..3), latents (4..7), swipe (8), vertical roll
(9), live contactless (24), other (28), unknown (29)."""

FINGER_POSITIONS = frozenset({*range(16), *range(40, 51)})
"""Single fingers 0..10, plain thumbs 11, 12, multi-finger codes 13..15 and 40..50."""

NOT_GIVEN = (0xFFFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFFFF)
"""Capture date and time fields when the time is not recorded."""

UNREPORTED_MINUTIA_QUALITY = 254


def _rules(record_size: int) -> MinutiaRules:
    return MinutiaRules(
        record_size=record_size,
        angle_unit=ISO_ANGLE_UNIT,
        max_angle=255,
        unreported_quality=(254, 255),
    )


def decode(data: bytes) -> list[Template]:
    """Decode every finger representation of an ISO/IEC 19794-2:2011 record.

    Returns one :class:`Template` per representation; ``metadata`` holds
    ``format``, ``view_index``, ``view_number`` (the representation number),
    ``impression_type``, ``resolution_ppcm``, ``capture_datetime`` (7-tuple
    or None), ``capture_device_technology``, ``capture_device_vendor``,
    ``capture_device_type``, ``quality_blocks`` (tuple of (score, vendor,
    algorithm)), ``certification_blocks``, ``ridge_ending_type``,
    ``minutia_record_size``, ``extended_data_bytes`` and
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
    count = r.u16("number of finger representations")
    if count == 0:
        raise TemplateDecodeError(
            "record holds no finger representation",
            field="number of finger representations",
            offset=12,
        )
    certified = r.u8("certification flag")
    if certified > 1:
        raise TemplateDecodeError(
            f"certification flag {certified} is neither 0 nor 1",
            field="certification flag",
            offset=14,
        )
    templates = []
    for i in range(count):
        offset = r.pos
        length = r.u32("representation length")
        if length < MIN_REPRESENTATION_LENGTH:
            raise TemplateDecodeError(
                f"representation length {length} is below the minimum {MIN_REPRESENTATION_LENGTH}",
                field="representation length",
                offset=offset,
            )
        body = r.sub(length - 4, "representation length", f"finger representation {i}", at=offset)
        templates.append(_read_representation(body, i, offset, bool(certified), core_delta))
    r.expect_end("record length", 8)
    return templates


def _read_representation(
    r: Reader, index: int, offset: int, certified: bool, core_delta: CoreDeltaWalker | None
) -> Template:
    when = (
        r.u16("capture year"),
        r.u8("capture month"),
        r.u8("capture day"),
        r.u8("capture hour"),
        r.u8("capture minute"),
        r.u8("capture second"),
        r.u16("capture millisecond"),
    )
    technology = r.u8("capture device technology")
    vendor = r.u16("capture device vendor")
    device = r.u16("capture device type")
    quality_blocks = []
    for _ in range(r.u8("number of quality blocks")):
        score_offset = r.pos
        score = r.u8("quality score")
        if score > 100 and score != 255:
            raise TemplateDecodeError(
                f"quality score {score} is outside 0..100 and not 255",
                field="quality score",
                offset=score_offset,
            )
        quality_blocks.append(
            (score, r.u16("quality algorithm vendor"), r.u16("quality algorithm"))
        )
    certification_blocks = []
    if certified:
        for _ in range(r.u8("number of certification blocks")):
            certification_blocks.append(
                (r.u16("certification authority"), r.u8("certification scheme"))
            )
    position_offset = r.pos
    position = r.u8("finger position")
    if position not in FINGER_POSITIONS:
        raise TemplateDecodeError(
            f"finger position {position} is not a defined code",
            field="finger position",
            offset=position_offset,
        )
    number = r.u8("representation number")
    if number > 15:
        raise TemplateDecodeError(
            f"representation number {number} is above 15",
            field="representation number",
            offset=position_offset + 1,
        )
    ppcm_x = read_nonzero_u16(r, "x resolution")
    ppcm_y = read_nonzero_u16(r, "y resolution")
    impression_offset = r.pos
    impression = r.u8("impression type")
    if impression not in IMPRESSION_TYPES:
        raise TemplateDecodeError(
            f"impression type {impression} is not a defined code",
            field="impression type",
            offset=impression_offset,
        )
    width = read_nonzero_u16(r, "image width")
    height = read_nonzero_u16(r, "image height")
    field_offset = r.pos
    field_byte = r.u8("minutia field length")
    record_size, ending = field_byte >> 4, field_byte & 0x0F
    if record_size not in (5, 6):
        raise TemplateDecodeError(
            f"minutia field length {record_size} is neither 5 nor 6",
            field="minutia field length",
            offset=field_offset,
        )
    if ending > 1:
        raise TemplateDecodeError(
            f"ridge ending type {ending} is neither 0 nor 1",
            field="ridge ending type",
            offset=field_offset,
        )
    count_offset = r.pos
    count = r.u8("number of minutiae")
    minutiae = read_minutiae(r, count, count_offset, _rules(record_size))
    extended = skip_extended_data(r, core_delta)
    r.expect_end("representation length", offset)
    first_score = quality_blocks[0][0] if quality_blocks else 0
    return Template(
        minutiae,
        width=width,
        height=height,
        resolution_ppi=ppcm_to_ppi(ppcm_x),
        quality=first_score if first_score <= 100 else 0,
        finger_position=position,
        metadata={
            "format": FORMAT_NAME,
            "view_index": index,
            "view_number": number,
            "impression_type": impression,
            "resolution_ppcm": (ppcm_x, ppcm_y),
            "capture_datetime": None if when == NOT_GIVEN else when,
            "capture_device_technology": technology,
            "capture_device_vendor": vendor,
            "capture_device_type": device,
            "quality_blocks": tuple(quality_blocks),
            "certification_blocks": tuple(certification_blocks),
            "ridge_ending_type": ending,
            "minutia_record_size": record_size,
            "extended_data_bytes": extended,
            "minutiae_outside_image": count_outside(minutiae, width, height),
        },
    )


def encode(templates: Sequence[Template]) -> bytes:
    """Encode templates as the finger representations of one ISO/IEC 19794-2:2011 record.

    Each template keeps its own image size and resolution.  Minutiae are
    written as 6-byte records (quality 0 becomes 254, "not computed"); the
    image quality, when non-zero, as one quality block whose algorithm vendor
    and ID are 0 ("not reported").  ``metadata`` supplies ``view_number``,
    ``impression_type``, ``ridge_ending_type``, ``capture_datetime``,
    ``capture_device_technology``, ``capture_device_vendor`` and
    ``capture_device_type`` when present; no certification blocks and no
    extended data are written.

    Raises
    ------
    TemplateEncodeError
        A template does not fit the format.
    """
    if not templates:
        raise TemplateEncodeError("a record needs at least one finger representation")
    if len(templates) > 0xFFFF:
        raise TemplateEncodeError(f"{len(templates)} finger representations is too many")
    w = Writer()
    w.raw(b"FMR\x00" + VERSION)
    w.u32(0, "record length")
    w.u16(len(templates), "number of finger representations")
    w.u8(0, "certification flag")
    for template in templates:
        _encode_representation(w, template)
    w.patch_u32(8, len(w.buf), "record length")
    return bytes(w.buf)


def _encode_representation(w: Writer, template: Template) -> None:
    start = len(w.buf)
    w.u32(0, "representation length")
    when = template.metadata.get("capture_datetime")
    fields = NOT_GIVEN if when is None else when
    if not isinstance(fields, tuple) or len(fields) != 7:
        raise TemplateEncodeError("metadata 'capture_datetime' is not a 7-tuple of integers")
    for value, size in zip(fields, (2, 1, 1, 1, 1, 1, 2), strict=True):
        number = encode_range(value, 0, (1 << (8 * size)) - 1, "capture date and time")
        if size == 2:
            w.u16(number, "capture date and time")
        else:
            w.u8(number, "capture date and time")
    w.u8(encode_metadata(template, "capture_device_technology", range(256)), "technology")
    w.u16(encode_metadata(template, "capture_device_vendor", range(0x10000)), "vendor")
    w.u16(encode_metadata(template, "capture_device_type", range(0x10000)), "device type")
    quality = encode_range(template.quality, 0, 100, "finger quality")
    if quality:
        w.u8(1, "number of quality blocks")
        w.u8(quality, "quality score")
        w.u16(0, "quality algorithm vendor")
        w.u16(0, "quality algorithm")
    else:
        w.u8(0, "number of quality blocks")
    position = encode_range(template.finger_position, 0, 255, "finger position")
    if position not in FINGER_POSITIONS:
        raise TemplateEncodeError(f"finger position {position} is not a defined code")
    w.u8(position, "finger position")
    w.u8(encode_metadata(template, "view_number", range(16)), "representation number")
    geometry = encode_geometry(template)
    w.u16(geometry.ppcm_x, "x resolution")
    w.u16(geometry.ppcm_y, "y resolution")
    w.u8(encode_metadata(template, "impression_type", IMPRESSION_TYPES), "impression type")
    w.u16(geometry.width, "image width")
    w.u16(geometry.height, "image height")
    ending = encode_metadata(template, "ridge_ending_type", range(2))
    w.u8(6 << 4 | ending, "minutia field length")
    minutiae = encode_minutiae(template, ISO_ANGLE_UNIT, 256, UNREPORTED_MINUTIA_QUALITY)
    w.u8(len(template), "number of minutiae")
    w.raw(minutiae)
    w.u16(0, "extended data block length")
    w.patch_u32(start, len(w.buf) - start, "representation length")
