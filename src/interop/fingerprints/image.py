"""Fingerprint image decoding: bytes in, 8-bit grey pixels at 500 ppi out.

Formats
-------
PNG, TIFF, BMP, JPEG and WSQ are decoded through Pillow (WSQ through the
``wsq`` Pillow plugin, a wrapper of NIST NBIS). The format is detected from the
first bytes of the data, never from a file name:

========  ==========================================================
PNG       ``89 50 4E 47 0D 0A 1A 0A``
TIFF      ``II*\\0`` (little-endian) or ``MM\\0*`` (big-endian); BigTIFF is refused
BMP       ``BM``
JPEG      ``FF D8 FF``
WSQ       ``FF A0`` (SOI) followed by another WSQ marker ``FF A2`` to ``FF A8``
========  ==========================================================

Headerless 8-bit grey data is read by :func:`decode_raw`, whose caller must
know the width and height.

Pixels
------
Every decoder returns a C-contiguous, writable ``(H, W)`` ``uint8`` array,
row 0 at the top, in the file's own pixel order (EXIF orientation tags are not
applied). Other sample layouts are reduced to 8-bit grey deterministically:

* 16-bit grey (``I;16`` modes): the high byte, ``v >> 8``;
* 32-bit integer grey (``I``): clipped to ``0..65535``, then ``v >> 8``;
* 1-bit: 0 and 255;
* colour, palette, CMYK and the like: Pillow's ``"L"`` conversion, the
  ITU-R 601-2 luma ``L = R * 299/1000 + G * 587/1000 + B * 114/1000``
  (palette images through their palette colours, CMYK through RGB);
* alpha channels are dropped, not composited;
* floating-point images (``F``) are refused.

A multi-frame TIFF (or animated PNG) yields its first frame.

Resolution
----------
:attr:`DecodedImage.resolution_ppi` is the resolution the file states, when it
can be trusted: Pillow's ``info["dpi"]`` (PNG ``pHYs``, TIFF resolution tags in
inches or centimetres, BMP pixels per metre, JFIF density) with both axes
within 1 % of each other and inside :data:`~interop.fingerprints._validate.PPI_RANGE`
(100 to 2000 ppi), or the ``PPI`` entry of a WSQ file's NISTCOM comment inside
that range. Anything else, such as the FVC TIFFs' ``1 x 1`` dpi, is ``None``.

Limits
------
Every decoder refuses, with :class:`~interop.fingerprints.errors.ImageLimitError`,
data longer than :data:`MAX_IMAGE_BYTES` and images whose header declares a
side above :data:`MAX_IMAGE_SIDE`, below :data:`MIN_IMAGE_SIDE`, or more than
:data:`MAX_IMAGE_PIXELS` pixels. Dimensions are checked from the header,
before any pixel is decoded. The checks do not depend on Pillow's
process-wide ``Image.MAX_IMAGE_PIXELS``, which this module leaves unchanged;
Pillow's own ``DecompressionBombError`` also becomes an ``ImageLimitError``.

WSQ safety
----------
The NBIS decoder behind the ``wsq`` package trusts its input: table ids index
fixed arrays, the Huffman decoder writes coefficients without a bounds check,
reads past its code tables when no code matches, and can dereference a null
pointer when a marker interrupts an extra-bits field. Before
WSQ bytes reach it, :func:`decode_image` therefore checks the whole stream in
Python, after the WSQ specification (FBI IAFIS-IC-0110 v3) and the NBIS 5.0
reader: the marker sequence; the exact length of every segment; the frame
header's dimensions against the limits; the transform table (only the 9/7
filter bank of the specification); the quantization table; every Huffman table
(id below 8, at most 256 codes, a prefix code); the NISTCOM comment (token
lengths NBIS can hold); and, by replaying the Huffman decoding of every block
exactly as NBIS does, that the blocks code exactly as many coefficients as the
frame's subbands hold (fewer would leave uninitialised memory in the pixels)
and end cleanly at a marker. Transform and quantization tables must precede
the first block: NBIS would otherwise reuse those of the previous image.
Only a stream that passes
is decoded, in this process, under a lock (NBIS keeps its tables in globals).
The replay costs about a microsecond per coded symbol: some 20 ms for a
500-ppi plain impression, 0.1 s for a 1600 x 1000 slap.

Errors
------
Bad data raises an :class:`~interop.fingerprints.errors.ImageError` subclass:
:class:`~interop.fingerprints.errors.ImageDecodeError` (unknown format,
malformed or truncated data, unsupported pixel mode; any exception from
Pillow or the WSQ decoder is turned into one) or
:class:`~interop.fingerprints.errors.ImageLimitError`. Messages name formats,
sizes and byte offsets only, never pixel values or file names.
"""

