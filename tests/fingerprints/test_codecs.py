"""Minutiae record codecs: round trips, real records, malformed input."""

from __future__ import annotations

import dataclasses
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interop.fingerprints import codecs
from interop.fingerprints.codecs import (
    CODECS,
    MAX_TEMPLATE_BYTES,
    decode_record,
    decode_template,
    detect,
    encode_record,
    encode_template,
)
from interop.fingerprints.codecs._binary import ppcm_to_ppi
from interop.fingerprints.errors import TemplateDecodeError, TemplateEncodeError
from interop.fingerprints.template import MINUTIA_DTYPE, Template

ENCODABLE = ("iso19794-2:2005", "iso19794-2:2011", "ansi378:2004")
ANGLE_UNIT = {
    "iso19794-2:2005": 2 * math.pi / 256,
    "iso19794-2:2011": 2 * math.pi / 256,
    "ansi378:2004": 2 * math.pi / 180,
}
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def make_template(n: int = 5, seed: int = 0, **kwargs: object) -> Template:
    rng = np.random.default_rng(seed)
    fields: dict[str, Any] = {"width": 300, "height": 400, "quality": 60, "finger_position": 3}
    fields.update(kwargs)
    minutiae = Template.from_arrays(
        rng.integers(0, 300, n),
        rng.integers(0, 400, n),
        rng.uniform(0, 2 * math.pi, n),
        type=rng.integers(0, 3, n),
        quality=rng.integers(0, 101, n),
        width=1,
        height=1,
    ).minutiae
    return Template(minutiae, **fields)


def angle_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a.astype(np.float64) - b.astype(np.float64)) % (2 * math.pi)
    return np.minimum(d, 2 * math.pi - d)


def assert_same_minutiae(a: Template, b: Template, angle_tolerance: float) -> None:
    np.testing.assert_array_equal(a.minutiae["x"], b.minutiae["x"])
    np.testing.assert_array_equal(a.minutiae["y"], b.minutiae["y"])
    np.testing.assert_array_equal(a.minutiae["type"], b.minutiae["type"])
    np.testing.assert_array_equal(a.minutiae["quality"], b.minutiae["quality"])
    assert (angle_error(a.minutiae["angle"], b.minutiae["angle"]) <= angle_tolerance).all()


# --------------------------------------------------------------------------
# hand-built records of the decode-only layouts


def ansi2009_record(version: bytes = b"030\x00", *, short_header: bool = False) -> bytes:
    """An ANSI 378-2009 record (21-byte header), or the libbiomeval 20-byte variant."""
    minutiae = b"".join(
        struct.pack(">HHBB", kind << 14 | x, y, angle, quality)
        for kind, x, y, angle, quality in ((1, 10, 20, 0, 50), (2, 299, 399, 179, 254))
    )
    ridge_counts = struct.pack(">HH", 1, 11) + bytes([1, 0, 1, 3, 1, 0, 2])
    core_delta = struct.pack(">HH", 2, 15) + bytes([0x41, 0, 50, 0, 60, 45, 0x01, 0, 70, 0, 80])
    extended = struct.pack(">H", len(ridge_counts) + len(core_delta)) + ridge_counts + core_delta
    view = (
        bytes([2, 0, 0, 80])
        + struct.pack(">HHHHHHB", 0x42, 7, 300, 400, 197, 197, 2)
        + minutiae
        + extended
    )
    if short_header:
        header = struct.pack(">HHH", 0x42, 0x11, 0x00B5) + bytes([1, 0])
    else:
        header = struct.pack(">HHBH", 0x42, 0x11, 0x80, 0x0123) + bytes([1, 0])
    body = header + view
    return b"FMR\x00" + version + struct.pack(">I", 12 + len(body)) + body


