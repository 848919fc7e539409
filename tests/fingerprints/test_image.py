"""Fingerprint image decoding: formats, grey conversion, resolution, limits, hostile input."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from interop.fingerprints import (
    DecodedImage,
    ImageDecodeError,
    ImageError,
    ImageLimitError,
    _wsq,
    decode_image,
    decode_raw,
    load_fingerprint,
    normalize_resolution,
)
from interop.fingerprints import image as image_module
from interop.fingerprints.image import MAX_IMAGE_SIDE, MIN_IMAGE_SIDE

# Pillow warns about damaged metadata it skips; the contract tested here is about exceptions.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")

LOSSLESS = ("PNG", "TIFF", "BMP")
ALL_FORMATS = ("PNG", "TIFF", "BMP", "JPEG", "WSQ")


def ridges(height: int = 96, width: int = 80, seed: int = 0) -> npt.NDArray[np.uint8]:
    """A fingerprint-like pattern: curved ridges about 9 px apart, with a little noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    theta = rng.uniform(0, np.pi)
    phase = (x * np.cos(theta) + y * np.sin(theta)) / 9.0
    phase += 0.0002 * ((x - width / 2) ** 2 + (y - height / 2) ** 2)
    values = 128 + 90 * np.sin(2 * np.pi * phase) + rng.normal(0, 4, (height, width))
    result: npt.NDArray[np.uint8] = np.clip(values, 0, 255).astype(np.uint8)
    return result


def encode(image: Image.Image | npt.NDArray[np.generic], fmt: str, **options: object) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares width x height 8-bit grey, with no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


def wsq_segments(data: bytes) -> dict[int, list[int]]:
    """Byte offsets of the markers before the first block, by marker."""
    found: dict[int, list[int]] = {}
    pos = 2
    while True:
        marker = int.from_bytes(data[pos : pos + 2], "big")
        found.setdefault(marker, []).append(pos)
        if marker == 0xFFA3:
            return found
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")


@functools.cache
def valid_files() -> dict[str, bytes]:
    """One small valid file per format (the corpus for the corruption properties)."""
    pixels = ridges(48, 40, seed=3)
    return {
        "PNG": encode(pixels, "PNG", dpi=(500, 500)),
        "TIFF": encode(pixels, "TIFF", dpi=(500, 500)),
        "BMP": encode(pixels, "BMP"),
        "JPEG": encode(pixels, "JPEG", quality=90),
        "WSQ": encode(pixels, "WSQ"),
    }


def assert_image_or_image_error(data: bytes) -> None:
    """The decoding contract on arbitrary bytes: a valid image or an ImageError, nothing else."""
    try:
        decoded = decode_image(data)
    except ImageError:
        return
    pixels = decoded.pixels
    assert pixels.dtype == np.uint8
    assert pixels.ndim == 2
    assert pixels.flags.c_contiguous
    assert min(pixels.shape) >= MIN_IMAGE_SIDE


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", LOSSLESS)
def test_lossless_formats_round_trip_exactly(fmt: str) -> None:
    pixels = ridges()
    decoded = decode_image(encode(pixels, fmt))
    assert isinstance(decoded, DecodedImage)
    assert decoded.format == fmt
    assert decoded.pixels.dtype == np.uint8
    assert decoded.pixels.flags.c_contiguous and decoded.pixels.flags.writeable
    np.testing.assert_array_equal(decoded.pixels, pixels)


@pytest.mark.parametrize(("fmt", "max_mean_error"), [("JPEG", 4.0), ("WSQ", 10.0)])
def test_lossy_formats_round_trip_approximately(fmt: str, max_mean_error: float) -> None:
    pixels = ridges(120, 100, seed=1)
    decoded = decode_image(encode(pixels, fmt))
    assert decoded.format == fmt
    assert decoded.pixels.shape == pixels.shape
    assert np.abs(decoded.pixels.astype(int) - pixels).mean() < max_mean_error