from __future__ import annotations

import io
import math
import os
import stat
import warnings
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
import wsq  # noqa: F401  (imported for its side effect: registers WSQ with Pillow)
from PIL import Image

from interop.fingerprints._limits import Limits, check_dimensions
from interop.fingerprints._limits import limits as make_limits
from interop.fingerprints._validate import PPI_RANGE, as_gray_image, check_positive_int, check_ppi
from interop.fingerprints._wsq import COM_BYTE, SOF_BYTE, WSQ_LOCK, check_wsq
from interop.fingerprints.errors import ImageDecodeError, ImageError, ImageLimitError

__all__ = [
    "DEFAULT_PPI",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "MIN_IMAGE_SIDE",
    "RESOLUTION_TOLERANCE",
    "STANDARD_PPI",
    "DecodedImage",
    "decode_image",
    "decode_raw",
    "load_fingerprint",
    "normalize_resolution",
]

MAX_IMAGE_BYTES: Final[int] = 16 * 1024 * 1024
"""Largest encoded image accepted, in bytes (16 MiB; an uncompressed 8-bit
ten-print slap at 1000 ppi is about 10 MB)."""

MAX_IMAGE_SIDE: Final[int] = 5000
"""Largest width or height accepted, in pixels (a 3.2-inch slap at 1000 ppi is
about 3200 px; 5000 px is 10 inches at 500 ppi)."""

MAX_IMAGE_PIXELS: Final[int] = 5000 * 5000
"""Largest ``width * height`` accepted, in pixels (25 million)."""

MIN_IMAGE_SIDE: Final[int] = 32
"""Smallest width or height accepted, in pixels: 32 px at 500 ppi is 1.6 mm,
about three ridges, less than any fingerprint."""

STANDARD_PPI: Final[float] = 500.0
"""Resolution of every image :func:`load_fingerprint` returns, in ppi."""

DEFAULT_PPI: Final[float] = 500.0
"""Resolution assumed by :func:`load_fingerprint` when neither the caller nor
the file gives one, in ppi (the resolution of most fingerprint sensors)."""

RESOLUTION_TOLERANCE: Final[float] = 0.005
"""Relative resolution difference below which :func:`normalize_resolution`
leaves an image unchanged (0.5 %, e.g. 499.999 ppi from a PNG ``pHYs``)."""

BytesLike = bytes | bytearray | memoryview
"""Encoded image data."""

ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview
"""What :func:`load_fingerprint` reads: a file path, or the file's bytes."""


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """A decoded fingerprint image, at the resolution of the file.

    Attributes
    ----------
    pixels : (H, W) ndarray of uint8
        Grey levels, C-contiguous and writable, row 0 at the top.
    format : str
        Detected format: ``"PNG"``, ``"TIFF"``, ``"BMP"``, ``"JPEG"`` or ``"WSQ"``.
    resolution_ppi : float or None
        Resolution stated by the file, in pixels per inch, when trustworthy
        (see the module docstring); ``None`` when absent or implausible.
    """

    pixels: npt.NDArray[np.uint8]
    format: str
    resolution_ppi: float | None


# --------------------------------------------------------------------------- public API