def iso2011_rich_record() -> bytes:
    """ISO 2011 with a capture time, two quality blocks, certification and 5-byte minutiae."""
    minutiae = b"".join(
        struct.pack(">HHB", kind << 14 | x, y, angle)
        for kind, x, y, angle in ((1, 5, 6, 7), (0, 100, 200, 255))
    )
    extended = struct.pack(">HHH", 6, 0x0003, 6) + b"\x00\x00"
    rep = (
        struct.pack(">HBBBBBH", 2020, 5, 17, 12, 30, 15, 250)
        + bytes([3])
        + struct.pack(">HH", 0x0042, 0x0007)
        + bytes([2])
        + struct.pack(">BHH", 77, 0x0101, 0x0002)
        + struct.pack(">BHH", 255, 0x0101, 0x0003)
        + bytes([1])
        + struct.pack(">HB", 0x0009, 1)
        + bytes([7, 1])
        + struct.pack(">HH", 394, 394)
        + bytes([24])
        + struct.pack(">HH", 600, 800)
        + bytes([5 << 4 | 1, 2])
        + minutiae
        + extended
    )
    rep = struct.pack(">I", 4 + len(rep)) + rep
    body = struct.pack(">HB", 1, 1) + rep
    return b"FMR\x00030\x00" + struct.pack(">I", 12 + len(body)) + body


SYNTHETIC_SEEDS = (
    encode_template(make_template(6, seed=1), "iso19794-2:2005"),
    encode_record([make_template(3, seed=2), make_template(0, seed=3)], "iso19794-2:2005"),
    encode_template(make_template(6, seed=4), "iso19794-2:2011"),
    encode_template(make_template(6, seed=5), "ansi378:2004"),
    iso2011_rich_record(),
    ansi2009_record(),
    ansi2009_record(short_header=True),
    ansi2009_record(b"035\x00"),
)


# --------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("fmt", ENCODABLE)
def test_round_trip_keeps_minutiae_and_header_fields(fmt: str) -> None:
    template = make_template(40, seed=7, resolution_ppi=500, quality=71, finger_position=9)
    record = encode_template(template, fmt)
    assert detect(record) == fmt
    decoded = decode_template(record)
    assert_same_minutiae(template, decoded, ANGLE_UNIT[fmt] / 2 + 1e-6)
    assert (decoded.width, decoded.height) == (300, 400)
    assert decoded.resolution_ppi == 500
    assert decoded.quality == 71
    assert decoded.finger_position == 9
    assert decoded.metadata["format"] == fmt
    assert decoded.metadata["resolution_ppcm"] == (197, 197)
    # a decoded record re-encodes to the same bytes
    assert encode_template(decoded, fmt) == record


@pytest.mark.parametrize("fmt", ENCODABLE)
def test_round_trip_of_several_views(fmt: str) -> None:
    views = [make_template(10, seed=s, finger_position=s + 1) for s in range(3)]
    decoded = decode_record(encode_record(views, fmt))
    assert len(decoded) == 3
    for i, (view, back) in enumerate(zip(views, decoded, strict=True)):
        assert_same_minutiae(view, back, ANGLE_UNIT[fmt])
        assert back.finger_position == i + 1
        assert back.metadata["view_index"] == i
    assert decode_template(encode_record(views, fmt), view=2).finger_position == 3
    with pytest.raises(TemplateDecodeError, match="view 3"):
        decode_template(encode_record(views, fmt), view=3)
    with pytest.raises(ValueError, match="non-negative"):
        decode_template(encode_record(views, fmt), view=-1)


def test_resolution_in_pixels_per_cm_survives_unequal_axes() -> None:
    template = make_template(
        3, resolution_ppi=ppcm_to_ppi(224), metadata={"resolution_ppcm": (224, 230)}
    )
    for fmt in ENCODABLE:
        decoded = decode_template(encode_template(template, fmt))
        assert decoded.resolution_ppi == 569
        assert decoded.metadata["resolution_ppcm"] == (224, 230)


def test_minutiae_outside_the_image_are_kept_and_counted() -> None:
    template = Template.from_arrays([10, 300, 5], [10, 5, 401], [0, 0, 0], width=300, height=400)
    for fmt in ENCODABLE:
        decoded = decode_template(encode_template(template, fmt))
        assert decoded.xy.tolist() == [[10, 10], [300, 5], [5, 401]]
        assert decoded.metadata["minutiae_outside_image"] == 2