@pytest.mark.parametrize(
    ("height", "width"), [(32, 32), (33, 47), (47, 33), (64, 65), (77, 101), (31 * 4 + 1, 35)]
)
@pytest.mark.parametrize("kind", ["ridges", "flat"])
def test_wsq_of_any_size_passes_the_subband_check(height: int, width: int, kind: str) -> None:
    # Flat images leave many subbands unquantized, so the coded coefficient count
    # checked against the subband geometry differs from the ridge images'.
    pixels = ridges(height, width) if kind == "ridges" else np.full((height, width), 90, np.uint8)
    decoded = decode_image(encode(pixels, "WSQ"))
    assert decoded.pixels.shape == (height, width)


@given(
    st.integers(MIN_IMAGE_SIDE, 70).flatmap(
        lambda h: st.integers(MIN_IMAGE_SIDE, 70).map(lambda w: (h, w))
    ),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None)
def test_png_round_trip_of_random_pixels(shape: tuple[int, int], seed: int) -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    np.testing.assert_array_equal(decode_image(encode(pixels, "PNG")).pixels, pixels)


# --------------------------------------------------------------------------- grey conversion


@pytest.mark.parametrize(("fmt", "dtype"), [("PNG", "<u2"), ("TIFF", "<u2"), ("TIFF", ">u2")])
def test_16_bit_grey_keeps_the_high_byte(fmt: str, dtype: str) -> None:
    values = (np.arange(64 * 48).reshape(64, 48) * 21 % 65536).astype(dtype)
    decoded = decode_image(encode(values, fmt))
    np.testing.assert_array_equal(decoded.pixels, (values.astype(np.uint16) >> 8).astype(np.uint8))


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "BMP"])
def test_rgb_becomes_itu_r_601_luma(fmt: str) -> None:
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (40, 36, 3), dtype=np.uint8)
    decoded = decode_image(encode(rgb, fmt))
    luma = rgb @ np.array([0.299, 0.587, 0.114])
    assert np.abs(decoded.pixels.astype(float) - luma).max() <= 1.0


def test_pure_colours_map_to_their_luma() -> None:
    colours = {(255, 0, 0): 76, (0, 255, 0): 150, (0, 0, 255): 29, (255, 255, 255): 255}
    for colour, grey in colours.items():
        image = Image.new("RGB", (32, 32), colour)
        assert decode_image(encode(image, "PNG")).pixels[0, 0] == grey


def test_palette_alpha_and_bilevel_images_become_grey() -> None:
    palette = Image.new("RGB", (40, 40), (255, 0, 0)).quantize(4)
    assert decode_image(encode(palette, "PNG")).pixels[5, 5] == 76
    rgba = Image.new("RGBA", (40, 40), (0, 0, 255, 0))  # alpha dropped, not composited
    assert decode_image(encode(rgba, "PNG")).pixels[5, 5] == 29
    grey_alpha = Image.new("LA", (40, 40), (123, 7))
    assert decode_image(encode(grey_alpha, "PNG")).pixels[5, 5] == 123
    bilevel = Image.fromarray(ridges(40, 40) > 128)
    assert set(np.unique(decode_image(encode(bilevel, "TIFF")).pixels)) == {0, 255}


def test_cmyk_jpeg_becomes_grey() -> None:
    decoded = decode_image(encode(Image.new("CMYK", (40, 40), (0, 0, 0, 0)), "JPEG"))
    assert decoded.pixels.shape == (40, 40)
    assert decoded.pixels.min() > 250


def test_floating_point_tiff_is_refused() -> None:
    data = encode(Image.fromarray(np.zeros((40, 40), np.float32)), "TIFF")
    with pytest.raises(ImageDecodeError, match="'F'"):
        decode_image(data)


def test_multi_frame_tiff_yields_its_first_frame() -> None:
    first, second = ridges(40, 40, seed=1), ridges(40, 40, seed=2)
    data = encode(
        Image.fromarray(first), "TIFF", save_all=True, append_images=[Image.fromarray(second)]
    )
    np.testing.assert_array_equal(decode_image(data).pixels, first)


