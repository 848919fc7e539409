"""Structural validation of WSQ streams before the C decoder sees them.

The NBIS decoder behind the ``wsq`` package trusts its input (unchecked
table ids, coefficient writes and Huffman lookups); every stream is replayed
here first, so that the decoder only ever runs on streams it handles safely.
"""

from __future__ import annotations

import math
import struct
import threading
from collections.abc import Sequence
from typing import Final, NamedTuple

from interop.fingerprints._limits import Limits, check_dimensions
from interop.fingerprints._validate import PPI_RANGE
from interop.fingerprints.errors import ImageDecodeError

# --------------------------------------------------------------------------- WSQ validation
#
# References: FBI, "WSQ Gray-scale Fingerprint Image Compression Specification",
# IAFIS-IC-0110 (V3), 1997, and the NBIS 5.0 reader (wsq/src/lib/wsq: decoder.c,
# tableio.c, huff.c, tree.c), whose behaviour on each accepted stream this
# validation replays so that the C decoder never leaves its checked paths.

_SOI: Final = 0xFFA0
_EOI: Final = 0xFFA1
_SOF: Final = 0xFFA2
_SOB: Final = 0xFFA3
_DTT: Final = 0xFFA4
_DQT: Final = 0xFFA5
_DHT: Final = 0xFFA6
_COM: Final = 0xFFA8
SOF_BYTE: Final = 0xA2
COM_BYTE: Final = 0xA8

_MARKER_NAMES: Final[dict[int, str]] = {
    _SOF: "frame header (SOF)",
    _SOB: "block header (SOB)",
    _DTT: "transform table (DTT)",
    _DQT: "quantization table (DQT)",
    _DHT: "Huffman table (DHT)",
    _COM: "comment (COM)",
}

_SOF_BODY: Final = 15  # black, white, height, width, 2 x (exponent, value), encoder, software
_SOB_BODY: Final = 1  # Huffman table id
_DTT_BODY: Final = 56  # 2 filter lengths, 5 + 4 coefficients of 6 bytes
_DTT_FILTER_LENGTHS: Final = b"\x09\x07"  # the 9/7 filter bank, as NBIS and the spec write it
_DQT_BODY: Final = 387  # bin centre (3 bytes), 64 x (Q exponent, Q, Z exponent, Z) of 6 bytes
_NUM_SUBBANDS: Final = 60  # subbands coded; 60..63 are never transmitted
_MAX_HUFFMAN_TABLES: Final = 8  # NBIS MAX_DHT_TABLES
_MAX_HUFFMAN_VALUES: Final = 256  # NBIS MAX_HUFFCOUNTS_WSQ
_MAX_CODE_BITS: Final = 16
_NISTCOM: Final = b"NIST_COM"
_NISTCOM_MAX_TOKEN: Final = 255  # NBIS string2fet copies names and values into 512-byte buffers
_SMALLEST_QUANTIZER: Final = 1e-30  # NBIS stores bin widths as float32: smaller ones become 0

_U16: Final = struct.Struct(">H")
_U32: Final = struct.Struct(">I")

WSQ_LOCK: Final = threading.Lock()
"""Held while the C decoder runs (it keeps global state)."""


class _WsqFrame(NamedTuple):
    width: int
    height: int
    resolution_ppi: float | None