def test_metadata_fields_are_written_back() -> None:
    template = make_template(
        2,
        metadata={
            "impression_type": 8,
            "view_number": 3,
            "capture_equipment_id": 0x123,
            "cbeff_product_id": (0x42, 0x11),
        },
    )
    for fmt in ("iso19794-2:2005", "ansi378:2004"):
        decoded = decode_template(encode_template(template, fmt))
        assert decoded.metadata["impression_type"] == 8
        assert decoded.metadata["view_number"] == 3
        assert decoded.metadata["capture_equipment_id"] == 0x123
    assert decode_template(encode_template(template, "ansi378:2004")).metadata[
        "cbeff_product_id"
    ] == (0x42, 0x11)


def test_iso2011_decodes_optional_blocks() -> None:
    record = iso2011_rich_record()
    assert detect(record) == "iso19794-2:2011"
    t = decode_template(record)
    assert (t.width, t.height, t.resolution_ppi, t.quality, t.finger_position) == (
        600,
        800,
        1001,
        77,
        7,
    )
    assert t.metadata["capture_datetime"] == (2020, 5, 17, 12, 30, 15, 250)
    assert t.metadata["quality_blocks"] == ((77, 0x101, 2), (255, 0x101, 3))
    assert t.metadata["certification_blocks"] == ((9, 1),)
    assert t.metadata["minutia_record_size"] == 5
    assert t.metadata["ridge_ending_type"] == 1
    assert t.metadata["impression_type"] == 24
    assert t.minutiae["quality"].tolist() == [0, 0]
    assert t.minutiae["type"].tolist() == [1, 0]
    assert t.minutiae["angle"][1] == pytest.approx(255 * 2 * math.pi / 256)
    # re-encoded as 6-byte minutiae, without the certification block
    again = decode_template(encode_template(t, "iso19794-2:2011"))
    assert again == t
    assert again.metadata["capture_datetime"] == (2020, 5, 17, 12, 30, 15, 250)


@pytest.mark.parametrize(
    ("version", "short_header", "fmt"),
    [
        (b"030\x00", False, "ansi378:2009"),
        (b"030\x00", True, "ansi378:2007"),
        (b"035\x00", False, "ansi378:2009/am1"),
    ],
)
def test_ansi_2009_layouts_decode(version: bytes, short_header: bool, fmt: str) -> None:
    record = ansi2009_record(version, short_header=short_header)
    assert detect(record) == fmt
    t = decode_template(record)
    assert t.metadata["format"] == fmt
    assert (t.width, t.height, t.resolution_ppi, t.quality, t.finger_position) == (
        300,
        400,
        500,
        80,
        2,
    )
    assert t.xy.tolist() == [[10, 20], [299, 399]]
    assert t.minutiae["angle"].tolist() == pytest.approx([0.0, 179 * math.pi / 90])
    assert t.minutiae["quality"].tolist() == [50, 0]  # 254: not reported
    assert t.metadata["quality_algorithm"] == (0x42, 7)
    assert t.metadata["extended_data_bytes"] == 26
    with pytest.raises(ValueError, match="but not encoded"):
        encode_template(t, fmt)