# --------------------------------------------------------------------------- resolution


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "BMP", "JPEG"])
@pytest.mark.parametrize("dpi", [500, 1000])
def test_stated_resolution_is_read(fmt: str, dpi: int) -> None:
    decoded = decode_image(encode(ridges(), fmt, dpi=(dpi, dpi)))
    assert decoded.resolution_ppi == pytest.approx(dpi, rel=1e-4)


@pytest.mark.parametrize("dpi", [(1, 1), (72, 72), (96, 96), (5000, 5000), (500, 250)])
def test_implausible_resolution_is_unknown(dpi: tuple[int, int]) -> None:
    assert decode_image(encode(ridges(), "TIFF", dpi=dpi)).resolution_ppi is None


def test_missing_resolution_is_unknown() -> None:
    assert decode_image(encode(ridges(), "PNG")).resolution_ppi is None


def test_wsq_resolution_comes_from_the_nistcom_comment() -> None:
    data = encode(ridges(), "WSQ")
    assert b"\nPPI 500\n" in data
    assert decode_image(data).resolution_ppi == 500.0
    assert decode_image(data.replace(b"\nPPI 500\n", b"\nPPI 999\n")).resolution_ppi == 999.0
    assert decode_image(data.replace(b"\nPPI 500\n", b"\nPPI -01\n")).resolution_ppi is None


# --------------------------------------------------------------------------- real data


def test_fvc2002_tiffs_decode_and_resample(fvc2002_dir: Path) -> None:
    db2 = fvc2002_dir / "DB2_B" / "101_1.tif"
    decoded = decode_image(db2.read_bytes())
    assert decoded.format == "TIFF"
    assert decoded.pixels.shape == (560, 296)
    assert decoded.resolution_ppi is None  # the FVC TIFFs state 1 x 1 dpi
    at_500 = load_fingerprint(db2, resolution_ppi=569)
    assert at_500.shape == (round(560 * 500 / 569), round(296 * 500 / 569))  # (492, 260)
    assert at_500.dtype == np.uint8 and at_500.flags.c_contiguous
    assert abs(float(at_500.mean()) - float(decoded.pixels.mean())) < 2.0
    db1 = fvc2002_dir / "DB1_B" / "101_1.tif"
    np.testing.assert_array_equal(
        load_fingerprint(str(db1), resolution_ppi=500), decode_image(db1.read_bytes()).pixels
    )


def test_wsq_sample_decodes(ansi_nist_dir: Path) -> None:
    data = (ansi_nist_dir / "biomeval-img.wsq").read_bytes()
    decoded = decode_image(data)
    assert decoded.format == "WSQ"
    assert decoded.pixels.shape == (256, 256)
    assert decoded.resolution_ppi == 500.0
    assert 20 < decoded.pixels.mean() < 235 and decoded.pixels.std() > 10
    np.testing.assert_array_equal(load_fingerprint(data), decoded.pixels)


@pytest.mark.parametrize(
    ("transaction", "shape"),
    [("nbis-valid1.1.an2", (512, 512)), ("biomeval-type4-slaps.an2k", (1000, 1608))],
)
def test_wsq_from_ansi_nist_type4_records_decodes(
    ansi_nist_dir: Path, transaction: str, shape: tuple[int, int]
) -> None:
    # Real encoders' streams pass the structural and coefficient-count checks.
    record = (ansi_nist_dir / transaction).read_bytes()
    start = record.index(b"\xff\xa0\xff")
    end = record.index(b"\xff\xa1", start) + 2
    decoded = decode_image(record[start:end])
    assert decoded.format == "WSQ"
    assert decoded.pixels.shape == shape
    assert decoded.pixels.std() > 10


def test_wsq_sample_truncated_anywhere_is_refused(ansi_nist_dir: Path) -> None:
    data = (ansi_nist_dir / "biomeval-img.wsq").read_bytes()
    for cut in range(0, len(data) - 1, 7):
        with pytest.raises(ImageError):
            decode_image(data[:cut])