def decode_image(
    data: BytesLike,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_side: int = MAX_IMAGE_SIDE,
    min_side: int = MIN_IMAGE_SIDE,
) -> DecodedImage:
    """Decode a PNG, TIFF, BMP, JPEG, JPEG 2000 or WSQ image into 8-bit grey pixels.

    Parameters
    ----------
    data : bytes-like
        The whole encoded file. The format is detected from its first bytes.
    max_bytes : int, keyword-only
        Longest *data* accepted, in bytes.
    max_pixels : int, keyword-only
        Most pixels (``width * height``) accepted.
    max_side, min_side : int, keyword-only
        Largest and smallest width or height accepted, in pixels.

    Returns
    -------
    DecodedImage
        ``pixels`` as a ``(H, W)`` uint8 array at the file's own resolution,
        the detected ``format`` and the trustworthy ``resolution_ppi`` or ``None``.

    Raises
    ------
    ImageDecodeError
        If the format is not recognised, the data is malformed or truncated,
        or the pixel mode cannot be reduced to grey.
    ImageLimitError
        If *data* or the declared dimensions exceed the limits (checked before
        any pixel is decoded).
    TypeError, ValueError
        If *data* is not bytes-like or a limit is not a positive int.

    Examples
    --------
    >>> import io
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (40, 32), 200).save(buffer, "PNG", dpi=(500, 500))
    >>> decoded = decode_image(buffer.getvalue())
    >>> decoded.format, decoded.pixels.shape, decoded.pixels.dtype, round(decoded.resolution_ppi)
    ('PNG', (32, 40), dtype('uint8'), 500)
    """
    data = _as_bytes(data, "data")
    limits = make_limits(max_pixels=max_pixels, max_side=max_side, min_side=min_side)
    _check_byte_count(len(data), check_positive_int(max_bytes, "max_bytes"))
    image_format = _detect_format(data)
    if image_format == "WSQ":
        frame = check_wsq(data, limits)
        with WSQ_LOCK:
            pixels, _ = _decode_with_pillow(data, image_format, limits)
        if pixels.shape != (frame.height, frame.width):
            raise ImageDecodeError(
                f"WSQ decoder returned {pixels.shape[1]}x{pixels.shape[0]} pixels, "
                f"the frame header declares {frame.width}x{frame.height}"
            )
        return DecodedImage(pixels, image_format, frame.resolution_ppi)
    pixels, resolution_ppi = _decode_with_pillow(data, image_format, limits)
    return DecodedImage(pixels, image_format, resolution_ppi)


def decode_raw(
    data: BytesLike,
    width: int,
    height: int,
    *,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_side: int = MAX_IMAGE_SIDE,
    min_side: int = MIN_IMAGE_SIDE,
) -> npt.NDArray[np.uint8]:
    """Read headerless 8-bit grey pixels, one byte per pixel, row by row.

    Parameters
    ----------
    data : bytes-like
        Exactly ``width * height`` bytes, top row first, left pixel first.
    width, height : int
        Image size in pixels.
    max_pixels, max_side, min_side : int, keyword-only
        Limits, as for :func:`decode_image`.

    Returns
    -------
    (height, width) ndarray of uint8
        A new, C-contiguous, writable array.

    Raises
    ------
    ImageDecodeError
        If ``len(data)`` is not ``width * height`` (both counts are named).
    ImageLimitError
        If the dimensions exceed the limits.
    TypeError, ValueError
        If *data* is not bytes-like, or a size or limit is not a positive int.

    Examples
    --------
    >>> decode_raw(bytes(32 * 40), 40, 32).shape
    (32, 40)
    """
    data = _as_bytes(data, "data")
    width = check_positive_int(width, "width")
    height = check_positive_int(height, "height")
    limits = make_limits(max_pixels=max_pixels, max_side=max_side, min_side=min_side)
    check_dimensions(width, height, limits)
    expected = width * height
    if len(data) != expected:
        raise ImageDecodeError(
            f"raw 8-bit image of {width}x{height} pixels needs {expected} bytes, got {len(data)}"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width).copy()


def normalize_resolution(
    pixels: npt.NDArray[np.uint8],
    source_ppi: float,
    *,
    target_ppi: float = STANDARD_PPI,
) -> npt.NDArray[np.uint8]:
    """Resample an image from *source_ppi* to *target_ppi*.

    Shrinking uses pixel-area averaging (``cv2.INTER_AREA``), which does not
    alias ridges; enlarging uses bicubic interpolation (``cv2.INTER_CUBIC``),
    saturated to ``0..255``. The new size is ``round(W * s) x round(H * s)``
    with ``s = target_ppi / source_ppi`` (at least 1 px).

    Parameters
    ----------
    pixels : (H, W) ndarray of uint8
        Grey image at *source_ppi*.
    source_ppi : float
        Resolution of *pixels*, in pixels per inch, within
        :data:`~interop.fingerprints._validate.PPI_RANGE`.
    target_ppi : float, keyword-only
        Wanted resolution, in pixels per inch (default 500).

    Returns
    -------
    (round(H * s), round(W * s)) ndarray of uint8
        C-contiguous. When the two resolutions differ by at most
        :data:`RESOLUTION_TOLERANCE` (0.5 %) of *target_ppi*, *pixels* itself
        (or a contiguous copy, if it was not contiguous), unchanged.

    Raises
    ------
    TypeError
        If *pixels* is not a uint8 ndarray or a resolution is not a number.
    ValueError
        If *pixels* is not 2-D or is empty, or a resolution lies outside
        100..2000 ppi.

    Examples
    --------
    >>> normalize_resolution(np.zeros((560, 296), dtype=np.uint8), 569).shape
    (492, 260)
    >>> image = np.zeros((300, 300), dtype=np.uint8)
    >>> normalize_resolution(image, 500.4) is image
    True
    """
    image = as_gray_image(pixels, "pixels")
    source = check_ppi(source_ppi, "source_ppi")
    target = check_ppi(target_ppi, "target_ppi")
    if abs(source - target) <= RESOLUTION_TOLERANCE * target:
        return image
    scale = target / source
    height, width = image.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    resized = cv2.resize(image, size, interpolation=interpolation)
    return np.ascontiguousarray(resized, dtype=np.uint8)