def test_detection_of_shared_version_bytes_survives_damage() -> None:
    # "030": ISO 2011 by its representation lengths, the ANSI layouts by their headers
    iso2011 = encode_template(make_template(3), "iso19794-2:2011")
    assert detect(iso2011[:40]) == "iso19794-2:2011"
    for short_header, fmt, header_size in ((False, "ansi378:2009", 21), (True, "ansi378:2007", 20)):
        record = bytearray(ansi2009_record(short_header=short_header))
        assert detect(bytes(record)) == fmt
        record[header_size + 17] |= 0xC0  # a reserved minutia type: the record no longer decodes
        assert detect(bytes(record)) == fmt
        with pytest.raises(TemplateDecodeError, match="reserved type"):
            decode_record(bytes(record))
    # " 20": ISO 2005 (4-byte length) or ANSI 2004 (2-byte, or 0 + 4-byte for long records)
    ansi = encode_template(make_template(3), "ansi378:2004")
    long_form = bytearray(ansi[:8] + b"\x00\x00" + struct.pack(">I", len(ansi) + 4) + ansi[10:])
    assert detect(bytes(long_form)) == "ansi378:2004"
    assert decode_template(bytes(long_form)) == decode_template(ansi)
    assert detect(ansi[:9]) == "iso19794-2:2005"
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(ansi[:9])
    assert (caught.value.field, caught.value.offset) == ("record length", 8)


# --------------------------------------------------------------------------
# real records


def test_fvc2002_iso_records(fvc2002_dir: Path) -> None:
    files = sorted(fvc2002_dir.glob("DB*_B/*.iso"))
    assert len(files) == 320
    total = 0
    for path in files:
        raw = path.read_bytes()
        assert detect(raw) == "iso19794-2:2005"
        (t,) = decode_record(raw)
        assert len(t) > 0
        assert (t.width, t.height, t.resolution_ppi) == (300, 400, 500)
        assert (t.minutiae["x"] < t.width).all()
        assert (t.minutiae["y"] < t.height).all()
        assert ((t.minutiae["angle"] >= 0) & (t.minutiae["angle"] < 2 * math.pi)).all()
        assert set(t.minutiae["type"].tolist()) <= {1, 2}
        total += len(t)
        # faithful: re-encoding gives the commercial extractor's bytes back
        assert encode_template(t, "iso19794-2:2005") == raw
        # cross-format: ISO 2005 -> ISO 2011 -> decode gives the same template
        assert decode_template(encode_template(t, "iso19794-2:2011")) == t
    assert total == 10214


def test_biomeval_records_agree_across_formats(ansi_nist_dir: Path) -> None:
    iso = decode_record((ansi_nist_dir / "biomeval-fmr.iso2005").read_bytes())
    ansi2004_raw = (ansi_nist_dir / "biomeval-fmr.ansi2004").read_bytes()
    ansi2007_raw = (ansi_nist_dir / "biomeval-fmr.ansi2007").read_bytes()
    assert detect(ansi2004_raw) == "ansi378:2004"
    assert detect(ansi2007_raw) == "ansi378:2007"
    ansi2004 = decode_record(ansi2004_raw)
    ansi2007 = decode_record(ansi2007_raw)
    assert [len(t) for t in ansi2004] == [27, 22, 28]
    assert [len(t) for t in iso] == [27, 22]
    assert [len(t) for t in ansi2007] == [27, 22]
    # the same two views in three formats: equal up to the coarser (2 degree) angle unit
    tolerance = 2 * math.pi / 256 / 2 + 2 * math.pi / 180 / 2 + 1e-6
    for a, b, c in zip(iso, ansi2004, ansi2007, strict=False):
        assert_same_minutiae(a, b, tolerance)
        assert_same_minutiae(b, c, 1e-6)
        for t in (a, b, c):
            assert (t.width, t.height, t.resolution_ppi) == (512, 512, 500)
        assert a.finger_position == b.finger_position == c.finger_position
        assert a.quality == b.quality == c.quality
    # libbiomeval miscounts its core/delta areas; the records are recovered by walking them
    assert iso[1].metadata["extended_data_repaired"] is True
    assert ansi2004[2].metadata["extended_data_repaired"] is True
    assert "extended_data_repaired" not in ansi2007[0].metadata


# --------------------------------------------------------------------------
# malformed records


def iso2005_record() -> bytearray:
    return bytearray(encode_template(make_template(4, seed=11), "iso19794-2:2005"))


def _set(record: bytearray, offset: int, fmt: str, value: int) -> bytearray:
    struct.pack_into(fmt, record, offset, value)
    return record


