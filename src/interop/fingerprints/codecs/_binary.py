"""Building blocks shared by the minutiae record codecs.

* :class:`Reader`: a bounds-checked big-endian reader.  Every read names the
  field it reads; running past the end raises
  :class:`~interop.fingerprints.errors.TemplateDecodeError` with that field
  and the absolute byte offset from the start of the record, so no
  ``IndexError`` or ``struct.error`` can escape a codec.
* :class:`Writer`: the big-endian writer used by the encoders; it refuses
  values that do not fit their field (:class:`TemplateEncodeError`).
* The finger minutia data (FMD) block, laid out alike in every format
  (2-bit type + 14-bit x, 2 reserved bits + 14-bit y, 1-byte angle, 1-byte
  quality, which ISO 2011 may leave out), decoded vectorised and validated;
  only the angle unit differs (ISO 360/256 degrees, ANSI 2 degrees).
* The extended data block (2-byte total length, then type/length/data
  areas), skipped by its lengths, plus the core/delta size walkers used to
  recover records whose core/delta area length is miswritten (see
  :func:`decode_with_repair`).
* Unit conversions: pixels per centimetre <-> pixels per inch.
* The record header tail and finger view shared by ISO 19794-2:2005 and ANSI
  INCITS 378-2004, for decoding and encoding.

Coordinate policy: a minutia position is a 14-bit field, and that is the
only bound enforced on decode and encode.  The standards ask for positions
inside the declared image, but real extractors put minutiae on or just past
the border (or declare a fixed frame smaller than the image), and refusing
the whole record would lose a usable template.  Decoders therefore keep such
positions as written and count them in ``metadata["minutiae_outside_image"]``;
encoders write any position that fits the field, so a decoded record always
re-encodes.

Error messages never contain minutia values (positions, angles, qualities),
only field names, counts and offsets, so they are safe to log.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ..errors import TemplateDecodeError, TemplateEncodeError
from ..template import MINUTIA_DTYPE, Template

MAX_TEMPLATE_BYTES = 1 << 20
"""Largest record, in bytes, any decoder accepts (1 MiB; 255 minutiae per view
make real records a few kilobytes)."""

FORMAT_IDENTIFIER = b"FMR\x00"
"""Bytes 0..3 of every finger minutiae record."""

ISO_ANGLE_UNIT = 2.0 * math.pi / 256.0
"""Radians per angle code in ISO/IEC 19794-2 (2005 and 2011): 1.40625 degrees."""

ANSI_ANGLE_UNIT = 2.0 * math.pi / 180.0
"""Radians per angle code in ANSI INCITS 378 (2004 and 2009): 2 degrees, codes 0..179."""

CM_PER_INCH = 2.54

# Impression type codes accepted in the 2005-generation formats: live-scan /
# non-live-scan plain and rolled (0..3), swipe (8) and contactless plain (9,
# which NIST libbiomeval also accepts).
IMPRESSION_TYPES = frozenset({0, 1, 2, 3, 8, 9})

MAX_FINGER_POSITION = 10
"""Largest finger position code of a single finger (0 = unknown, 1..10)."""

MAX_MINUTIAE = 255
"""The minutiae count is one byte in every format."""

MAX_COORDINATE = (1 << 14) - 1
"""Minutia coordinates are 14-bit fields."""


# --------------------------------------------------------------------------
# reading


class Reader:
    """Bounds-checked big-endian reader over ``data[pos:end]``.

    Offsets in errors are absolute (from the start of ``data``, i.e. of the
    record).  ``scope`` names the enclosing structure in messages
    (``"record"``, ``"finger representation 1"``).
    """

    __slots__ = ("data", "end", "pos", "scope")

    def __init__(
        self, data: bytes, pos: int = 0, end: int | None = None, scope: str = "record"
    ) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end
        self.scope = scope

    @property
    def remaining(self) -> int:
        """Bytes left before ``end``."""
        return self.end - self.pos

    def need(self, n: int, field: str, *, at: int | None = None) -> None:
        """Raise unless ``n`` more bytes are available; ``at`` overrides the reported offset."""
        left = self.end - self.pos
        if n > left:
            raise TemplateDecodeError(
                f"{field} needs {n} bytes but only {left} remain in the {self.scope}",
                field=field,
                offset=self.pos if at is None else at,
            )

    def u8(self, field: str) -> int:
        """Read one unsigned byte."""
        self.need(1, field)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def u16(self, field: str) -> int:
        """Read a big-endian unsigned 16-bit integer."""
        self.need(2, field)
        value = int.from_bytes(self.data[self.pos : self.pos + 2], "big")
        self.pos += 2
        return value

    def u32(self, field: str) -> int:
        """Read a big-endian unsigned 32-bit integer."""
        self.need(4, field)
        value = int.from_bytes(self.data[self.pos : self.pos + 4], "big")
        self.pos += 4
        return value

    def take(self, n: int, field: str, *, at: int | None = None) -> bytes:
        """Read ``n`` raw bytes."""
        self.need(n, field, at=at)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def skip(self, n: int, field: str, *, at: int | None = None) -> None:
        """Skip ``n`` bytes (bounds-checked)."""
        self.need(n, field, at=at)
        self.pos += n

    def sub(self, n: int, field: str, scope: str, *, at: int | None = None) -> Reader:
        """Return a reader over the next ``n`` bytes and advance past them."""
        self.need(n, field, at=at)
        child = Reader(self.data, self.pos, self.pos + n, scope)
        self.pos += n
        return child

    def expect_end(self, field: str, offset: int) -> None:
        """Raise if bytes are left over: the length at ``offset`` disagrees with the content."""
        if self.pos != self.end:
            raise TemplateDecodeError(
                f"{self.end - self.pos} bytes at the end of the {self.scope} belong to no field",
                field=field,
                offset=offset,
            )


def as_record_bytes(data: object) -> bytes:
    """Return ``data`` as ``bytes`` after the size limit check.

    Raises
    ------
    TypeError
        ``data`` is not bytes-like (a programming error, not a bad record).
    TemplateDecodeError
        The record exceeds :data:`MAX_TEMPLATE_BYTES`.
    """
    if isinstance(data, bytes):
        raw = data
    elif isinstance(data, bytearray | memoryview):
        raw = bytes(data)
    else:
        raise TypeError(f"template record must be bytes-like, got {type(data).__name__}")
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise TemplateDecodeError(
            f"record of {len(raw)} bytes exceeds the {MAX_TEMPLATE_BYTES}-byte limit",
            field="record length",
            offset=MAX_TEMPLATE_BYTES,
        )
    return raw


def read_magic(r: Reader, version: bytes, format_name: str) -> None:
    """Check the format identifier ``FMR\\0`` and the 4-byte version."""
    if r.take(4, "format identifier") != FORMAT_IDENTIFIER:
        raise TemplateDecodeError(
            "not a finger minutiae record (format identifier is not 'FMR\\0')",
            field="format identifier",
            offset=0,
        )
    if r.take(4, "version") != version:
        raise TemplateDecodeError(
            f"version is not {version!r} as {format_name} requires", field="version", offset=4
        )


def read_record_length(r: Reader, value: int, offset: int) -> None:
    """Check a record length field (``value`` read at ``offset``) against the buffer."""
    if value != len(r.data):
        raise TemplateDecodeError(
            f"record length field says {value} bytes but the record has {len(r.data)}",
            field="record length",
            offset=offset,
        )


def read_nonzero_u16(r: Reader, field: str) -> int:
    """Read a 16-bit field that must not be zero (image size, resolution)."""
    offset = r.pos
    value = r.u16(field)
    if value == 0:
        raise TemplateDecodeError(f"{field} is zero", field=field, offset=offset)
    return value


def check_range(value: int, low: int, high: int, field: str, offset: int) -> None:
    """Raise unless ``low <= value <= high`` (the value itself is structural, not minutia data)."""
    if not low <= value <= high:
        raise TemplateDecodeError(
            f"{field} {value} is outside {low}..{high}", field=field, offset=offset
        )


def ppcm_to_ppi(ppcm: int) -> int:
    """Pixels per centimetre to pixels per inch, rounded (197 ppcm -> 500 ppi)."""
    return round(ppcm * CM_PER_INCH)


def ppi_to_ppcm(ppi: int) -> int:
    """Pixels per inch to pixels per centimetre, rounded (500 ppi -> 197 ppcm)."""
    return round(ppi / CM_PER_INCH)


class MinutiaRules(NamedTuple):
    """How one format lays out and bounds a finger minutia data record."""

    record_size: int
    """Bytes per minutia: 6, or 5 in ISO 2011 records without minutia quality."""
    angle_unit: float
    """Radians per angle code."""
    max_angle: int
    """Largest valid angle code (255 for ISO, 179 for ANSI)."""
    unreported_quality: tuple[int, ...]
    """Quality codes meaning 'not reported' / 'could not compute', mapped to 0."""


def read_minutiae(
    r: Reader, count: int, count_offset: int, rules: MinutiaRules
) -> npt.NDArray[np.void]:
    """Decode and validate ``count`` minutia records into a :data:`MINUTIA_DTYPE` array.

    Positions are pixels, angles radians (code times ``rules.angle_unit``),
    quality 0..100 with the format's "not reported" codes mapped to 0.
    Positions are not checked against the image size (see the module
    docstring); use :func:`count_outside`.

    Raises
    ------
    TemplateDecodeError
        The records run past the buffer (reported at the count field), or the
        first bad minutia has a reserved type code, non-zero reserved bits, an
        angle code above ``rules.max_angle`` or a quality outside 0..100 and
        the special codes.
    """
    size = rules.record_size
    start = r.pos
    if count * size > r.remaining:
        raise TemplateDecodeError(
            f"{count} minutiae of {size} bytes need {count * size} bytes but only "
            f"{r.remaining} remain in the {r.scope}",
            field="number of minutiae",
            offset=count_offset,
        )
    raw = r.take(count * size, "number of minutiae")
    a = np.frombuffer(raw, dtype=np.uint8).reshape(count, size).astype(np.int64)
    xw = (a[:, 0] << 8) | a[:, 1]
    yw = (a[:, 2] << 8) | a[:, 3]
    kind = xw >> 14
    x = xw & MAX_COORDINATE
    reserved = yw >> 14
    y = yw & MAX_COORDINATE
    angle = a[:, 4]
    quality = a[:, 5] if size >= 6 else np.zeros(count, dtype=np.int64)
    unreported = np.isin(quality, rules.unreported_quality)
    # (mask of bad minutiae, field, byte offset of the field inside a record, what is wrong)
    checks = (
        (kind == 3, "minutia type", 0, "reserved type code 3"),
        (reserved != 0, "minutia reserved bits", 2, "reserved bits are not zero"),
        (angle > rules.max_angle, "minutia angle", 4, f"angle code above {rules.max_angle}"),
        ((quality > 100) & ~unreported, "minutia quality", 5, "quality outside 0..100"),
    )
    bad = np.zeros(count, dtype=bool)
    for mask, *_ in checks:
        bad |= mask
    if bad.any():
        i = int(np.argmax(bad))
        for mask, field, field_offset, what in checks:
            if mask[i]:
                raise TemplateDecodeError(
                    f"minutia {i}: {what}", field=field, offset=start + i * size + field_offset
                )
    m = np.zeros(count, dtype=MINUTIA_DTYPE)
    m["x"] = x
    m["y"] = y
    # max_angle * unit < 2*pi in every format, so no wrap-around is needed
    m["angle"] = angle * rules.angle_unit
    m["type"] = kind
    m["quality"] = np.where(unreported, 0, quality)
    return m


def count_outside(minutiae: npt.NDArray[np.void], width: int, height: int) -> int:
    """Number of minutiae at ``x >= width`` or ``y >= height`` (kept, but not in the image)."""
    return int(np.count_nonzero((minutiae["x"] >= width) | (minutiae["y"] >= height)))


# --------------------------------------------------------------------------
# extended data

CoreDeltaWalker = Callable[[Reader], None]
"""Reads (and so measures) one core/delta area body, bounds-checked."""

EXTENDED_TYPE_CORE_DELTA = 0x0002


def skip_extended_data(r: Reader, core_delta: CoreDeltaWalker | None = None) -> int:
    """Skip one extended data block; return its declared length in bytes.

    In strict mode (``core_delta is None``) the block is walked by its
    lengths: the areas' lengths (each including its 4-byte header) must add
    up exactly to the block length, which must fit in the buffer.

    In repair mode the areas are iterated by their declared lengths, as NIST
    libbiomeval does, but a core/delta area (type 2) is measured by walking
    its content with ``core_delta``; the reader ends up after the bytes
    actually present.  This recovers records whose writer miscounted the
    core/delta area (libbiomeval's own sample records do).
    """
    block_offset = r.pos
    length = r.u16("extended data block length")
    if length == 0:
        return 0
    if core_delta is None and length > r.remaining:
        raise TemplateDecodeError(
            f"extended data block of {length} bytes overruns the {r.scope} ({r.remaining} left)",
            field="extended data block length",
            offset=block_offset,
        )
    consumed = 0
    while consumed < length:
        area_offset = r.pos
        if length - consumed < 4:
            raise TemplateDecodeError(
                f"{length - consumed} bytes left in the extended data block cannot hold an area",
                field="extended data block length",
                offset=block_offset,
            )
        area_type = r.u16("extended data type")
        area_length = r.u16("extended data area length")
        if area_type == 0:
            raise TemplateDecodeError(
                "extended data type 0 is reserved", field="extended data type", offset=area_offset
            )
        if area_length < 4 or area_length > length - consumed:
            raise TemplateDecodeError(
                f"extended data area length {area_length} is outside 4..{length - consumed}",
                field="extended data area length",
                offset=area_offset + 2,
            )
        if core_delta is not None and area_type == EXTENDED_TYPE_CORE_DELTA:
            core_delta(r)
        else:
            r.skip(area_length - 4, "extended data area", at=area_offset)
        consumed += area_length
    return length


def walk_core_delta_iso(r: Reader) -> None:
    """Walk an ISO/IEC 19794-2:2005 core/delta body.

    Counts are whole bytes; each point's x field carries the info type in its
    top two bits, and type 01 ("angular") means angles follow: one for a
    core, three for a delta.
    """
    for n_angles, what in ((1, "core"), (3, "delta")):
        count = r.u8(f"number of {what}s")
        for _ in range(count):
            xw = r.u16(f"{what} x")
            r.u16(f"{what} y")
            if xw >> 14 == 1:
                r.skip(n_angles, f"{what} angle")


def walk_core_delta_ansi(r: Reader) -> None:
    """Walk an ANSI INCITS 378 core/delta body.

    The info type sits in the top two bits of each count byte (01 = every
    point has angles), the count in the low four bits.
    """
    for n_angles, what in ((1, "core"), (3, "delta")):
        offset = r.pos
        info = r.u8(f"number of {what}s")
        if info & 0x30:
            raise TemplateDecodeError(
                f"reserved bits set in the {what} count", field=f"number of {what}s", offset=offset
            )
        size = 4 + (n_angles if info >> 6 == 1 else 0)
        r.skip(size * (info & 0x0F), f"{what} data")


def decode_with_repair(
    decode: Callable[[CoreDeltaWalker | None], list[Template]], walker: CoreDeltaWalker
) -> list[Template]:
    """Run ``decode`` strictly; if that fails, once more in core/delta repair mode.

    The repaired decode is accepted only if the whole record then parses
    exactly to its record length, so a real length lie still fails; the
    strict error is the one raised.  Repaired templates carry
    ``metadata["extended_data_repaired"] = True``.
    """
    try:
        return decode(None)
    except TemplateDecodeError as strict_error:
        try:
            templates = decode(walker)
        except TemplateDecodeError:
            raise strict_error from None
    for t in templates:
        t.metadata["extended_data_repaired"] = True
    return templates


# --------------------------------------------------------------------------
# writing


class Writer:
    """Big-endian writer that refuses values that do not fit their field."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = bytearray()

    def _put(self, value: int, nbytes: int, field: str) -> None:
        number = int(value)
        if not 0 <= number < 1 << (8 * nbytes):
            raise TemplateEncodeError(f"{field} {number} does not fit in {nbytes} byte(s)")
        self.buf += number.to_bytes(nbytes, "big")

    def u8(self, value: int, field: str) -> None:
        """Append one unsigned byte."""
        self._put(value, 1, field)

    def u16(self, value: int, field: str) -> None:
        """Append a big-endian unsigned 16-bit integer."""
        self._put(value, 2, field)

    def u32(self, value: int, field: str) -> None:
        """Append a big-endian unsigned 32-bit integer."""
        self._put(value, 4, field)

    def raw(self, data: bytes) -> None:
        """Append bytes verbatim."""
        self.buf += data

    def patch_u32(self, offset: int, value: int, field: str) -> None:
        """Overwrite the 4-byte field at ``offset`` (a length known only at the end)."""
        if not 0 <= value <= 0xFFFFFFFF:
            raise TemplateEncodeError(f"{field} {value} does not fit in 4 bytes")
        self.buf[offset : offset + 4] = value.to_bytes(4, "big")


def encode_range(value: object, low: int, high: int, field: str) -> int:
    """Return ``value`` as an int in ``low..high`` or raise :class:`TemplateEncodeError`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TemplateEncodeError(f"{field} must be an integer, got {type(value).__name__}")
    number = int(value)
    if not low <= number <= high:
        raise TemplateEncodeError(f"{field} {number} is outside {low}..{high}")
    return number


def encode_metadata(
    template: Template, key: str, allowed: frozenset[int] | range, default: int = 0
) -> int:
    """``template.metadata[key]`` (an int in ``allowed``) if present, else ``default``."""
    value = template.metadata.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value not in allowed:
        raise TemplateEncodeError(f"metadata {key!r} is not representable in this format")
    return int(value)


class Geometry(NamedTuple):
    """Image size and resolution as written in a record."""

    width: int
    height: int
    ppcm_x: int
    ppcm_y: int


def encode_geometry(template: Template) -> Geometry:
    """Validated image size and pixels-per-centimetre resolution of a template.

    The resolution is ``metadata["resolution_ppcm"]`` when a decoder left it
    there and it still agrees with ``resolution_ppi`` (so a decoded record
    re-encodes its exact x and y resolution), else ``resolution_ppi``
    converted to pixels per centimetre for both axes.
    """
    width = encode_range(template.width, 1, 0xFFFF, "image width")
    height = encode_range(template.height, 1, 0xFFFF, "image height")
    ppi = encode_range(template.resolution_ppi, 1, 0xFFFF, "resolution (ppi)")
    stored = template.metadata.get("resolution_ppcm")
    if (
        isinstance(stored, tuple)
        and len(stored) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 0xFFFF for v in stored)
        and ppcm_to_ppi(stored[0]) == ppi
    ):
        return Geometry(width, height, stored[0], stored[1])
    ppcm = ppi_to_ppcm(ppi)
    if not 1 <= ppcm <= 0xFFFF:
        raise TemplateEncodeError(f"resolution {ppi} ppi is not representable in pixels per cm")
    return Geometry(width, height, ppcm, ppcm)


def encode_minutiae(
    template: Template, angle_unit: float, angle_codes: int, unreported_quality: int
) -> bytes:
    """Quantise and pack a template's minutiae as 6-byte records.

    Positions are rounded to whole pixels and must fit the 14-bit fields
    (not necessarily the image, see the module docstring); angles are
    rounded to the nearest code modulo ``angle_codes``; quality 0 ("not
    reported") is written as ``unreported_quality``.

    Raises
    ------
    TemplateEncodeError
        More than 255 minutiae, a non-finite value, a negative position or
        one beyond 14 bits, a type code above 2 or a quality above 100.
    """
    m = template.minutiae
    n = int(m.shape[0])
    if n > MAX_MINUTIAE:
        raise TemplateEncodeError(f"{n} minutiae; a finger view holds at most {MAX_MINUTIAE}")
    x = m["x"].astype(np.float64)
    y = m["y"].astype(np.float64)
    angle = m["angle"].astype(np.float64)
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(angle).all()):
        raise TemplateEncodeError("minutia position or angle is not finite")
    # compare before converting so that huge floats cannot overflow the integer cast
    if (x < -0.5).any() or (y < -0.5).any():
        raise TemplateEncodeError("minutia position is negative")
    if (x >= MAX_COORDINATE + 0.5).any() or (y >= MAX_COORDINATE + 0.5).any():
        raise TemplateEncodeError(f"minutia position beyond the 14-bit limit {MAX_COORDINATE}")
    xi = np.clip(np.rint(x), 0, MAX_COORDINATE).astype(np.int64)
    yi = np.clip(np.rint(y), 0, MAX_COORDINATE).astype(np.int64)
    kind = m["type"].astype(np.int64)
    if (kind > 2).any():
        raise TemplateEncodeError("minutia type code above 2")
    quality = m["quality"].astype(np.int64)
    if (quality > 100).any():
        raise TemplateEncodeError("minutia quality above 100")
    code = np.mod(np.rint(angle / angle_unit).astype(np.int64), angle_codes)
    out = np.empty((n, 6), dtype=np.uint8)
    xw = (kind << 14) | xi
    out[:, 0] = xw >> 8
    out[:, 1] = xw & 0xFF
    out[:, 2] = yi >> 8
    out[:, 3] = yi & 0xFF
    out[:, 4] = code
    out[:, 5] = np.where(quality == 0, unreported_quality, quality)
    return out.tobytes()


# --------------------------------------------------------------------------
# the finger view of the 2005-generation records (ISO 19794-2:2005, ANSI 378-2004)


def read_geometry_2005(r: Reader) -> tuple[Geometry, int]:
    """Read image size, resolution and the number of views (and the reserved byte).

    These fields end the record header of both ISO 19794-2:2005 and ANSI
    INCITS 378-2004; returns the geometry and the (non-zero) view count.
    """
    width = read_nonzero_u16(r, "image width")
    height = read_nonzero_u16(r, "image height")
    ppcm_x = read_nonzero_u16(r, "x resolution")
    ppcm_y = read_nonzero_u16(r, "y resolution")
    offset = r.pos
    views = r.u8("number of finger views")
    if views == 0:
        raise TemplateDecodeError(
            "record holds no finger view", field="number of finger views", offset=offset
        )
    r.u8("reserved byte")
    return Geometry(width, height, ppcm_x, ppcm_y), views


def read_view_2005(
    r: Reader,
    index: int,
    format_name: str,
    geometry: Geometry,
    rules: MinutiaRules,
    core_delta: CoreDeltaWalker | None,
    header_metadata: Mapping[str, object],
) -> Template:
    """Decode one finger view record of ISO 19794-2:2005 or ANSI INCITS 378-2004.

    Layout: finger position (1), view number (high 4 bits) and impression
    type (low 4 bits) (1), finger quality 0..100 (1), number of minutiae (1),
    the minutiae, then the extended data block.
    """
    offset = r.pos
    position = r.u8("finger position")
    check_range(position, 0, MAX_FINGER_POSITION, "finger position", offset)
    view_impression = r.u8("view number and impression type")
    impression = view_impression & 0x0F
    if impression not in IMPRESSION_TYPES:
        raise TemplateDecodeError(
            f"impression type {impression} is not a defined code",
            field="impression type",
            offset=offset + 1,
        )
    quality = r.u8("finger quality")
    check_range(quality, 0, 100, "finger quality", offset + 2)
    count = r.u8("number of minutiae")
    minutiae = read_minutiae(r, count, offset + 3, rules)
    extended = skip_extended_data(r, core_delta)
    return Template(
        minutiae,
        width=geometry.width,
        height=geometry.height,
        resolution_ppi=ppcm_to_ppi(geometry.ppcm_x),
        quality=quality,
        finger_position=position,
        metadata={
            "format": format_name,
            **header_metadata,
            "view_index": index,
            "view_number": view_impression >> 4,
            "impression_type": impression,
            "resolution_ppcm": (geometry.ppcm_x, geometry.ppcm_y),
            "extended_data_bytes": extended,
            "minutiae_outside_image": count_outside(minutiae, geometry.width, geometry.height),
        },
    )


def shared_geometry(templates: Sequence[Template]) -> Geometry:
    """The one geometry of all views of a 2005-generation record (header fields).

    Raises
    ------
    TemplateEncodeError
        No template, more than 255, or templates of different image size or
        resolution (these records hold one geometry for all views).
    """
    if not templates:
        raise TemplateEncodeError("a record needs at least one finger view")
    if len(templates) > 255:
        raise TemplateEncodeError(f"{len(templates)} finger views; a record holds at most 255")
    geometries = {encode_geometry(t) for t in templates}
    if len(geometries) != 1:
        raise TemplateEncodeError(
            "all finger views of this format share one image size and resolution"
        )
    return geometries.pop()


def encode_view_2005(w: Writer, template: Template, angle_unit: float, angle_codes: int) -> None:
    """Append one 2005-generation finger view (no extended data)."""
    w.u8(
        encode_range(template.finger_position, 0, MAX_FINGER_POSITION, "finger position"),
        "finger position",
    )
    view_number = encode_metadata(template, "view_number", range(16))
    impression = encode_metadata(template, "impression_type", IMPRESSION_TYPES)
    w.u8(view_number << 4 | impression, "view number and impression type")
    w.u8(encode_range(template.quality, 0, 100, "finger quality"), "finger quality")
    minutiae = encode_minutiae(template, angle_unit, angle_codes, 0)
    w.u8(len(template), "number of minutiae")
    w.raw(minutiae)
    w.u16(0, "extended data block length")
