"""Minutia codes: projection, encoding, the code comparison and its calibration."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.fingerprints.matcher import _code_kernels as ck
from interop.fingerprints.matcher import prepare
from interop.fingerprints.matcher.codes import (
    CODE_BITS,
    CODE_SCALE,
    MAX_MINUTIAE,
    CodedProbe,
    CodeParameters,
    code_similarity,
    compare_coded,
    encode,
    encode_and_prepare,
    load_projection,
    pack_minutiae,
    save_projection,
    ternary,
    train_projection,
    unpack_minutiae,
)
from interop.fingerprints.matcher.cylinders import build_cells
from interop.fingerprints.synth import master_minutiae, minutiae_impression
from interop.fingerprints.synth.templates import synthetic_templates
from interop.fingerprints.template import MINUTIA_DTYPE, Template
from tests.fingerprints.patterns import random_template, rigid_motion, well_spread_template

# Masters far from the projection's training seeds (7,000,000 on).
FIRST_SEED = 90_000


@pytest.fixture(scope="module")
def fingers() -> list[list[Template]]:
    """30 synthetic fingers, 3 impressions each."""
    return list(synthetic_templates(30, 3, first_seed=FIRST_SEED))


def test_encode_shapes_and_validity(fingers: list[list[Template]]) -> None:
    t = fingers[0][0]
    coded = encode(t)
    n = t.minutiae.shape[0]
    assert coded.minutiae.shape == (n,) and coded.codes.shape == (n, 2)
    assert coded.codes.dtype == np.uint64
    assert coded.nbytes == 23 * n
    stored = Template(minutiae=unpack_minutiae(coded.minutiae), width=t.width, height=t.height)
    valid = build_cells(stored)[5]
    flags = (coded.codes[:, 1] & ck.VALID_BIT) != 0
    np.testing.assert_array_equal(flags, valid)
    assert valid.any()
    everyone = np.concatenate([encode(f[0]).codes for f in fingers])
    invalid = (everyone[:, 1] & ck.VALID_BIT) == 0
    assert 0 < invalid.mean() < 0.3  # some border minutiae have no valid cylinder
    assert (everyone[invalid] == 0).all()


def test_encoding_a_stored_template_again_gives_the_same_codes(
    fingers: list[list[Template]],
) -> None:
    for impressions in fingers[:5]:
        coded = encode(impressions[0])
        back = Template(minutiae=unpack_minutiae(coded.minutiae), width=500, height=500)
        again = encode(back)
        np.testing.assert_array_equal(again.minutiae, coded.minutiae)
        np.testing.assert_array_equal(again.codes, coded.codes)


def test_projection_is_the_integer_product(fingers: list[list[Template]]) -> None:
    projection = load_projection()
    assert projection.weights.dtype == np.int8
    assert projection.weights.shape[1] == CODE_BITS
    cells = build_cells(fingers[1][0])[4]
    expected = (
        ternary(cells, projection.weights.shape[0]).astype(np.float64)
        @ projection.weights.astype(np.float64)
        > projection.thresholds
    )
    np.testing.assert_array_equal(projection.project(cells), expected)


def test_code_bits_are_balanced_on_unseen_fingers(fingers: list[list[Template]]) -> None:
    """The thresholds are medians of the training cylinders: on other fingers
    each bit is still set for a fair share of the minutiae."""
    codes = np.concatenate([encode(f[0]).codes for f in fingers])
    codes = codes[(codes[:, 1] & ck.VALID_BIT) != 0]
    bits = np.unpackbits(codes.view(np.uint8), axis=1, bitorder="little")[:, :CODE_BITS]
    share = bits.mean(axis=0)
    assert 0.4 < share.mean() < 0.6
    assert ((share > 0.1) & (share < 0.9)).mean() > 0.9


def test_genuine_pairs_score_above_impostor_pairs(fingers: list[list[Template]]) -> None:
    coded = [[encode(t) for t in f] for f in fingers]
    genuine = [code_similarity(a, b) for f in coded for a, b in itertools.combinations(f, 2)]
    impostor = [code_similarity(f[0], g[1]) for f, g in itertools.combinations(coded, 2)]
    assert np.median(genuine) > np.percentile(impostor, 99)
    # the calibrated scale: about 1% of impostors reach t = 20 (a few times that
    # on synthetic prints, which run higher than the real sensors'), and the
    # large majority of genuine pairs reach it
    calibrated = CODE_SCALE.many(np.asarray(impostor))
    assert np.mean(calibrated >= 20) < 0.06
    assert np.mean(CODE_SCALE.many(np.asarray(genuine)) >= 20) > 0.8


@pytest.mark.parametrize(
    ("rotation_deg", "dx", "dy"),
    [(0, 25, -40), (15, 0, 0), (-30, 10, 10), (45, -60, 35)],
)
def test_a_rigidly_moved_copy_scores_high(rotation_deg: float, dx: float, dy: float) -> None:
    t = well_spread_template(np.random.default_rng(7), 36)
    coded = encode(t)
    moved = encode(rigid_motion(t, math.radians(rotation_deg), dx + 100, dy + 100))
    assert compare_coded(coded, moved) >= 40
    assert code_similarity(coded, moved) > 0.7 * code_similarity(coded, coded)


def test_unrelated_random_templates_score_low() -> None:
    rng = np.random.default_rng(3)
    a = [encode(random_template(rng, 40)) for _ in range(10)]
    scores = [compare_coded(x, y) for x, y in itertools.combinations(a, 2)]
    assert max(scores) < 20


def test_empty_and_tiny_templates_score_zero() -> None:
    empty = encode(Template.from_arrays([], [], [], width=100, height=100))
    one = encode(Template.from_arrays([10], [10], [1.0], width=100, height=100))
    full = encode(well_spread_template(np.random.default_rng(1), 30))
    assert empty.codes.shape == (0, 2)
    for a, b in [(empty, full), (full, empty), (one, full), (empty, empty)]:
        assert code_similarity(a, b) == 0.0


def test_scores_many_equals_one_by_one(fingers: list[list[Template]]) -> None:
    probe = encode(fingers[4][1])
    stored = [encode(f[0]) for f in fingers[:10]]
    minutiae = np.concatenate([s.minutiae for s in stored])
    codes = np.concatenate([s.codes for s in stored])
    counts = np.array([s.minutiae.shape[0] for s in stored], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    many = CodedProbe.of(probe).scores(minutiae, codes, starts, counts)
    assert many.shape == (10,)
    np.testing.assert_allclose(many, [compare_coded(probe, s) for s in stored])
    assert int(np.argmax(many)) == 4
    none = CodedProbe.of(probe).scores(minutiae, codes, starts[:0], counts[:0])
    assert none.shape == (0,)


def test_more_anchors_never_score_lower(fingers: list[list[Template]]) -> None:
    a, b = encode(fingers[2][0]), encode(fingers[2][2])
    few = code_similarity(a, b, CodeParameters(anchors=1))
    many = code_similarity(a, b, CodeParameters(anchors=12))
    assert many >= few > 0


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 80),
    cell=st.sampled_from([8.0, 15.0, 30.0]),
)
def test_probe_grid_lists_every_near_minutia(seed: int, n: int, cell: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 400, n).astype(np.uint16)
    y = rng.integers(0, 500, n).astype(np.uint16)
    starts, items, frame = ck.probe_grid(x, y, cell)
    x0, y0, cols, rows = frame
    for px, py in rng.uniform(-20, 520, (40, 2)):
        col, row = int((px - x0) // cell), int((py - y0) // cell)
        near = set(np.flatnonzero((x - px) ** 2 + (y - py) ** 2 <= cell**2).tolist())
        if 0 <= col < cols and 0 <= row < rows:
            c = row * int(cols) + col
            assert near <= set(items[starts[c] : starts[c + 1]].tolist())
        else:
            assert near == set()


def test_calibration_is_monotone_and_vectorised() -> None:
    raw = np.linspace(0, 1, 301)
    calibrated = CODE_SCALE.many(raw)
    assert (np.diff(calibrated) >= 0).all()
    assert calibrated[0] == 0.0 and calibrated[-1] == 100.0
    np.testing.assert_allclose(calibrated, [CODE_SCALE(r) for r in raw])


def test_encode_and_prepare_is_encode_and_prepare_of_the_stored_template(
    fingers: list[list[Template]],
) -> None:
    t = fingers[6][1]
    coded, prepared = encode_and_prepare(t)
    alone = encode(t)
    np.testing.assert_array_equal(coded.codes, alone.codes)
    np.testing.assert_array_equal(coded.minutiae, alone.minutiae)
    stored = Template(minutiae=unpack_minutiae(coded.minutiae), width=t.width, height=t.height)
    again = prepare(stored)
    np.testing.assert_array_equal(prepared.cylinders, again.cylinders)
    np.testing.assert_array_equal(prepared.geometry, again.geometry)


def test_code_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="anchors"):
        CodeParameters(anchors=0)
    with pytest.raises(ValueError, match="mate_max_distance_px"):
        CodeParameters(mate_max_distance_px=0)


def test_encode_refuses_other_resolutions() -> None:
    t = well_spread_template(np.random.default_rng(2), 20)
    with pytest.raises(ValueError, match="500 ppi"):
        encode(Template(minutiae=t.minutiae, width=t.width, height=t.height, resolution_ppi=1000))


def test_at_most_255_minutiae_are_kept() -> None:
    rng = np.random.default_rng(5)
    n = 300
    t = Template.from_arrays(
        rng.uniform(0, 800, n),
        rng.uniform(0, 800, n),
        rng.uniform(0, 2 * math.pi, n),
        quality=rng.integers(1, 100, n),
        width=800,
        height=800,
    )
    coded = encode(t)
    assert coded.minutiae.shape == (MAX_MINUTIAE,)
    kept = np.sort(coded.minutiae["quality"])
    assert kept[0] >= np.sort(t.minutiae["quality"])[n - MAX_MINUTIAE]
    np.testing.assert_array_equal(coded.minutiae, pack_minutiae(t))


def test_training_and_loading_a_projection(fingers: list[list[Template]], tmp_path: Path) -> None:
    projection = train_projection(f[0] for f in fingers)
    assert projection.weights.dtype == np.int8
    assert np.abs(projection.weights).max() == 127
    path = tmp_path / "p.npz"
    save_projection(projection, path)
    loaded = load_projection(path)
    np.testing.assert_array_equal(loaded.weights, projection.weights)
    np.testing.assert_array_equal(loaded.thresholds, projection.thresholds)
    with pytest.raises(ValueError, match="valid cylinder"):
        train_projection([])
    np.savez(tmp_path / "bad.npz", weights=np.zeros((3, 5), np.int8), thresholds=np.zeros(5))
    with pytest.raises(ValueError, match="weights"):
        load_projection(tmp_path / "bad.npz")


def test_stored_codes_round_trip_and_are_refused_when_malformed_or_of_another_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from interop.fingerprints.matcher import codes as codes_module
    from interop.fingerprints.matcher.codes import coded_bytes, coded_from_bytes

    template = minutiae_impression(master_minutiae(31), 0)
    made = encode(template)
    blob = coded_bytes(made)
    assert len(blob) == 8 + 2 + made.minutiae.shape[0] * (7 + 16)
    back = coded_from_bytes(blob)
    assert back is not None
    assert np.array_equal(back.minutiae, made.minutiae) and np.array_equal(back.codes, made.codes)
    empty = coded_from_bytes(coded_bytes(encode(Template(np.zeros(0, MINUTIA_DTYPE), 300, 300))))
    assert empty is not None and empty.minutiae.shape == (0,) and empty.codes.shape == (0, 2)
    for bad in (blob[:5], blob[:-1], blob + b"\0"):
        with pytest.raises(ValueError, match="stored codes"):
            coded_from_bytes(bad)
    monkeypatch.setattr(codes_module, "codes_version", lambda: b"\xff" * 8)
    assert coded_from_bytes(blob) is None  # made under other parameters: made again