MALFORMED = [
    ("not a record", b"GIF89a", "format identifier", 0),
    ("empty", b"", "format identifier", 0),
    ("bad version", b"FMR\x00 21\x00" + bytes(20), "version", 4),
    ("truncated version", b"FMR\x00 2", "version", 4),
    ("length too long", _set(iso2005_record(), 8, ">I", 1000), "record length", 8),
    ("length too short", _set(iso2005_record(), 8, ">I", 30), "record length", 8),
    ("zero width", _set(iso2005_record(), 14, ">H", 0), "image width", 14),
    ("zero resolution", _set(iso2005_record(), 20, ">H", 0), "y resolution", 20),
    ("zero views", _set(iso2005_record(), 22, ">B", 0), "number of finger views", 22),
    ("views overflow", _set(iso2005_record(), 22, ">B", 2), "finger position", 54),
    ("finger position", _set(iso2005_record(), 24, ">B", 11), "finger position", 24),
    ("impression type", _set(iso2005_record(), 25, ">B", 0x05), "impression type", 25),
    ("finger quality", _set(iso2005_record(), 26, ">B", 101), "finger quality", 26),
    ("count overflow", _set(iso2005_record(), 27, ">B", 5), "number of minutiae", 27),
    # the extended data length is then read from the fourth minutia
    ("count short", _set(iso2005_record(), 27, ">B", 3), "extended data block length", 46),
    ("minutia type 3", _set(iso2005_record(), 28, ">B", 0xC0), "minutia type", 28),
    ("reserved bits", _set(iso2005_record(), 30, ">B", 0x40), "minutia reserved bits", 30),
    ("minutia quality", _set(iso2005_record(), 39, ">B", 237), "minutia quality", 39),
    (
        "extended data overruns",
        _set(iso2005_record(), 52, ">H", 8),
        "extended data block length",
        52,
    ),
]


@pytest.mark.parametrize(
    ("record", "field", "offset"),
    [pytest.param(bytes(r), f, o, id=name) for name, r, f, o in MALFORMED],
)
def test_malformed_iso2005_names_field_and_offset(record: bytes, field: str, offset: int) -> None:
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(record)
    assert (caught.value.field, caught.value.offset) == (field, offset)


def test_error_messages_carry_no_minutia_values() -> None:
    record = iso2005_record()
    record[39] = 237  # minutia quality of minutia 1
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(bytes(record))
    assert "237" not in str(caught.value)
    ansi = bytearray(encode_template(make_template(4, seed=11), "ansi378:2004"))
    ansi[26 + 4 + 6 + 4] = 213  # angle of minutia 1
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(bytes(ansi))
    assert (caught.value.field, caught.value.offset) == ("minutia angle", 40)
    assert "213" not in str(caught.value)


def test_truncated_extended_data() -> None:
    record = iso2005_record()
    area = struct.pack(">HH", 1, 10) + bytes(6)
    record[52:54] = struct.pack(">H", len(area))
    grown = bytearray(record + area)
    struct.pack_into(">I", grown, 8, len(grown))
    assert len(decode_template(bytes(grown))) == 4
    cut = grown[:-3]
    struct.pack_into(">I", cut, 8, len(cut))
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(bytes(cut))
    assert caught.value.field == "extended data block length"
    bad_area = bytearray(grown)
    struct.pack_into(">H", bad_area, 56, 11)  # area longer than its block
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(bytes(bad_area))
    assert (caught.value.field, caught.value.offset) == ("extended data area length", 56)