def check_wsq(data: bytes, limits: Limits) -> _WsqFrame:
    """Check a WSQ stream completely; return its frame size and NISTCOM resolution.

    Raises ImageDecodeError (ImageLimitError for dimensions) for anything the
    NBIS decoder could mishandle, and for anything it would refuse.
    """
    size = len(data)
    frame: tuple[int, int] | None = None
    resolution_ppi: float | None = None
    have_transform = False
    coded_subbands: tuple[bool, ...] | None = None
    huffman: dict[int, list[int]] = {}
    blocks: list[tuple[int, list[int], bytes]] = []  # (offset, Huffman lookup, coded data)
    pos = 2  # after SOI, which _detect_format has seen
    while True:
        if pos + 2 > size:
            raise ImageDecodeError(
                f"WSQ data is truncated: no end-of-image marker (EOI) in {size} bytes"
            )
        marker = (data[pos] << 8) | data[pos + 1]
        if marker == _EOI:
            break
        if marker not in _MARKER_NAMES:
            raise ImageDecodeError(f"WSQ: unexpected marker {marker:04X} at byte offset {pos}")
        body, end = _wsq_segment(data, pos, marker)
        if marker == _SOF:
            if frame is not None:
                raise ImageDecodeError(f"WSQ: second frame header at byte offset {pos}")
            frame = _wsq_frame(body, pos, limits)
        elif marker == _DTT:
            _check_wsq_transform(body, pos)
            have_transform = True
        elif marker == _DQT:
            coded_subbands = _wsq_coded_subbands(body, pos)
        elif marker == _DHT:
            _read_wsq_huffman(body, pos, huffman)
        elif marker == _COM:
            ppi = _check_wsq_comment(body, pos)
            if resolution_ppi is None:
                resolution_ppi = ppi
        else:  # _SOB
            if frame is None:
                raise ImageDecodeError(f"WSQ: block at byte offset {pos} precedes the frame header")
            if not have_transform or coded_subbands is None:
                raise ImageDecodeError(
                    f"WSQ: block at byte offset {pos} precedes the transform or quantization table"
                )
            if len(body) != _SOB_BODY:
                raise ImageDecodeError(f"WSQ: block header at byte offset {pos} has a bad length")
            table = huffman.get(body[0])
            if table is None:
                raise ImageDecodeError(
                    f"WSQ: block at byte offset {pos} uses undefined Huffman table {body[0]}"
                )
            end, coded = _wsq_entropy_data(data, end)
            blocks.append((pos, table, coded))
        pos = end
    if frame is None or not blocks or coded_subbands is None:
        raise ImageDecodeError("WSQ data holds no frame header or no image block")
    # The whole structure is sound; now replay the (slower) Huffman decoding.
    width, height = frame
    coefficients = 0
    for offset, table, coded in blocks:
        coefficients += _count_coefficients(
            coded, table, budget=width * height - coefficients, offset=offset
        )
    expected = sum(
        count
        for count, coded in zip(_wsq_subband_sizes(width, height), coded_subbands, strict=True)
        if coded
    )
    if coefficients != expected:
        raise ImageDecodeError(
            f"WSQ blocks code {coefficients} coefficients; a {width}x{height} frame with this "
            f"quantization table has {expected}"
        )
    return _WsqFrame(width, height, resolution_ppi)


def _wsq_segment(data: bytes, pos: int, marker: int) -> tuple[bytes, int]:
    """Body (after the 2-byte length) and end offset of the segment whose marker is at *pos*."""
    if pos + 4 > len(data):
        raise ImageDecodeError(f"WSQ data is truncated in the {_MARKER_NAMES[marker]} at {pos}")
    (length,) = _U16.unpack_from(data, pos + 2)
    if length < 2:
        raise ImageDecodeError(
            f"WSQ: {_MARKER_NAMES[marker]} at byte offset {pos} declares length {length}"
        )
    end = pos + 2 + length
    if end > len(data):
        raise ImageDecodeError(
            f"WSQ data is truncated: the {_MARKER_NAMES[marker]} at byte offset {pos} "
            f"declares {length} bytes, {len(data) - pos - 2} remain"
        )
    return data[pos + 4 : end], end


def _wsq_frame(body: bytes, pos: int, limits: Limits) -> tuple[int, int]:
    if len(body) != _SOF_BODY:
        raise ImageDecodeError(f"WSQ: frame header at byte offset {pos} has a bad length")
    (height,) = _U16.unpack_from(body, 2)
    (width,) = _U16.unpack_from(body, 4)
    if width == 0 or height == 0:
        raise ImageDecodeError(f"WSQ: frame header declares an empty {width}x{height} image")
    check_dimensions(width, height, limits)
    return width, height


def _check_wsq_transform(body: bytes, pos: int) -> None:
    # NBIS reads as many coefficients as the two filter lengths imply, whatever the
    # segment length says, into buffers sized from them; only the specification's
    # 9/7 filter bank is accepted, so that both agree.
    if len(body) != _DTT_BODY or body[:2] != _DTT_FILTER_LENGTHS:
        raise ImageDecodeError(
            f"WSQ: transform table at byte offset {pos} is not the 9/7 filter bank of the "
            "specification"
        )


def _wsq_coded_subbands(body: bytes, pos: int) -> tuple[bool, ...]:
    """Which of the 60 subbands the blocks code (those with a non-zero bin width)."""
    if len(body) != _DQT_BODY:
        raise ImageDecodeError(f"WSQ: quantization table at byte offset {pos} has a bad length")
    coded = []
    for subband in range(_NUM_SUBBANDS):
        exponent = body[3 + 6 * subband]
        (value,) = _U16.unpack_from(body, 4 + 6 * subband)
        if value != 0 and value / 10.0**exponent < _SMALLEST_QUANTIZER:
            raise ImageDecodeError(
                f"WSQ: quantization table at byte offset {pos} has a degenerate bin width"
            )
        coded.append(value != 0)
    return tuple(coded)