# --------------------------------------------------------------------------- load_fingerprint


def test_load_fingerprint_reads_paths_and_bytes_alike(tmp_path: Path) -> None:
    data = encode(ridges(), "PNG")
    path = tmp_path / "print.dat"  # the extension plays no part
    path.write_bytes(data)
    np.testing.assert_array_equal(load_fingerprint(path), load_fingerprint(data))
    np.testing.assert_array_equal(load_fingerprint(bytearray(data)), ridges())


def test_load_fingerprint_resolution_precedence() -> None:
    pixels = ridges(100, 80)
    stated_1000 = encode(pixels, "PNG", dpi=(1000, 1000))
    assert load_fingerprint(stated_1000).shape == (50, 40)  # the file's own resolution
    assert load_fingerprint(stated_1000, resolution_ppi=250).shape == (200, 160)  # argument wins
    assert load_fingerprint(encode(pixels, "PNG")).shape == (100, 80)  # default 500 ppi
    assert load_fingerprint(encode(pixels, "TIFF", dpi=(1, 1))).shape == (100, 80)


def test_load_fingerprint_of_raw_data() -> None:
    pixels = ridges(60, 50)
    loaded = load_fingerprint(pixels.tobytes(), raw_size=(50, 60))
    np.testing.assert_array_equal(loaded, pixels)
    assert load_fingerprint(pixels.tobytes(), raw_size=(50, 60), resolution_ppi=1000).shape == (
        30,
        25,
    )
    with pytest.raises(ImageDecodeError, match="needs 3060 bytes, got 3000"):
        load_fingerprint(pixels.tobytes(), raw_size=(60, 50 + 1))
    with pytest.raises(TypeError):
        load_fingerprint(pixels.tobytes(), raw_size=[50, 60])  # type: ignore[arg-type]


def test_load_fingerprint_refuses_big_files_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    with path.open("wb") as file:
        file.truncate(image_module.MAX_IMAGE_BYTES + 1)  # sparse: nothing to read
    with pytest.raises(ImageLimitError, match="bytes"):
        load_fingerprint(path)
    small = tmp_path / "small.png"
    small.write_bytes(encode(ridges(), "PNG"))
    with pytest.raises(ImageLimitError):
        load_fingerprint(small, max_bytes=100)


def test_load_fingerprint_file_system_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_fingerprint(tmp_path / "missing.png")
    with pytest.raises(ImageDecodeError, match="regular file"):
        load_fingerprint(tmp_path)


def test_load_fingerprint_argument_errors() -> None:
    data = encode(ridges(), "PNG")
    with pytest.raises(ValueError, match="resolution_ppi"):
        load_fingerprint(data, resolution_ppi=50)
    with pytest.raises(TypeError):
        load_fingerprint(12345)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- raw data


def test_decode_raw_reads_rows_top_first() -> None:
    pixels = ridges(40, 33)
    decoded = decode_raw(pixels.tobytes(), 33, 40)
    np.testing.assert_array_equal(decoded, pixels)
    assert decoded.flags.writeable and decoded.flags.c_contiguous


@pytest.mark.parametrize("length", [0, 1, 40 * 33 - 1, 40 * 33 + 1, 2 * 40 * 33])
def test_decode_raw_wrong_size_names_both_counts(length: int) -> None:
    with pytest.raises(ImageDecodeError, match=rf"needs 1320 bytes, got {length}\b"):
        decode_raw(bytes(length), 33, 40)