def test_iso2011_malformed_fields() -> None:
    good = bytearray(encode_template(make_template(3), "iso19794-2:2011"))
    cases = {
        "zero representations": (12, ">H", 0, "number of finger representations", 12),
        "certification flag": (14, ">B", 2, "certification flag", 14),
        "short representation": (15, ">I", 20, "representation length", 15),
        "long representation": (15, ">I", 4000, "representation length", 15),
        # one quality block (5 bytes) puts the position at 39
        "finger position": (39, ">B", 12 + 20, "finger position", 39),
        "impression type": (45, ">B", 30, "impression type", 45),
        "minutia field length": (50, ">B", 0x70, "minutia field length", 50),
        "ridge ending type": (50, ">B", 0x62, "ridge ending type", 50),
        "minutiae overflow": (51, ">B", 4, "number of minutiae", 51),
    }
    for name, (offset, fmt, value, field, at) in cases.items():
        record = bytearray(good)
        struct.pack_into(fmt, record, offset, value)
        with pytest.raises(TemplateDecodeError) as caught:
            decode_record(bytes(record), format="iso19794-2:2011")
        assert (caught.value.field, caught.value.offset) == (field, at), name


def test_ansi_angle_code_above_179_is_rejected() -> None:
    record = bytearray(ansi2009_record())
    record[21 + 17 + 6 + 4] = 180
    with pytest.raises(TemplateDecodeError) as caught:
        decode_record(bytes(record), format="ansi378:2009")
    assert (caught.value.field, caught.value.offset) == ("minutia angle", 48)


def test_size_limit_is_enforced_before_parsing() -> None:
    huge = b"FMR\x00 20\x00" + bytes(MAX_TEMPLATE_BYTES)
    for call in (detect, decode_record, decode_template):
        with pytest.raises(TemplateDecodeError, match="limit") as caught:
            call(huge)
        assert caught.value.field == "record length"
    for fmt, codec in CODECS.items():
        with pytest.raises(TemplateDecodeError, match="limit"):
            codec.decode(huge)
        assert codec.name == fmt


# --------------------------------------------------------------------------
# encoding refusals


@pytest.mark.parametrize("fmt", ENCODABLE)
def test_encoding_refuses_what_does_not_fit(fmt: str) -> None:
    def with_minutiae(**values: object) -> Template:
        m = np.zeros(1, dtype=MINUTIA_DTYPE)
        for key, value in values.items():
            m[key] = value
        return Template(m, width=300, height=400)

    refused = [
        make_template(256),
        with_minutiae(x=16384),
        with_minutiae(y=-3),
        with_minutiae(x=np.nan),
        with_minutiae(angle=np.inf),
        with_minutiae(quality=101),
        with_minutiae(type=3),
        make_template(1, quality=101),
        make_template(1, width=0),
        make_template(1, finger_position=60),
        make_template(1, metadata={"impression_type": 30}),
        make_template(1, metadata={"view_number": 16}),
    ]
    for template in refused:
        with pytest.raises(TemplateEncodeError):
            encode_template(template, fmt)
    with pytest.raises(TemplateEncodeError):
        encode_record([], fmt)


def test_views_of_2005_records_share_one_geometry() -> None:
    views = [make_template(1), make_template(1, width=301)]
    for fmt in ("iso19794-2:2005", "ansi378:2004"):
        with pytest.raises(TemplateEncodeError, match="share"):
            encode_record(views, fmt)
    assert len(decode_record(encode_record(views, "iso19794-2:2011"))) == 2


def test_unknown_formats() -> None:
    with pytest.raises(ValueError, match="unknown template format"):
        encode_template(make_template(1), "iso19794-2:2099")
    with pytest.raises(ValueError, match="unknown template format"):
        decode_record(encode_template(make_template(1)), format="nope")
    with pytest.raises(TemplateDecodeError) as caught:
        detect(b"FMR\x00999\x00" + bytes(30))
    assert (caught.value.field, caught.value.offset) == ("version", 4)


def test_public_api() -> None:
    assert sorted(codecs.__all__) == codecs.__all__
    for name in codecs.__all__:
        assert hasattr(codecs, name)
    assert set(CODECS) == {
        "iso19794-2:2005",
        "iso19794-2:2011",
        "ansi378:2004",
        "ansi378:2007",
        "ansi378:2009",
        "ansi378:2009/am1",
    }


# --------------------------------------------------------------------------
# properties


