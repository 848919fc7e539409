"""Type-9 minutiae records: reading both blocks, writing, conventions, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interop.fingerprints.codecs import decode_record
from interop.fingerprints.synth import master_minutiae, minutiae_impression
from interop.fingerprints.template import Template
from interop.nist import Field, NistFormatError, Record, encode, parse
from interop.nist.minutiae import (
    minutiae_record,
    read_minutiae_record,
    record_template,
    templates,
)
from tests.conftest import require_data


def _template(seed: int = 3) -> Template:
    t = minutiae_impression(master_minutiae(seed), 0)
    return Template(t.minutiae, t.width, t.height, t.resolution_ppi, 40, 7)


def _round_trip(record: Record) -> Record:
    cnt = [["1", "1"], ["9", f"{record.idc:02d}"]]
    header = Record(1, (Field.of(1, "0"), Field.of(2, "0400"), Field.of(3, cnt)))
    return parse(encode([header, record])).records[1]


def _angle_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs((a - b + math.pi) % (2 * math.pi) - math.pi)


def test_standard_format_matches_the_fmr_it_was_converted_from() -> None:
    """libbiomeval's Type-9 sample is view 3 of its ANSI 378 sample, converted
    by fmr2an2k: lower-left origin in 0.01 mm, theta turned by 180 degrees."""
    data = require_data("ansi-nist")
    t = parse((data / "biomeval-type9.an2k").read_bytes())
    (ours,) = templates(t)
    assert ours.metadata["origin"] == "inferred" and len(ours) == 28
    fmr = decode_record((data / "biomeval-fmr.ansi2004").read_bytes())[2]
    a, b = ours.minutiae, fmr.minutiae
    order_a = np.lexsort((a["angle"], a["x"]))
    order_b = np.lexsort((b["angle"], b["x"]))
    a, b = a[order_a], b[order_b]
    assert np.all(np.abs(a["x"] - b["x"]) < 0.6)
    shift = np.median(b["y"] - a["y"])
    assert np.count_nonzero(np.abs(b["y"] - a["y"] - shift) < 0.8) >= 26
    assert np.count_nonzero(_angle_gap(a["angle"], b["angle"]) < math.radians(1.5)) >= 26
    assert np.array_equal(a["type"], b["type"])


def test_a_type9_beside_an_image_reads() -> None:
    t = parse((require_data("ansi-nist") / "nbis-valid1.14.an2").read_bytes())
    header = read_minutiae_record(t.records[3], 3)
    assert header.blocks == ("standard",) and header.positions == (10,) and header.standard
    (ours,) = templates(t)
    assert len(ours) == 1 and ours.finger_position == 10
    assert ours.minutiae["x"][0] == pytest.approx(2500 * 500 / 2540, abs=0.01)


def test_written_record_reads_back_to_the_pixel() -> None:
    template = _template()
    back = record_template(_round_trip(minutiae_record(template, 4)), 1)
    a, b = template.minutiae, back.minutiae
    assert (back.width, back.height, back.finger_position) == (
        template.width,
        template.height,
        7,
    )
    assert np.all(np.abs(a["x"] - b["x"]) <= 0.5) and np.all(np.abs(a["y"] - b["y"]) <= 0.5)
    assert np.all(_angle_gap(a["angle"], b["angle"]) <= math.radians(1.01))
    assert np.array_equal(a["type"], b["type"])


def test_standard_block_alone_reads_back_to_the_hundredth_of_a_millimetre() -> None:
    template = _template(5)
    record = minutiae_record(template, 1)
    standard_only = Record(9, tuple(f for f in record.fields if f.tag < 126))
    back = record_template(_round_trip(standard_only), 1, image_height=template.height)
    a, b = template.minutiae, back.minutiae
    assert back.metadata["origin"] == "image"
    assert np.all(np.abs(a["x"] - b["x"]) < 0.11) and np.all(np.abs(a["y"] - b["y"]) < 0.11)
    assert np.all(_angle_gap(a["angle"], b["angle"]) <= math.radians(0.51))
    inferred = record_template(standard_only, 1)
    assert np.allclose(
        np.diff(inferred.minutiae["y"]), np.diff(back.minutiae["y"]), atol=1e-3
    )  # the same up to a shift


def _with(record: Record, tag: int, value: object) -> Record:
    fields = [f for f in record.fields if f.tag != tag]
    fields.append(Field.of(tag, value))  # type: ignore[arg-type]
    return Record(9, tuple(sorted(fields, key=lambda f: f.tag)))


def _standard(template: Template | None = None) -> Record:
    record = minutiae_record(template or _template(), 2)
    return Record(9, tuple(f for f in record.fields if f.tag < 126))


@pytest.mark.parametrize(
    ("tag", "value", "words"),
    [
        (12, [["1", "12345", "2", "A"]], "XXXXYYYYTTT"),
        (12, [["1", "01000100400", "2", "A"]], "theta 400"),
        (12, [["1", "0100010010x", "2", "A"]], "XXXXYYYYTTT"),
        (10, "3", "9.010 MIN says 3"),
    ],
)
def test_malformed_standard_minutiae_name_field_and_minutia(
    tag: int, value: object, words: str
) -> None:
    record = _with(_standard(), tag, value)
    if tag == 12:
        record = _with(record, 10, "1")
    with pytest.raises(NistFormatError, match=words) as info:
        record_template(record, 5)
    assert info.value.record == 5 and info.value.field == f"9.{tag:03d}"


def test_malformed_incits_minutiae_are_refused() -> None:
    record = minutiae_record(_template(), 2)
    bad = _with(_with(record, 137, [["1", "9999", "10", "20", "50", "1"]]), 136, "1")
    with pytest.raises(NistFormatError, match="out of range") as info:
        record_template(bad, 1)
    assert info.value.field == "9.137"
    with pytest.raises(NistFormatError, match="six numbers"):
        record_template(_with(_with(record, 137, [["1", "2", "3"]]), 136, "1"), 1)
    with pytest.raises(NistFormatError, match="NOM says") as info:
        record_template(_with(record, 136, "3"), 1)
    assert info.value.field == "9.136"
    with pytest.raises(NistFormatError, match="THPS"):
        record_template(_with(record, 131, "0"), 1)


def test_a_record_without_minutiae_or_of_another_type_is_refused() -> None:
    empty = Record(9, (Field.of(1, "0"), Field.of(2, "01"), Field.of(4, "U")))
    with pytest.raises(NistFormatError, match="no minutiae"):
        record_template(empty, 1)
    with pytest.raises(NistFormatError, match="not a Type-9"):
        record_template(Record(2, (Field.of(1, "0"),)), 1)


def test_writer_refuses_what_the_format_cannot_hold() -> None:
    with pytest.raises(ValueError, match="IDC"):
        minutiae_record(_template(), 100)
    big = _template()
    wide = Template(big.minutiae, 6000, 6000, 500)
    with pytest.raises(ValueError, match=r"99\.99 mm"):
        minutiae_record(wide, 1)


def test_an_empty_template_writes_a_record_without_minutiae_lists() -> None:
    empty = Template.from_arrays([], [], [], width=300, height=400)
    record = _round_trip(minutiae_record(empty, 1))
    assert record.get(12) is None and record[10].text == "0"
    assert len(record_template(record, 1)) == 0
    standard_only = Record(9, tuple(f for f in record.fields if f.tag < 126))
    assert len(record_template(standard_only, 1, image_height=400)) == 0


def test_a_minutia_of_unreported_quality_is_written_as_one() -> None:
    t = minutiae_impression(master_minutiae(21), 0)
    m = t.minutiae.copy()
    m["quality"][0] = 0  # not reported
    m["quality"][1] = 100
    record = minutiae_record(Template(m, t.width, t.height), 1)
    items = next(f for f in record.fields if f.tag == 12).subfields
    assert items[0][2] == b"1"  # the standard's "not reported", not a NUL byte
    assert items[1][2] == b"63"
    assert all(item.isdigit() for sub in items for item in sub[:3])
