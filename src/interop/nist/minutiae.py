"""Type-9 minutiae records: read into :class:`~interop.fingerprints.template.Template`,
and written from one.

A Type-9 record may carry its minutiae in several blocks; two are read here:

* the **standard format** (fields 9.005-9.012, ``9.004 FMT = S``), every
  version from ANSI/NIST-ITL 1-1993 on: each minutia of 9.012 MRC is
  ``index, XXXXYYYYTTT, quality, type[, ridge counts]`` with ``X`` and ``Y``
  in units of 0.01 mm from the **lower-left** corner of the image (``Y``
  upwards) and ``T`` in whole degrees counter-clockwise from the +x axis,
  pointing the opposite way to the ISO/IEC 19794-2 angle (an ending's
  ``T`` points out of its ridge); types ``A`` ridge ending, ``B``
  bifurcation, ``C`` compound, ``D`` undetermined. The record does not give
  the image's size: the height needed to move the origin to the top left
  comes from the image record with the same IDC, or, without one, is taken
  as the lowest minutia's ``Y`` (a translation, which comparison ignores).
  Checked against NIST libbiomeval's ``biomeval-type9.an2k``, which
  ``fmr2an2k`` converted from view 3 of ``biomeval-fmr.ansi2004``: the
  converted minutiae equal the FMR's up to a vertical shift (tests).
* the **INCITS 378 block** (9.126-9.140, ANSI/NIST-ITL 1-2007 on): image
  size (9.128 HLL, 9.129 VLL), resolution (9.130 SLC, 9.131 THPS), finger
  position (9.134 FGP) and 9.137 FMD, one subfield per minutia
  ``index, x, y, theta, quality, type`` in pixels from the top-left corner
  with ``theta`` in 2-degree units (the INCITS 378 encoding). Preferred when
  present: it is exact and states the image size.

Other blocks (the FBI's native-mode 9.013-9.030, vendor blocks, the
Extended Feature Set 9.300-9.399) stay in the record as read; a record with
neither of the two blocks above raises :class:`NistFormatError` when asked
for a template.

:func:`minutiae_record` writes a Type-9 record with both blocks, so that a
template written and read back is the same to the pixel (INCITS block, as
ISO/IEC 19794-2) or to 0.01 mm and 1 degree (standard format alone).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from interop.fingerprints.template import MinutiaType, Template
from interop.nist.errors import NistFormatError
from interop.nist.traditional import Field, Record, Transaction, is_number

if TYPE_CHECKING:
    from interop.nist.images import RecordImage

_MM_PER_INCH = 25.4
_TYPE_LETTERS = {"A": MinutiaType.ENDING, "B": MinutiaType.BIFURCATION}
_LETTER_OF_TYPE = {MinutiaType.ENDING: "A", MinutiaType.BIFURCATION: "B"}
_INCITS_TYPES = {0: MinutiaType.OTHER, 1: MinutiaType.ENDING, 2: MinutiaType.BIFURCATION}
MAX_MINUTIAE = 1000
"""Most minutiae read from one block (the standard's 9.010 has 3 digits)."""


@dataclass(frozen=True)
class MinutiaeRecord:
    """The header of one Type-9 record, and what its minutiae blocks hold.

    Attributes
    ----------
    record : int
        Index of the record in the transaction.
    idc : int or None
    impression : int or None
        Impression type code (9.003).
    standard : bool
        Whether 9.004 FMT says the standard format (``S``).
    positions : tuple of int
        Finger positions (9.006, or 9.134 of the INCITS block).
    method : str
        9.005 OFR's method: ``A`` automatic, ``U`` automatic unedited,
        ``E`` automatic edited, ``M`` manual; ``""`` when absent.
    blocks : tuple of str
        The minutiae blocks present: ``"standard"``, ``"incits378"``.
    """

    record: int
    idc: int | None
    impression: int | None
    standard: bool
    positions: tuple[int, ...]
    method: str
    blocks: tuple[str, ...]


def _where(index: int, tag: int, field: Field | None, record: Record) -> dict[str, object]:
    return {
        "record": index,
        "field": f"9.{tag:03d}",
        "offset": field.offset if field is not None else record.offset,
    }


def _int(record: Record, index: int, tag: int, *, default: int | None = None) -> int:
    f = record.get(tag)
    if f is None and default is not None:
        return default
    if f is None or not is_number(f.text):
        raise NistFormatError("missing or not a number", **_where(index, tag, f, record))  # type: ignore[arg-type]
    return int(f.text)


def _positions(field: Field | None) -> tuple[int, ...]:
    if field is None:
        return ()
    return tuple(int(i) for sub in field.items() for i in sub if is_number(i))


def read_minutiae_record(record: Record, index: int) -> MinutiaeRecord:
    """The header of a Type-9 record.

    Raises
    ------
    NistFormatError
        If ``record`` is not a tagged Type-9 record.
    """
    if record.type != 9 or record.binary:
        raise NistFormatError(f"a Type-{record.type} record is not a Type-9 record", record=index)
    imp, fmt, ofr = record.get(3), record.get(4), record.get(5)
    blocks = []
    if record.get(12) is not None or record.get(10) is not None:
        blocks.append("standard")
    if record.get(128) is not None and record.get(136) is not None:
        blocks.append("incits378")
    ofr_items = ofr.items()[0] if ofr is not None and ofr.items() else []
    return MinutiaeRecord(
        record=index,
        idc=record.idc,
        impression=int(imp.text) if imp is not None and is_number(imp.text) else None,
        standard=fmt is not None and fmt.text.upper() == "S",
        positions=_positions(record.get(134)) or _positions(record.get(6)),
        method=ofr_items[1].strip().upper() if len(ofr_items) > 1 else "",
        blocks=tuple(blocks),
    )


def _incits_template(record: Record, index: int) -> Template:
    width, height = _int(record, index, 128), _int(record, index, 129)
    slc = _int(record, index, 130, default=1)
    hps = _int(record, index, 131, default=0)
    ppi = hps if slc == 1 else round(hps * 2.54) if slc == 2 else 500
    if ppi < 1:
        raise NistFormatError(
            "9.131 THPS gives no resolution",
            **_where(index, 131, record.get(131), record),  # type: ignore[arg-type]
        )
    fmd = record.get(137)
    rows = fmd.items() if fmd is not None else []
    declared = _int(record, index, 136)
    if declared != len(rows):
        raise NistFormatError(
            f"9.136 NOM says {declared} minutiae, 9.137 holds {len(rows)}",
            **_where(index, 136, record.get(136), record),  # type: ignore[arg-type]
        )
    if len(rows) > MAX_MINUTIAE:
        raise NistFormatError(
            f"{len(rows)} minutiae, more than {MAX_MINUTIAE}",
            **_where(index, 137, fmd, record),  # type: ignore[arg-type]
        )
    x, y, angle, kind, quality = [], [], [], [], []
    for k, items in enumerate(rows):
        if len(items) < 6 or not all(is_number(i) for i in items[:6]):
            raise NistFormatError(
                f"minutia {k + 1}: expected six numbers (index, x, y, theta, quality, type)",
                **_where(index, 137, fmd, record),  # type: ignore[arg-type]
            )
        _, mx, my, theta, q, t = (int(i) for i in items[:6])
        if mx >= width or my >= height or theta > 179 or q > 100 or t not in _INCITS_TYPES:
            raise NistFormatError(
                f"minutia {k + 1}: x {mx}, y {my}, theta {theta}, quality {q}, type {t} "
                f"out of range for a {width}x{height} image",
                **_where(index, 137, fmd, record),  # type: ignore[arg-type]
            )
        x.append(mx)
        y.append(my)
        angle.append(math.radians(2 * theta))
        kind.append(_INCITS_TYPES[t])
        quality.append(q)
    fgp = _positions(record.get(134))
    return Template.from_arrays(
        x,
        y,
        angle,
        kind,
        quality,
        width=max(width, 1),
        height=max(height, 1),
        resolution_ppi=ppi,
        finger_position=fgp[0] if fgp and fgp[0] <= 10 else 0,
        metadata={"format": "an2k-type9:incits378", "record": index},
    )


def _standard_template(record: Record, index: int, image_height: int | None, ppi: int) -> Template:
    mrc = record.get(12)
    declared = record.get(10)
    if mrc is None and declared is None:
        raise NistFormatError(
            "no minutiae: neither 9.010-9.012 nor 9.128-9.137", record=index, offset=record.offset
        )
    rows = mrc.items() if mrc is not None else []
    if len(rows) > MAX_MINUTIAE:
        raise NistFormatError(
            f"{len(rows)} minutiae, more than {MAX_MINUTIAE}",
            **_where(index, 12, mrc, record),  # type: ignore[arg-type]
        )
    if declared is not None and is_number(declared.text) and int(declared.text) != len(rows):
        raise NistFormatError(
            f"9.010 MIN says {int(declared.text)} minutiae, 9.012 holds {len(rows)}",
            **_where(index, 10, declared, record),  # type: ignore[arg-type]
        )
    units = np.empty((len(rows), 3), dtype=np.int64)
    kind, quality = [], []
    for k, items in enumerate(rows):
        xyt = items[1] if len(items) > 1 else ""
        if len(items) < 4 or len(xyt) != 11 or not is_number(xyt):
            raise NistFormatError(
                f"minutia {k + 1}: expected index, XXXXYYYYTTT, quality, type",
                **_where(index, 12, mrc, record),  # type: ignore[arg-type]
            )
        units[k] = int(xyt[:4]), int(xyt[4:8]), int(xyt[8:])
        if units[k, 2] > 359:
            raise NistFormatError(
                f"minutia {k + 1}: theta {units[k, 2]} is not 0-359 degrees",
                **_where(index, 12, mrc, record),  # type: ignore[arg-type]
            )
        q = items[2].strip()
        # 0 = manual, 1 = none, 2-63 = machine quality (low to high): scaled to 0-100
        quality.append(min(100, round(int(q) * 100 / 63)) if is_number(q) and int(q) >= 2 else 0)
        kind.append(_TYPE_LETTERS.get(items[3].strip().upper(), MinutiaType.OTHER))
    ppmm = ppi / _MM_PER_INCH
    x = units[:, 0] * ppmm / 100.0
    up = units[:, 1] * ppmm / 100.0
    if image_height is None:
        origin = "inferred"
        height = math.ceil(up.max()) + 1 if len(up) else 1
    else:
        origin = "image"
        height = image_height
    width = math.ceil(x.max()) + 1 if len(x) else 1
    fgp = _positions(record.get(6))
    return Template.from_arrays(
        x,
        (height - 1) - up,
        np.radians((units[:, 2] + 180) % 360),
        kind,
        quality,
        width=width,
        height=height,
        resolution_ppi=ppi,
        finger_position=fgp[0] if fgp and fgp[0] <= 10 else 0,
        metadata={"format": "an2k-type9:standard", "record": index, "origin": origin},
    )


def record_template(
    record: Record, index: int, *, image_height: int | None = None, ppi: int = 500
) -> Template:
    """The minutiae of a Type-9 record as a template.

    Parameters
    ----------
    record : Record
        A Type-9 record.
    index : int
        Its index in the transaction (for error messages).
    image_height : int, optional
        Height in pixels at ``ppi`` of the image the minutiae were found in,
        for the standard format's lower-left origin; inferred when absent.
    ppi : int
        Resolution of the template made from the standard format (whose
        coordinates are in 0.01 mm).

    Raises
    ------
    NistFormatError
        If the record has no readable minutiae block; the message names the
        field and the minutia.
    """
    if "incits378" in read_minutiae_record(record, index).blocks:
        return _incits_template(record, index)
    return _standard_template(record, index, image_height, ppi)


def image_heights(found: Iterable[RecordImage]) -> dict[int, int]:
    """Image height in pixels at 500 ppi by IDC, for the standard format's
    lower-left origin."""
    return {
        im.idc: round(im.height * 500.0 / (im.ppi or 500.0)) for im in found if im.idc is not None
    }


def templates(transaction: Transaction) -> list[Template]:
    """Every Type-9 record's minutiae, in record order; the standard format's
    origin is placed with the height of the image record of the same IDC
    where there is one.

    Raises
    ------
    NistFormatError
        As :func:`record_template`.
    """
    from interop.nist.images import images

    heights = image_heights(images(transaction))
    return [
        record_template(r, k, image_height=heights.get(r.idc) if r.idc is not None else None)
        for k, r in enumerate(transaction.records)
        if r.type == 9
    ]


def minutiae_record(
    template: Template,
    idc: int,
    *,
    impression: int = 1,
    method: str = "A",
    incits_block: bool = True,
) -> Record:
    """A Type-9 record holding ``template`` in the standard format and in the
    INCITS 378 block.

    Parameters
    ----------
    template : Template
        Minutiae to write; its ``width``/``height`` are the image's.
    idc : int
        Information designation character (0-99).
    impression : int
        Impression type code (1 = live-scan rolled).
    method : str
        9.005's method of encoding: ``A`` automatic, ``E`` edited, ``M`` manual.
    incits_block : bool
        Also write the INCITS 378 block (9.126-9.137), which EBTS 9.1's
        rules do not list; without it the record holds the standard format only.

    Raises
    ------
    ValueError
        If ``idc`` is not 0-99, the template has more than 999 minutiae or
        an image larger than the standard format can place (99.99 mm).
    """
    if not 0 <= idc <= 99:
        raise ValueError(f"IDC {idc} is not 0-99")
    m = template.minutiae
    if len(m) > 999:
        raise ValueError(f"{len(m)} minutiae: the standard format holds at most 999")
    per_unit = 100.0 * _MM_PER_INCH / template.resolution_ppi  # 0.01 mm per pixel
    ux = np.rint(m["x"].astype(np.float64) * per_unit).astype(np.int64)
    uy = np.rint(((template.height - 1) - m["y"].astype(np.float64)) * per_unit).astype(np.int64)
    if template.width * per_unit > 9999 or template.height * per_unit > 9999:
        raise ValueError("image larger than 99.99 mm: the standard format cannot place it")
    degrees = np.rint(np.degrees(m["angle"].astype(np.float64))).astype(np.int64)
    theta = (degrees + 180) % 360
    position = f"{template.finger_position:02d}"
    # The minutia fields are built as bytes from Python lists (not NumPy
    # scalars, not through Field.of's per-item encoding): a record is written
    # per finger of every booking, and that cost ten times the formatting.
    quality = m["quality"].tolist()
    kinds = m["type"].tolist()
    letters = {v: _LETTER_OF_TYPE.get(MinutiaType(v), "D").encode() for v in set(kinds)}
    mrc = tuple(
        (
            b"%d" % (k + 1),
            b"%04d%04d%03d" % (x, y, t),
            # 0-100 back onto the standard's 2-63 machine scale; 1 = not reported
            b"%d" % max(2, round(q * 63 / 100)) if q else b"1",
            letters[kind],
        )
        for k, (x, y, t, q, kind) in enumerate(
            zip(
                ux.tolist(),
                np.maximum(uy, 0).tolist(),
                theta.tolist(),
                quality,
                kinds,
                strict=True,
            )
        )
    )

    def text(values: Iterable[int]) -> list[bytes]:
        return [b"%d" % v for v in values]

    # round half to even, as Python's round(), on the float64 of each value
    half_degrees = np.round(np.degrees(m["angle"]).astype(np.float64) / 2).astype(np.int64) % 180
    fmd = tuple(
        zip(
            text(range(1, len(m) + 1)),
            text(np.round(m["x"].astype(np.float64)).astype(np.int64).tolist()),
            text(np.round(m["y"].astype(np.float64)).astype(np.int64).tolist()),
            text(half_degrees.tolist()),
            text(quality),
            text(kinds),
            strict=True,
        )
    )
    fields = [
        Field.of(1, "0"),
        Field.of(2, f"{idc:02d}"),
        Field.of(3, str(impression)),
        Field.of(4, "S"),
        Field.of(5, [["INTEROP", method, "00"]]),
        Field.of(6, position),
        Field.of(7, [["T", "UN"]]),  # pattern unknown
        Field.of(10, str(len(m))),
        Field.of(11, "0"),
    ]
    if mrc:
        fields.append(Field(12, mrc))
    if not incits_block:
        return Record(9, tuple(fields))
    fields += [
        Field.of(126, [["27", "513", "0"]]),  # CBEFF: INCITS owner, FMR format
        Field.of(127, [["0", "0"]]),
        Field.of(128, str(template.width)),
        Field.of(129, str(template.height)),
        Field.of(130, "1"),
        Field.of(131, str(template.resolution_ppi)),
        Field.of(132, str(template.resolution_ppi)),
        Field.of(133, "0"),
        Field.of(134, position),
        Field.of(
            135, [["0", "0", "0"]] if not template.quality else [[str(template.quality), "0", "0"]]
        ),
        Field.of(136, str(len(m))),
    ]
    if fmd:
        fields.append(Field(137, fmd))
    return Record(9, tuple(fields))
