"""Traditional encoding: real sample transactions, built ones, hostile bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.nist import (
    Field,
    Limits,
    NistError,
    NistFormatError,
    NistLimitError,
    Record,
    Transaction,
    content_list,
    encode,
    parse,
)
from tests.conftest import require_data

SAMPLES = (
    "nbis-valid1.1.an2",
    "nbis-valid1.3.an2",
    "nbis-valid1.14.an2",
    "nbis-valid1.15.an2",
    "biomeval-type4-slaps.an2k",
    "biomeval-type9.an2k",
)


def sample(name: str) -> bytes:
    return (require_data("ansi-nist") / name).read_bytes()


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_parse_and_write_back_byte_for_byte(name: str) -> None:
    data = sample(name)
    t = parse(data)
    assert t.records[0].type == 1
    assert [(r.type, r.idc) for r in t.records[1:]] == content_list(t.records[0])
    assert encode(t) == data
    assert t.raw == data and len(t.sha256) == 64


def test_sample_contents() -> None:
    t = parse(sample("nbis-valid1.1.an2"))
    type1, type2, type4 = t.records
    assert type1[2].text == "0201" and type1[2].tag_digits == 2  # version 0201: 2-digit tags
    assert type1[4].text == "CAR"
    assert type2[18].text == "JOHN,CLINTON"
    assert type2[47].items() == [["20080302", "4727442"]]
    assert type4.binary and type4.idc == 1 and len(type4.data) == 14864
    slaps = parse(sample("biomeval-type4-slaps.an2k"))
    assert slaps.records[0][2].text == "0400" and slaps.records[0][2].tag_digits == 3
    assert [r.idc for r in slaps.of_type(4)] == [1, 2, 3, 4]
    face = parse(sample("nbis-valid1.3.an2")).records[2]
    assert face.type == 10 and face[3].text == "FACE"
    assert face[999].subfields[0][0][:2] == b"\xff\xd8"  # JPEG data kept as bytes


def minimal(extra: list[Record] | None = None) -> list[Record]:
    extra = extra or []
    cnt = [("1", str(len(extra)))] + [(str(r.type), str(r.idc or 0)) for r in extra]
    type1 = Record(
        1,
        (
            Field.of(1, "0"),
            Field.of(2, "0502"),
            Field.of(3, cnt),
            Field.of(4, "CAR"),
            Field.of(5, "20261129"),
        ),
    )
    return [type1, *extra]


def test_built_transactions_get_their_lengths() -> None:
    type2 = Record(2, (Field.of(1, "0"), Field.of(2, "0"), Field.of(18, "DOE,JANE")))
    data = encode(minimal([type2]))
    back = parse(data)
    assert back.records[1][18].text == "DOE,JANE"
    assert int(back.records[0][1].text) == data.index(b"\x1c") + 1
    assert encode(back) == data
    # a length whose digit count changes when it is included (9 -> 10 ... 99 -> 100)
    for n in range(80, 110):
        r = Record(2, (Field.of(1, "0"), Field.of(2, "0"), Field.of(20, "x" * n)))
        assert encode(parse(encode(minimal([r])))) == encode(minimal([r]))


def test_encode_refuses_a_content_list_that_does_not_match() -> None:
    type2 = Record(2, (Field.of(1, "0"), Field.of(2, "0")))
    records = minimal([type2])
    with pytest.raises(NistFormatError, match=r"1\.003"):
        encode([records[0]])
    with pytest.raises(NistFormatError, match="Type-1"):
        encode([type2])


def test_errors_name_record_field_and_offset() -> None:
    data = sample("nbis-valid1.1.an2")
    broken = data.replace(b"1.01:129", b"1.01:999", 1)
    with pytest.raises(NistFormatError) as err:
        parse(broken)
    assert err.value.record == 0 and err.value.field == "1.001" and err.value.offset is not None
    truncated = data[:-100]
    with pytest.raises(NistFormatError) as err:
        parse(truncated)
    assert err.value.record == 2
    with pytest.raises(NistFormatError, match="after the last record"):
        parse(data + b"junk")
    wrong_type = data.replace(
        b"1.03:1\x1f2\x1e2\x1f00\x1e4\x1f01", b"1.03:1\x1f2\x1e9\x1f00\x1e4\x1f01"
    )
    with pytest.raises(NistFormatError, match="announces type 9") as err:
        parse(wrong_type)
    assert err.value.record == 1


def test_limits_are_enforced() -> None:
    data = sample("biomeval-type4-slaps.an2k")
    with pytest.raises(NistLimitError):
        parse(data, Limits(max_transaction_bytes=1000))
    with pytest.raises(NistLimitError) as err:
        parse(data, Limits(max_record_bytes=50_000))
    assert err.value.record == 2  # the first slap, 104,277 bytes
    with pytest.raises(NistLimitError):
        parse(data, Limits(max_records=3))
    with pytest.raises(NistLimitError):
        parse(data, Limits(max_fields_per_record=5))
    with pytest.raises(ValueError):
        Limits(max_records=0)


def test_empty_and_garbage_input() -> None:
    for junk in (b"", b"hello", b"1.001:5\x1c", b"\x1c\x1d\x1e\x1f", b"2.001:10\x1d2.002:0\x1c"):
        with pytest.raises(NistError):
            parse(junk)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_samples_never_crash(data: st.DataObject) -> None:
    """Any byte flip, cut or insertion gives a transaction or a NistError."""
    name = data.draw(st.sampled_from(SAMPLES[:4] + SAMPLES[5:]))
    raw = bytearray(sample(name))
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        k = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[k] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[k : k + data.draw(st.integers(1, 50))]
        else:
            raw[k:k] = data.draw(st.binary(min_size=1, max_size=20))
        if not raw:
            break
    try:
        t = parse(bytes(raw))
    except NistError:
        return
    assert isinstance(t, Transaction)

    def shape(x: Transaction) -> list[object]:
        return [(r.type, [(f.tag, f.subfields) for f in r.fields], r.data) for r in x]

    assert shape(parse(encode(t))) == shape(t)


def test_field_helpers() -> None:
    f = Field.of(47, [["20080302", "4727442"], ["19990101", "1"]])
    assert f.value == b"20080302\x1f4727442\x1e19990101\x1f1"
    assert f.items() == [["20080302", "4727442"], ["19990101", "1"]]
    assert Field.of(18, "ÉLODIE").text == "ÉLODIE"
    assert Field(18, ((b"\xe9",),)).text == "é"  # not UTF-8: read as Latin-1
    r = Record(2, (Field.of(1, "0"), f))
    assert r[47] is f and r.get(3) is None
    with pytest.raises(KeyError, match=r"2\.003"):
        r[3]


def _wide(n: int) -> bytes:
    """A transaction whose Type-2 record has ``n`` fields of 5 x 20 items."""
    fields = [Field.of(1, "0"), Field.of(2, "00")]
    fields += [Field.of(100 + k, [["x"] * 20] * 5) for k in range(n)]
    return encode(minimal([Record(2, tuple(fields))]))


def test_text_records_keep_fields_after_999() -> None:
    t = parse(_wide(1000))
    tags = [f.tag for f in t.records[1].fields]
    assert 999 in tags and tags[-1] == 1099  # 2.999 is text in Type-2, not binary data
    assert t.records[1][999].items()[0][:2] == ["x", "x"]


def test_parsing_time_grows_linearly() -> None:
    """Four times the fields take about four times as long, not sixteen
    (a ratio, so that a busy machine does not fail the test)."""
    import time

    def best(data: bytes) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            parse(data)
            times.append(time.perf_counter() - start)
        return min(times)

    small, large = _wide(1000), _wide(4000)
    assert best(large) / best(small) < 9