def _read_wsq_huffman(body: bytes, pos: int, tables: dict[int, list[int]]) -> None:
    """Parse the Huffman tables of one DHT segment into *tables* (id -> lookup table)."""
    if not body:
        raise ImageDecodeError(f"WSQ: Huffman table segment at byte offset {pos} is empty")
    offset = 0
    while offset < len(body):
        if offset + 1 + _MAX_CODE_BITS > len(body):
            raise ImageDecodeError(f"WSQ: Huffman table at byte offset {pos} is truncated")
        table_id = body[offset]
        counts = body[offset + 1 : offset + 1 + _MAX_CODE_BITS]
        start = offset + 1 + _MAX_CODE_BITS
        offset = start + sum(counts)
        if table_id >= _MAX_HUFFMAN_TABLES:
            raise ImageDecodeError(
                f"WSQ: Huffman table id {table_id} at byte offset {pos} is not below "
                f"{_MAX_HUFFMAN_TABLES}"
            )
        if sum(counts) > _MAX_HUFFMAN_VALUES or offset > len(body):
            raise ImageDecodeError(f"WSQ: Huffman table at byte offset {pos} has a bad length")
        tables[table_id] = _huffman_lookup(counts, body[start:offset], pos)


def _huffman_lookup(counts: bytes, values: bytes, pos: int) -> list[int]:
    """Table from every 16-bit window to ``code_length << 8 | value`` (0: no code).

    Codes are assigned canonically (ascending within each length, lengths
    ascending), as NBIS ``build_huffcodes`` does. Tables whose lengths
    over-subscribe the code space (Kraft sum above 1), which NBIS would decode
    out of bounds, are refused.
    """
    space = 1 << _MAX_CODE_BITS
    if sum(count << (_MAX_CODE_BITS - length) for length, count in enumerate(counts, 1)) > space:
        raise ImageDecodeError(f"WSQ: Huffman table at byte offset {pos} is not a prefix code")
    lookup = [0] * space
    code = 0
    index = 0
    for length, count in enumerate(counts, 1):
        span = 1 << (_MAX_CODE_BITS - length)
        for _ in range(count):
            lookup[code * span : (code + 1) * span] = [(length << 8) | values[index]] * span
            code += 1
            index += 1
        code <<= 1
    return lookup


def _check_wsq_comment(body: bytes, pos: int) -> float | None:
    """Check a NISTCOM comment as NBIS would parse it; return its plausible PPI, if any."""
    if not body.startswith(_NISTCOM):
        return None
    text = body.split(b"\x00", 1)[0]
    # NBIS takes a name up to a blank and a value up to a newline, each into 512 bytes.
    longest = max(
        max(len(run) for run in text.replace(b"\t", b" ").split(b" ")),
        max(len(line) for line in text.split(b"\n")),
    )
    if longest > _NISTCOM_MAX_TOKEN:
        raise ImageDecodeError(f"WSQ: NISTCOM comment at byte offset {pos} has an overlong entry")
    for line in text.split(b"\n"):
        fields = line.split(None, 1)
        if len(fields) == 2 and fields[0] == b"PPI":
            try:
                ppi = float(fields[1])
            except ValueError:
                return None
            low, high = PPI_RANGE
            return ppi if math.isfinite(ppi) and low <= ppi <= high else None
    return None


def _wsq_entropy_data(data: bytes, start: int) -> tuple[int, bytes]:
    """Offset of the marker ending a block's coded data, and the data with stuffing removed.

    In coded data a 0xFF byte is followed by a stuffed 0x00; 0xFF followed by
    anything else is the next marker.
    """
    chunks = []
    pos = start
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise ImageDecodeError(
                f"WSQ data is truncated: the block data starting at byte offset {start} "
                "is not followed by a marker"
            )
        if data[found + 1] == 0:
            chunks.append(data[pos : found + 1])
            pos = found + 2
        else:
            chunks.append(data[pos:found])
            return found, b"".join(chunks)