def test_decode_raw_limits_and_arguments() -> None:
    with pytest.raises(ImageLimitError):
        decode_raw(bytes(16 * 16), 16, 16)
    with pytest.raises(ImageLimitError):
        decode_raw(b"", MAX_IMAGE_SIDE + 1, 40)
    with pytest.raises(ImageLimitError):
        decode_raw(b"", 4000, 4000, max_pixels=1_000_000)
    with pytest.raises(ValueError, match="width"):
        decode_raw(b"", 0, 40)
    with pytest.raises(TypeError, match="height"):
        decode_raw(b"", 40, 40.0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- limits


def test_huge_declared_png_is_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels decoded before the dimensions were checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageLimitError):
        decode_image(png_header_only(100_000, 100_000))  # Pillow's bomb check
    with pytest.raises(ImageLimitError, match="5000 px per side"):
        decode_image(png_header_only(6000, 1000))  # ours
    with pytest.raises(ImageLimitError, match="pixels"):
        decode_image(png_header_only(4000, 4000), max_pixels=10_000_000)
    with pytest.raises(ImageLimitError, match="minimum"):
        decode_image(png_header_only(31, 500))


def test_small_images_are_not_fingerprints() -> None:
    with pytest.raises(ImageLimitError, match="too small"):
        decode_image(encode(np.zeros((20, 300), np.uint8), "BMP"))
    assert decode_image(encode(np.zeros((20, 300), np.uint8), "BMP"), min_side=8).pixels.shape == (
        20,
        300,
    )


def test_byte_limit() -> None:
    data = encode(ridges(), "PNG")
    with pytest.raises(ImageLimitError, match="bytes"):
        decode_image(data, max_bytes=len(data) - 1)
    assert decode_image(data, max_bytes=len(data)).format == "PNG"


def test_huge_declared_wsq_frame_is_refused_before_the_decoder() -> None:
    data = bytearray(encode(ridges(), "WSQ"))
    sof = wsq_segments(bytes(data))[0xFFA2][0]
    data[sof + 6 : sof + 10] = struct.pack(">HH", 6000, 6000)
    with pytest.raises(ImageLimitError, match="5000 px per side"):
        decode_image(bytes(data))
    data[sof + 6 : sof + 10] = struct.pack(">HH", 0, 40)
    with pytest.raises(ImageDecodeError, match="empty"):
        decode_image(bytes(data))


# --------------------------------------------------------------------------- format detection


@pytest.mark.parametrize("kind", ["JPEG2000", "J2K"])
def test_jpeg2000_decodes(kind: str) -> None:
    pixels = np.tile(np.arange(0, 240, 4, dtype=np.uint8), (50, 1))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG2000", irreversible=False, no_jp2=kind == "J2K")
    decoded = decode_image(buffer.getvalue())
    assert decoded.format == "JPEG2000"
    np.testing.assert_array_equal(decoded.pixels, pixels)  # reversible: lossless


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<?xml version='1.0'?>", "3c 3f 78 6d"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n" + bytes(40), "cannot decode JPEG2000"),
        (b"GIF89a" + bytes(40), "GIF"),
        (b"II+\x00" + bytes(40), "BigTIFF"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"\xff\xa0\x00\x00", "ff a0 00 00"),  # SOI not followed by a marker
        (b"B", "42"),
    ],
)
def test_unknown_formats_are_named(data: bytes, message: str) -> None:
    with pytest.raises(ImageDecodeError, match=message):
        decode_image(data)


def test_format_comes_from_content_not_from_name(tmp_path: Path) -> None:
    path = tmp_path / "print.wsq"
    path.write_bytes(encode(ridges(), "BMP"))
    np.testing.assert_array_equal(load_fingerprint(path), ridges())


def test_decode_image_argument_errors() -> None:
    with pytest.raises(TypeError):
        decode_image("not bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_side"):
        decode_image(encode(ridges(), "PNG"), max_side=0)


# --------------------------------------------------------------------------- normalize_resolution


def test_normalize_resolution_shrinks_and_enlarges() -> None:
    pixels = ridges(560, 296)
    assert normalize_resolution(pixels, 569).shape == (492, 260)
    assert normalize_resolution(pixels, 1000).shape == (280, 148)
    assert normalize_resolution(pixels, 250).shape == (1120, 592)
    flat = np.full((100, 100), 77, np.uint8)
    assert np.all(normalize_resolution(flat, 1000) == 77)
    assert np.all(normalize_resolution(flat, 333) == 77)