def load_fingerprint(
    source: ImageSource,
    *,
    resolution_ppi: float | None = None,
    raw_size: tuple[int, int] | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_side: int = MAX_IMAGE_SIDE,
) -> npt.NDArray[np.uint8]:
    """Read a fingerprint image and return it as 8-bit grey at 500 ppi.

    The resolution of the image is, first found wins: *resolution_ppi*; the
    trustworthy resolution stated by the file (:attr:`DecodedImage.resolution_ppi`);
    :data:`DEFAULT_PPI` (500). The image is then resampled to
    :data:`STANDARD_PPI` by :func:`normalize_resolution`.

    Parameters
    ----------
    source : str, os.PathLike or bytes-like
        Path of an image file, or the file's bytes. A file longer than
        *max_bytes* is refused from its size before it is read, and is read
        with a bounded read.
    resolution_ppi : float, optional, keyword-only
        Scanning resolution of the image in pixels per inch (100..2000); it
        overrides whatever the file states.
    raw_size : (int, int), optional, keyword-only
        ``(width, height)`` in pixels (the order of Pillow's ``Image.size``)
        of headerless 8-bit data; the data is then read by :func:`decode_raw`
        instead of being detected as an image format.
    max_bytes, max_pixels, max_side : int, keyword-only
        Limits, as for :func:`decode_image`.

    Returns
    -------
    (H, W) ndarray of uint8
        C-contiguous grey image at 500 ppi, rows = y from the top.

    Raises
    ------
    ImageDecodeError, ImageLimitError
        If the data is not a usable image (see :func:`decode_image`), or
        *source* is a path to something other than a regular file.
    OSError
        If the file cannot be opened or read; e.g. ``FileNotFoundError`` for a
        missing file propagates unchanged (it is not an :class:`ImageError`: the
        input was never seen).
    TypeError, ValueError
        If an argument has the wrong type or value (e.g. *resolution_ppi*
        outside 100..2000).

    Examples
    --------
    >>> load_fingerprint(bytes(296 * 560), raw_size=(296, 560), resolution_ppi=569).shape
    (492, 260)
    """
    ppi = None if resolution_ppi is None else check_ppi(resolution_ppi, "resolution_ppi")
    max_bytes = check_positive_int(max_bytes, "max_bytes")
    data = _read_source(source, max_bytes)
    if raw_size is not None:
        width, height = _check_raw_size(raw_size)
        pixels = decode_raw(data, width, height, max_pixels=max_pixels, max_side=max_side)
        stated_ppi = None
    else:
        decoded = decode_image(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side)
        pixels, stated_ppi = decoded.pixels, decoded.resolution_ppi
    if ppi is None:
        ppi = stated_ppi if stated_ppi is not None else DEFAULT_PPI
    return normalize_resolution(pixels, ppi)


# --------------------------------------------------------------------------- arguments, limits


def _as_bytes(data: object, name: str) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise TypeError(f"{name} must be bytes-like, got {type(data).__name__}")