@st.composite
def templates(draw: st.DrawFn) -> Template:
    n = draw(st.integers(0, 255))
    width = draw(st.integers(1, 0xFFFF))
    height = draw(st.integers(1, 0xFFFF))
    coordinate = st.integers(0, 16383)
    ppcm = draw(st.integers(1, 25000))
    drawn = Template.from_arrays(
        draw(st.lists(coordinate, min_size=n, max_size=n)),
        draw(st.lists(coordinate, min_size=n, max_size=n)),
        draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=n, max_size=n)),
        type=draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
        quality=draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)),
        width=width,
        height=height,
        resolution_ppi=ppcm_to_ppi(ppcm),
        finger_position=draw(st.integers(0, 10)),
    )
    return dataclasses.replace(drawn, quality=draw(st.integers(0, 100)))


@FUZZ
@given(template=templates(), fmt=st.sampled_from(ENCODABLE))
def test_random_templates_round_trip(template: Template, fmt: str) -> None:
    record = encode_template(template, fmt)
    assert detect(record) == fmt
    back = decode_template(record)
    assert_same_minutiae(template, back, ANGLE_UNIT[fmt] / 2 + 1e-5)
    assert (back.width, back.height, back.resolution_ppi) == (
        template.width,
        template.height,
        template.resolution_ppi,
    )
    assert (back.quality, back.finger_position) == (template.quality, template.finger_position)
    assert encode_template(back, fmt) == record


def decode_or_reject(data: bytes) -> None:
    """Decoding either succeeds or raises TemplateDecodeError naming a field inside the data."""
    try:
        for t in decode_record(data):
            assert t.minutiae.dtype == MINUTIA_DTYPE
    except TemplateDecodeError as e:
        assert e.field is not None
        assert e.offset is None or 0 <= e.offset <= len(data)


@FUZZ
@given(seed=st.sampled_from(SYNTHETIC_SEEDS), data=st.data())
def test_truncated_records_are_rejected(seed: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(seed) - 1))
    with pytest.raises(TemplateDecodeError):
        decode_record(seed[:cut])
    decode_or_reject(seed[:cut])


@FUZZ
@given(seed=st.sampled_from(SYNTHETIC_SEEDS), data=st.data())
def test_corrupted_records_decode_or_raise_decode_errors(seed: bytes, data: st.DataObject) -> None:
    record = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        record[data.draw(st.integers(0, len(record) - 1))] = data.draw(st.integers(0, 255))
    decode_or_reject(bytes(record))


@FUZZ
@given(seed=st.sampled_from(SYNTHETIC_SEEDS), data=st.data())
def test_lying_length_fields_are_rejected(seed: bytes, data: st.DataObject) -> None:
    record = bytearray(seed)
    if seed[4:8] == b" 20\x00" and seed[8:10] != b"\x00\x00":  # ANSI 2004, 2-byte length
        true_value, fmt = struct.unpack_from(">H", seed, 8)[0], ">H"
        lie = data.draw(st.integers(1, 0xFFFF).filter(lambda v: v != true_value))
    else:
        true_value, fmt = struct.unpack_from(">I", seed, 8)[0], ">I"
        lie = data.draw(st.integers(0, 0xFFFFFFFF).filter(lambda v: v != true_value))
    struct.pack_into(fmt, record, 8, lie)
    with pytest.raises(TemplateDecodeError):
        decode_record(bytes(record))


@FUZZ
@given(data=st.data())
def test_real_records_survive_corruption(ansi_nist_dir: Path, data: st.DataObject) -> None:
    names = ("biomeval-fmr.ansi2004", "biomeval-fmr.ansi2007", "biomeval-fmr.iso2005")
    seed = (ansi_nist_dir / data.draw(st.sampled_from(names))).read_bytes()
    cut = data.draw(st.integers(0, len(seed) - 1))
    with pytest.raises(TemplateDecodeError):
        decode_record(seed[:cut])
    record = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        record[data.draw(st.integers(0, len(record) - 1))] = data.draw(st.integers(0, 255))
    decode_or_reject(bytes(record))