def test_normalize_resolution_leaves_near_500_ppi_alone() -> None:
    pixels = ridges()
    assert normalize_resolution(pixels, 500) is pixels
    assert normalize_resolution(pixels, 502.4) is pixels
    assert normalize_resolution(pixels, 497.6) is pixels
    assert normalize_resolution(pixels, 503) is not pixels
    strided = np.asfortranarray(pixels)
    result = normalize_resolution(strided, 500)
    assert result.flags.c_contiguous
    np.testing.assert_array_equal(result, pixels)


def test_normalize_resolution_other_target() -> None:
    assert normalize_resolution(ridges(100, 80), 500, target_ppi=1000).shape == (200, 160)


@pytest.mark.parametrize("ppi", [99.9, 2000.1, float("nan"), float("inf"), 0, -500])
def test_normalize_resolution_refuses_implausible_resolution(ppi: float) -> None:
    with pytest.raises(ValueError, match="source_ppi"):
        normalize_resolution(ridges(), ppi)


def test_normalize_resolution_refuses_non_grey_arrays() -> None:
    with pytest.raises(TypeError, match="uint8"):
        normalize_resolution(np.zeros((40, 40), np.float32), 500)
    with pytest.raises(ValueError, match="2-D"):
        normalize_resolution(np.zeros((40, 40, 3), np.uint8), 500)


# --------------------------------------------------------------------------- hostile WSQ


def test_wsq_without_end_of_image_is_truncated() -> None:
    data = encode(ridges(), "WSQ")
    assert data.endswith(b"\xff\xa1")
    with pytest.raises(ImageDecodeError, match="truncated"):
        decode_image(data[:-2])
    with pytest.raises(ImageDecodeError, match="truncated"):
        decode_image(data[:-1])


def test_wsq_every_truncation_is_refused() -> None:
    data = valid_files()["WSQ"]
    for cut in range(1, len(data)):
        with pytest.raises(ImageError):
            decode_image(data[:cut])


def test_wsq_structural_damage_is_refused() -> None:
    data = encode(ridges(), "WSQ")
    segments = wsq_segments(data)
    dht, dtt, sof, sob = (segments[m][0] for m in (0xFFA6, 0xFFA4, 0xFFA2, 0xFFA3))

    def patched(offset: int, new: bytes) -> bytes:
        return data[:offset] + new + data[offset + len(new) :]

    codes = sum(data[dht + 5 : dht + 21])
    cases = {
        "Huffman table id": patched(dht + 4, b"\xc8"),  # NBIS would index past its 8 tables
        "not a prefix code": patched(dht + 5, bytes([codes]) + bytes(15)),  # all 1-bit codes
        "9/7 filter bank": patched(dtt + 4, b"\x00"),  # NBIS would loop 256 times
        "undefined Huffman table": patched(sob + 4, b"\x05"),
        "frame header": patched(sof + 2, b"\x00\x10"),  # SOF length 16
        "unexpected marker": patched(sof, b"\xff\xb0"),
        "declares": patched(dht + 2, b"\xff\xff"),  # length beyond the data
        "precedes": data[:2] + data[sob:],  # blocks without frame or tables
    }
    for message, damaged in cases.items():
        with pytest.raises(ImageDecodeError, match=message):
            decode_image(damaged)


