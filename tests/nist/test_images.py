"""Image records: typed views, decoding, minutiae from the decoded images."""

from __future__ import annotations

import numpy as np
import pytest

from interop.fingerprints import extract
from interop.nist import Field, NistFormatError, Record, Transaction, parse
from interop.nist.images import images
from tests.conftest import require_data


def sample(name: str) -> Transaction:
    return parse((require_data("ansi-nist") / name).read_bytes())


def test_type4_slaps_decode_at_their_declared_size() -> None:
    found = images(sample("biomeval-type4-slaps.an2k"))
    assert [im.positions for im in found] == [(14,), (12,), (11,), (13,)]
    assert [(im.width, im.height) for im in found] == [
        (1608, 1000),
        (412, 1000),
        (392, 1000),
        (1572, 1000),
    ]
    for im in found:
        assert im.compression == "WSQ" and im.record_type == 4
        pixels = im.decode()
        assert pixels.shape == (im.height, im.width) and pixels.dtype == np.uint8
        assert 50 < pixels.mean() < 250


def test_a_rolled_finger_yields_minutiae() -> None:
    (im,) = images(sample("nbis-valid1.14.an2"))
    assert im.positions == (1,) and im.impression == 0
    template = extract(im.fingerprint())
    assert 30 < template.minutiae.shape[0] < 300


def test_face_record_is_read() -> None:
    (face,) = images(sample("nbis-valid1.3.an2"))
    assert face.record_type == 10 and face.positions == () and face.compression == "JPEGB"
    assert face.decode().shape == (400, 300)


def test_declared_size_must_match_the_data() -> None:
    t = sample("nbis-valid1.1.an2")
    d = bytearray(t.records[2].data)
    d[13:15] = (600).to_bytes(2, "big")  # HLL: 600 instead of 512
    bad = Transaction((*t.records[:2], Record(4, (), bytes(d), t.records[2].offset)))
    (im,) = images(bad)
    with pytest.raises(NistFormatError, match="declares 600x512") as err:
        im.decode()
    assert err.value.record == 2
    short = Transaction((*t.records[:2], Record(4, (), bytes(d[:10]), 360)))
    with pytest.raises(NistFormatError, match="18-byte header"):
        images(short)


def test_corrupt_image_data_is_a_typed_error() -> None:
    t = sample("nbis-valid1.1.an2")
    d = t.records[2].data
    broken = d[:18] + bytes(len(d) - 18)
    (im,) = images(Transaction((*t.records[:2], Record(4, (), broken, 360))))
    with pytest.raises(NistFormatError, match="does not decode"):
        im.decode()


def test_tagged_image_needs_its_size_fields() -> None:
    type14 = Record(14, (Field.of(1, "0"), Field.of(2, "1"), Field.of(999, b"\x00" * 4)))
    t = Transaction((Record(1, (Field.of(1, "0"),)), type14))
    with pytest.raises(NistFormatError, match=r"14\.006"):
        images(t)


def test_jpeg2000_type14_decodes() -> None:
    import io

    from PIL import Image

    pixels = np.tile(np.arange(0, 250, 2, dtype=np.uint8), (90, 1))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG2000", irreversible=False)
    type14 = Record(
        14,
        (
            Field.of(1, "0"),
            Field.of(2, "01"),
            Field.of(3, "1"),
            Field.of(6, "125"),
            Field.of(7, "90"),
            Field.of(8, "1"),
            Field.of(9, "500"),
            Field.of(11, "JP2L"),
            Field.of(13, "3"),
            Field.of(999, buffer.getvalue()),
        ),
    )
    (im,) = images(Transaction((Record(1, (Field.of(1, "0"),)), type14)))
    assert im.compression == "JP2L" and im.positions == (3,) and im.ppi == 500
    np.testing.assert_array_equal(im.decode(), pixels)


@pytest.mark.parametrize(("gca", "name", "fmt"), [(4, "JP2", "JPEG2000"), (6, "PNG", "PNG")])
def test_type4_names_the_2011_compression_codes(gca: int, name: str, fmt: str) -> None:
    import io

    from PIL import Image

    pixels = np.tile(np.arange(0, 240, 3, dtype=np.uint8), (60, 1))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **({"irreversible": False} if gca == 4 else {}))
    data = buffer.getvalue()
    header = (18 + len(data)).to_bytes(4, "big") + bytes([1, 1, 2, 255, 255, 255, 255, 255, 0])
    header += (80).to_bytes(2, "big") + (60).to_bytes(2, "big") + bytes([gca])
    (im,) = images(Transaction((Record(1, (Field.of(1, "0"),)), Record(4, (), header + data))))
    assert im.compression == name and im.positions == (2,)
    np.testing.assert_array_equal(im.decode(), pixels)
