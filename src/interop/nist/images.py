"""Fingerprint and face images of a transaction: Type-4 (binary) and the
tagged image records (Types 10, 13, 14), read into one typed view.

Type-4 header (ANSI/NIST-ITL 1-2011, Table 18): LEN 4 bytes, IDC 1, IMP 1,
FGP 6 (finger positions, 255 = unused), ISR 1 (0: the native scanning
resolution, 1: the transaction's nominal rate 1.011 NSR), HLL 2, VLL 2, GCA
1 (ANSI/NIST-ITL 1-2011 Table 15: 0 none, 1 WSQ, 2 JPEG baseline, 3 JPEG
lossless, 4 JPEG 2000, 5 JPEG 2000 lossless, 6 PNG; the older versions
define 0 and 1, the rest were vendor-specific), then the image data. Tagged
image records give the same through fields: x.003 IMP, x.006 HLL, x.007 VLL,
x.008 SLC (1: pixels per inch, 2: per centimetre), x.009 THPS, x.011 CGA
(NONE, WSQ20, JPEGB, JPEGL, JP2, JP2L, PNG), x.013 FGP (Types 13, 14), x.999
the data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interop.fingerprints.errors import FingerprintError
from interop.fingerprints.image import decode_image, decode_raw, load_fingerprint
from interop.nist.errors import NistFormatError
from interop.nist.traditional import Record, Transaction, is_number

IMAGE_TYPES = frozenset({4, 10, 13, 14})
"""Record types read by :func:`images`."""

_TYPE4_COMPRESSION = {0: "NONE", 1: "WSQ", 2: "JPEGB", 3: "JPEGL", 4: "JP2", 5: "JP2L", 6: "PNG"}
_PPMM_TO_PPI = 25.4


@dataclass(frozen=True)
class RecordImage:
    """One image of a transaction.

    Attributes
    ----------
    record : int
        Index of the record in the transaction.
    record_type : int
    idc : int or None
    positions : tuple of int
        Finger (or palm) positions; empty for a face.
    impression : int or None
        Impression type code (0 live-scan plain, 1 live-scan rolled, ...).
    width, height : int
        Pixels, as the record declares them.
    ppi : float or None
        Pixels per inch, where the record says.
    compression : str
        ``NONE``, ``WSQ``/``WSQ20``, ``JPEGB``, ``JP2``, ``PNG``, ... as written.
    data : bytes
        The encoded (or raw) image.
    """

    record: int
    record_type: int
    idc: int | None
    positions: tuple[int, ...]
    impression: int | None
    width: int
    height: int
    ppi: float | None
    compression: str
    data: bytes

    def decode(self) -> npt.NDArray[np.uint8]:
        """The image as ``(height, width)`` 8-bit grey pixels.

        Raises
        ------
        NistFormatError
            If the data does not decode, or decodes to another size than the
            record declares.
        """
        where = {"record": self.record, "field": f"{self.record_type}.999"}
        try:
            if self.compression.upper() == "NONE":
                return decode_raw(self.data, self.width, self.height)
            pixels = decode_image(self.data).pixels
        except FingerprintError as exc:
            raise NistFormatError(f"image does not decode: {exc}", **where) from exc  # type: ignore[arg-type]
        if pixels.shape != (self.height, self.width):
            raise NistFormatError(
                f"image decodes to {pixels.shape[1]}x{pixels.shape[0]} pixels, "
                f"the record declares {self.width}x{self.height}",
                **where,  # type: ignore[arg-type]
            )
        return pixels

    def fingerprint(self) -> npt.NDArray[np.uint8]:
        """The image resampled to 500 ppi for extraction: at the record's
        resolution, else the one the WSQ frame states, else 500 ppi (the
        EBTS native scanning resolution).

        Raises
        ------
        NistFormatError
            If the data does not decode.
        """
        self.decode()  # checks the declared size
        raw = (self.width, self.height) if self.compression.upper() == "NONE" else None
        try:
            return load_fingerprint(self.data, resolution_ppi=self.ppi, raw_size=raw)
        except (FingerprintError, ValueError) as exc:
            raise NistFormatError(
                f"image does not decode: {exc}",
                record=self.record,
                field=f"{self.record_type}.999",
            ) from exc


def _nominal_ppi(transaction: Transaction) -> float | None:
    nsr = transaction.records[0].get(11)
    try:
        ppmm = float(nsr.text) if nsr is not None else 0.0
    except ValueError:
        return None
    return ppmm * _PPMM_TO_PPI if ppmm > 0 else None


def _type4(index: int, record: Record, nominal_ppi: float | None) -> RecordImage:
    d = record.data
    if len(d) < 18:
        raise NistFormatError(
            "Type-4 record shorter than its 18-byte header", record=index, offset=record.offset
        )
    positions = tuple(p for p in d[6:12] if p != 255)
    return RecordImage(
        record=index,
        record_type=4,
        idc=d[4],
        positions=positions,
        impression=d[5],
        width=int.from_bytes(d[13:15], "big"),
        height=int.from_bytes(d[15:17], "big"),
        ppi=nominal_ppi if d[12] == 1 else None,
        compression=_TYPE4_COMPRESSION.get(d[17], f"GCA {d[17]}"),
        data=d[18:],
    )


def _number(record: Record, index: int, tag: int) -> int:
    f = record.get(tag)
    if f is None or not is_number(f.text):
        raise NistFormatError(
            "missing or not a number",
            record=index,
            field=f"{record.type}.{tag:03d}",
            offset=f.offset if f is not None else record.offset,
        )
    return int(f.text)


def _tagged_image(index: int, record: Record) -> RecordImage:
    data = record.get(999)
    if data is None:
        raise NistFormatError(
            "image record without data (x.999)", record=index, offset=record.offset
        )
    ppi = None
    slc, thps = record.get(8), record.get(9)
    if slc is not None and thps is not None and is_number(thps.text) and int(thps.text) > 0:
        if slc.text == "1":
            ppi = float(thps.text)
        elif slc.text == "2":
            ppi = float(thps.text) * 2.54
    imp = record.get(3) if record.type in (13, 14) else None
    fgp = record.get(13) if record.type in (13, 14) else None
    cga = record.get(11)
    return RecordImage(
        record=index,
        record_type=record.type,
        idc=record.idc,
        positions=tuple(int(i) for sub in fgp.subfields for i in sub if i.isdigit()) if fgp else (),
        impression=int(imp.text) if imp is not None and is_number(imp.text) else None,
        width=_number(record, index, 6),
        height=_number(record, index, 7),
        ppi=ppi,
        compression=cga.text if cga is not None else "NONE",
        data=data.subfields[0][0],
    )


def images(transaction: Transaction) -> list[RecordImage]:
    """Every Type-4, 10, 13 and 14 image of a transaction, in record order.

    Raises
    ------
    NistFormatError
        If an image record's header or mandatory fields are malformed.
    """
    nominal = _nominal_ppi(transaction)
    out = []
    for k, record in enumerate(transaction.records):
        if record.type == 4:
            out.append(_type4(k, record, nominal))
        elif record.type in IMAGE_TYPES:
            out.append(_tagged_image(k, record))
    return out