def test_block_replay_refuses_what_would_derail_nbis() -> None:
    # Three 2-bit codes: 00 -> 101 (coefficient in 8 extra bits), 01 -> 5 (run of
    # five zeros), 10 -> 180 (coefficient 0); 11 is no code.
    lookup = _wsq._huffman_lookup(bytes([0, 3]) + bytes(14), bytes([101, 5, 180]), 0)

    def count(coded: bytes, budget: int = 1000) -> int:
        return _wsq._count_coefficients(coded, lookup, budget=budget, offset=0)

    assert count(bytes([0b01_10_01_10])) == 12
    assert count(bytes([0b00_101010, 0b10_01_10_01])) == 1 + 5 + 1 + 5  # 101 + 8 bits
    assert count(bytes([0b01_10_1111])) == 6  # the unmatched tail meets the marker: NBIS stops
    with pytest.raises(ImageDecodeError, match="inside a coefficient"):
        count(bytes([0b10_10_10_00]))  # extra bits cut by the marker: NBIS null dereference
    with pytest.raises(ImageDecodeError, match="invalid Huffman code"):
        count(b"\xff\xff\xff")  # no code in 16 bits: NBIS reads past its tables
    with pytest.raises(ImageDecodeError, match="more coefficients"):
        count(bytes([0b01_01_01_01]), budget=19)  # NBIS would write past its buffer


def test_wsq_overlong_nistcom_entry_is_refused() -> None:
    data = encode(ridges(), "WSQ")
    com = wsq_segments(data)[0xFFA8][0]
    length = int.from_bytes(data[com + 2 : com + 4], "big")
    text = data[com + 4 : com + 2 + length] + b"\nSOFTWARE " + b"x" * 600
    comment = b"\xff\xa8" + struct.pack(">H", len(text) + 2) + text
    with pytest.raises(ImageDecodeError, match="overlong"):
        decode_image(data[:com] + comment + data[com + 2 + length :])


def test_wsq_coefficient_count_must_match_the_frame() -> None:
    data = bytearray(encode(ridges(64, 64), "WSQ"))
    sof = wsq_segments(bytes(data))[0xFFA2][0]
    data[sof + 6 : sof + 10] = struct.pack(">HH", 64, 80)  # taller frame, same blocks
    with pytest.raises(ImageDecodeError, match="coefficients"):
        decode_image(bytes(data))


# --------------------------------------------------------------------------- corruption properties

CORRUPTION = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CORRUPTION
@given(st.sampled_from(ALL_FORMATS), st.floats(0.0, 1.0, exclude_max=True))
def test_truncated_files_decode_or_raise_image_error(fmt: str, fraction: float) -> None:
    data = valid_files()[fmt]
    assert_image_or_image_error(data[: int(fraction * len(data))])


@CORRUPTION
@given(
    st.sampled_from(ALL_FORMATS),
    st.lists(
        st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(1, 255)),
        min_size=1,
        max_size=8,
    ),
)
def test_corrupted_files_decode_or_raise_image_error(
    fmt: str, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(valid_files()[fmt])
    for where, mask in flips:
        data[int(where * len(data))] ^= mask
    assert_image_or_image_error(bytes(data))


@CORRUPTION
@given(st.data())
def test_corrupted_wsq_block_data_never_reaches_a_crash(data: st.DataObject) -> None:
    # Concentrate damage where the NBIS decoder is weakest: the Huffman-coded blocks.
    wsq = bytearray(valid_files()["WSQ"])
    start = wsq_segments(bytes(wsq))[0xFFA3][0]
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(start, len(wsq) - 1))
        wsq[where] = data.draw(st.sampled_from([0x00, 0xFF, 0xA3, 0xA1, 0x69, 0x6A])) ^ (
            wsq[where] if data.draw(st.booleans()) else 0
        )
    assert_image_or_image_error(bytes(wsq))


@CORRUPTION
@given(st.binary(min_size=0, max_size=64), st.sampled_from(ALL_FORMATS))
def test_garbage_after_a_valid_signature(tail: bytes, fmt: str) -> None:
    head = valid_files()[fmt][:8]
    assert_image_or_image_error(head + tail)


def test_a_would_be_bomb_is_refused_without_a_warning() -> None:
    """A header claiming 95 million pixels (between Pillow's warning and
    error thresholds) is an ImageLimitError, not a warning and a decode."""
    import struct
    import warnings
    import zlib

    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = data[12:29]  # chunk type + 13 bytes of IHDR data
    ihdr[4:12] = struct.pack(">II", 10_000, 9_500)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageLimitError):
            decode_image(bytes(data), max_pixels=200_000_000, max_side=20_000)