def _count_coefficients(coded: bytes, lookup: Sequence[int], *, budget: int, offset: int) -> int:
    """Replay NBIS's Huffman decoding of one block; return how many coefficients it writes.

    Coefficient categories (IAFIS-IC-0110 table 3): 1..100 a run of that many
    zeros; 101/102 and 103/104 a positive/negative coefficient in the next 8 or
    16 bits; 105/106 a run of zeros whose length is in the next 8 or 16 bits;
    107..254 a coefficient of value ``category - 180``. NBIS ends the block
    when the next bit to read is a marker, discarding a partial code; it runs
    out of bounds when no code matches in 16 bits, and fails when a marker
    interrupts extra bits: such streams are refused, as are streams writing
    more than *budget* coefficients.
    """
    nbits = 8 * len(coded)
    padded = coded + b"\x00\x00\x00\x00"
    unpack = _U32.unpack_from
    pos = 0
    written = 0
    while pos < nbits:
        (window,) = unpack(padded, pos >> 3)
        entry = lookup[(window >> (16 - (pos & 7))) & 0xFFFF]
        left = nbits - pos
        if entry == 0:
            if left >= _MAX_CODE_BITS:
                raise ImageDecodeError(
                    f"WSQ: invalid Huffman code in the block at byte offset {offset}"
                )
            break  # NBIS reads on into the marker and ends the block
        length = entry >> 8
        if length > left:
            break  # likewise: the code is cut by the marker
        pos += length
        category = entry & 0xFF
        if 1 <= category <= 100:
            written += category
        elif 107 <= category <= 254:
            written += 1
        elif 101 <= category <= 106:
            extra = 8 if category in (101, 102, 105) else 16
            if pos + extra > nbits:
                raise ImageDecodeError(
                    f"WSQ: the block at byte offset {offset} ends inside a coefficient"
                )
            (window,) = unpack(padded, pos >> 3)
            value = (window >> (32 - extra - (pos & 7))) & ((1 << extra) - 1)
            pos += extra
            written += value if category >= 105 else 1
        else:
            raise ImageDecodeError(
                f"WSQ: invalid coefficient category {category} in the block at byte offset {offset}"
            )
        if written > budget:
            raise ImageDecodeError(
                f"WSQ: the block at byte offset {offset} codes more coefficients than the "
                "frame holds"
            )
    return written


def _halves(length: int, *, first_smaller: bool) -> tuple[int, int]:
    """Split *length* samples into low and high halves as the WSQ trees do."""
    if length % 2 == 0:
        return length // 2, length // 2
    if first_smaller:
        return (length - 1) // 2, (length + 1) // 2
    return (length + 1) // 2, (length - 1) // 2


def _wsq_subband_sizes(width: int, height: int) -> list[int]:
    """Number of coefficients in each of the 60 coded subbands of a width x height frame.

    Follows the subband geometry of IAFIS-IC-0110 (NBIS ``build_w_tree`` and
    ``build_q_tree``): a 20-node wavelet tree, then 64 quantization subbands
    split from four of its nodes, of which 0..59 are coded.
    """
    # Wavelet tree: (width, height) of the nodes the quantization tree needs.
    w1x, _ = _halves(width, first_smaller=False)
    w1y, _ = _halves(height, first_smaller=False)
    lenx, lenx2 = (w1x + 1) // 2, w1x // 2  # equal when w1x is even
    leny, leny2 = (w1y + 1) // 2, w1y // 2
    node4 = (lenx2, leny)
    node5 = (lenx, leny2)
    node14 = (lenx, leny)
    node15x, _ = _halves(lenx, first_smaller=False)
    node15y, _ = _halves(leny, first_smaller=False)
    node19 = ((node15x + 1) // 2, (node15y + 1) // 2)

    dims: list[tuple[int, int]] = [(0, 0)] * 64
    _quantization_tree16(dims, 3, node14, invert_rows=False, invert_columns=False)
    _quantization_tree16(dims, 19, node4, invert_rows=False, invert_columns=True)
    _quantization_tree16(dims, 48, (width, height), invert_rows=False, invert_columns=False)
    _quantization_tree16(dims, 35, node5, invert_rows=True, invert_columns=False)
    _quantization_tree4(dims, 0, node19)
    return [x * y for x, y in dims[:_NUM_SUBBANDS]]


def _quarters(length: int) -> tuple[int, int]:
    """(first, second) lengths of a quantization-tree split: the first gets the odd sample."""
    return (length + 1) // 2, length // 2


def _quantization_tree4(dims: list[tuple[int, int]], start: int, size: tuple[int, int]) -> None:
    x0, x1 = _quarters(size[0])
    y0, y1 = _quarters(size[1])
    dims[start : start + 4] = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]


def _quantization_tree16(
    dims: list[tuple[int, int]],
    start: int,
    size: tuple[int, int],
    *,
    invert_rows: bool,
    invert_columns: bool,
) -> None:
    low_x, high_x = _halves(size[0], first_smaller=invert_columns)
    low_y, high_y = _halves(size[1], first_smaller=invert_rows)
    a0, a1 = _quarters(low_x)
    b1, b0 = _quarters(high_x)  # in the high half the second part gets the odd sample
    c0, c1 = _quarters(low_y)
    d1, d0 = _quarters(high_y)
    dims[start : start + 16] = [
        (a0, c0), (a1, c0), (a0, c1), (a1, c1),
        (b0, c0), (b1, c0), (b0, c1), (b1, c1),
        (a0, d0), (a1, d0), (a0, d1), (a1, d1),
        (b0, d0), (b1, d0), (b0, d1), (b1, d1),
    ]  # fmt: skip