def _check_byte_count(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ImageLimitError(f"image data of {size} bytes exceeds the limit of {max_bytes} bytes")


def _check_raw_size(raw_size: object) -> tuple[int, int]:
    if not isinstance(raw_size, tuple) or len(raw_size) != 2:
        raise TypeError("raw_size must be a (width, height) tuple")
    return (
        check_positive_int(raw_size[0], "raw_size[0] (width)"),
        check_positive_int(raw_size[1], "raw_size[1] (height)"),
    )


def _read_source(source: ImageSource, max_bytes: int) -> bytes:
    """The bytes of *source*: the bytes themselves, or a file read with a bounded read."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = _as_bytes(source, "source")
        _check_byte_count(len(data), max_bytes)
        return data
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"source must be a path or bytes-like, got {type(source).__name__}")
    path = os.fspath(source)
    # Refuse directories, FIFOs and devices before opening: opening a FIFO blocks.
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ImageDecodeError("image source is not a regular file")
    with open(path, "rb") as file:
        _check_byte_count(os.fstat(file.fileno()).st_size, max_bytes)
        data = file.read(max_bytes + 1)  # bounded even if the file grew since fstat
    _check_byte_count(len(data), max_bytes)
    return data


# --------------------------------------------------------------------------- format detection

_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"\xff\xd8\xff", "JPEG"),
    # JPEG 2000 (JP2 file and bare codestream), decoded by Pillow's OpenJPEG
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG2000"),
    (b"\xff\x4f\xff\x51", "JPEG2000"),
)

# Recognised only to say precisely why they are refused.
_UNSUPPORTED_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"II+\x00", "BigTIFF"),
    (b"MM\x00+", "BigTIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)


def _detect_format(data: bytes) -> str:
    """Name of the format of *data*, from its magic bytes."""
    if not data:
        raise ImageDecodeError("image data is empty")
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if len(data) >= 4 and data[:3] == b"\xff\xa0\xff" and SOF_BYTE <= data[3] <= COM_BYTE:
        return "WSQ"
    for signature, name in _UNSUPPORTED_SIGNATURES:
        if data.startswith(signature):
            raise ImageDecodeError(f"unsupported image format: {name}")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise ImageDecodeError("unsupported image format: WebP")
    seen = data[:4].hex(" ")
    raise ImageDecodeError(
        f"unrecognised image format: first bytes {seen} "
        "(expected PNG, TIFF, BMP, JPEG, JPEG 2000 or WSQ; headerless data needs raw_size)"
    )


# --------------------------------------------------------------------------- Pillow decoding

_SIXTEEN_BIT_MODES: Final[frozenset[str]] = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})
_DIRECT_TO_L_MODES: Final[frozenset[str]] = frozenset({"1", "P", "PA", "LA", "La", "RGB", "RGBA"})


def _decode_with_pillow(
    data: bytes, image_format: str, limits: Limits
) -> tuple[npt.NDArray[np.uint8], float | None]:
    """Open lazily, check the header's dimensions, then decode to grey."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns of a would-be bomb between its two limits: refuse it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
        with image:
            check_dimensions(image.width, image.height, limits)
            expected_shape = (image.height, image.width)
            resolution_ppi = _trusted_ppi(image.info.get("dpi"))
            image.load()
            pixels = _to_gray8(image)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageLimitError(f"{image_format} image exceeds Pillow's pixel limit") from exc
    except MemoryError:
        raise
    except Exception as exc:  # Pillow and its plugins raise many types on bad data
        raise ImageDecodeError(
            f"cannot decode {image_format} data: {type(exc).__name__}: {_short(exc)}"
        ) from exc
    if pixels.shape != expected_shape:
        raise ImageDecodeError(f"{image_format} decoder returned an unexpected array shape")
    return pixels, resolution_ppi


def _to_gray8(image: Image.Image) -> npt.NDArray[np.uint8]:
    """The pixels of a loaded image as (H, W) uint8, by the rules in the module docstring."""
    mode = image.mode
    if mode == "L":
        array = np.asarray(image)
    elif mode in _SIXTEEN_BIT_MODES:
        array = (np.asarray(image).astype(np.uint16) >> 8).astype(np.uint8)
    elif mode == "I":
        array = (np.clip(np.asarray(image), 0, 0xFFFF).astype(np.uint16) >> 8).astype(np.uint8)
    elif mode == "F":
        raise ImageDecodeError("unsupported pixel mode 'F' (floating-point samples)")
    else:
        if mode not in _DIRECT_TO_L_MODES:
            image = image.convert("RGB")
        array = np.asarray(image.convert("L"))
    if array.ndim != 2 or array.dtype != np.uint8:
        raise ImageDecodeError(f"unsupported pixel mode {mode!r}")
    return np.array(array, dtype=np.uint8, order="C", copy=True)


def _trusted_ppi(dpi: object) -> float | None:
    """Pillow's ``info["dpi"]`` as one resolution in ppi, or None if implausible."""
    if not isinstance(dpi, tuple) or len(dpi) != 2:
        return None
    try:
        x, y = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    low, high = PPI_RANGE
    if not (math.isfinite(x) and math.isfinite(y) and low <= x <= high and low <= y <= high):
        return None
    if abs(x - y) > 0.01 * max(x, y):  # anisotropic pixels: cannot resample to one ppi
        return None
    return (x + y) / 2.0


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
