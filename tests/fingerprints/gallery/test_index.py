"""Pair keys, the inverted index and score fusion."""

from __future__ import annotations

import math
from unittest.mock import patch

import numpy as np
import pytest

from interop.fingerprints import Template
from interop.fingerprints.gallery import (
    IndexParameters,
    PairIndex,
    enrolment_keys,
    fused_score,
    search_keys,
    threshold_for_fpir,
)
from interop.fingerprints.gallery import index as index_module

from .conftest import Subject


def _moved(t: Template, angle: float, dx: float, dy: float) -> Template:
    """``t`` rotated by ``angle`` (ISO sense) about the origin, then shifted."""
    m = t.minutiae
    c, s = math.cos(angle), math.sin(angle)
    # ISO angles are counter-clockwise as seen (y down): rotate in (x, -y)
    x = c * m["x"] + s * m["y"] + dx
    y = -s * m["x"] + c * m["y"] + dy
    return Template.from_arrays(
        x, y, m["angle"] + angle, m["type"], m["quality"], width=t.width, height=t.height
    )


def test_keys_ignore_a_shift_and_survive_a_small_rotation(subjects: list[Subject]) -> None:
    t = subjects[0][2][0]
    keys = enrolment_keys(t.minutiae)
    assert keys.size > 100 and (np.diff(keys) > 0).all()
    shifted = _moved(t, 0.0, 40.0, -25.0)
    np.testing.assert_array_equal(enrolment_keys(shifted.minutiae), keys)
    # a probe rotated by 5 degrees still finds most of its keys (neighbouring bins)
    rotated = search_keys(_moved(t, math.radians(5), 0.0, 0.0).minutiae)
    assert np.isin(keys, rotated).mean() > 0.8


def test_a_smaller_margin_looks_up_a_subset_of_the_keys(subjects: list[Subject]) -> None:
    minutiae = subjects[3][7][1].minutiae
    own = enrolment_keys(minutiae)
    # margin 0: each pair's own bin only, which is where a gallery files it
    np.testing.assert_array_equal(search_keys(minutiae, margin=0.0), own)
    sizes = []
    previous = own
    for margin in (0.1, 0.2, 0.35, 0.5):
        keys = search_keys(minutiae, margin=margin)
        assert np.isin(previous, keys).all()  # nothing dropped as the margin grows
        sizes.append(keys.size)
        previous = keys
    assert sizes == sorted(sizes) and sizes[-1] > 2 * sizes[1] > 2 * own.size
    with pytest.raises(ValueError, match="margin"):
        search_keys(minutiae, margin=0.6)


def test_mated_fingers_share_more_keys_than_others(subjects: list[Subject]) -> None:
    shared_mated, shared_other = [], []
    for i in range(10):
        gallery = enrolment_keys(subjects[i][7][0].minutiae)
        shared_mated.append(np.isin(gallery, search_keys(subjects[i][7][1].minutiae)).mean())
        other = search_keys(subjects[i + 1][7][1].minutiae)
        shared_other.append(np.isin(gallery, other).mean())
    assert np.mean(shared_mated) > 2 * np.mean(shared_other)


def test_index_votes_are_the_same_before_and_after_compaction(subjects: list[Subject]) -> None:
    index = PairIndex(compact_share=10.0)  # no automatic compaction
    keys = [enrolment_keys(s[3][0].minutiae) for s in subjects[:20]]
    for row, k in enumerate(keys):
        index.add(row, k)
    probe = search_keys(subjects[5][3][1].minutiae)
    before, scanned = index.votes(probe, 20)
    assert scanned == index.entries == sum(k.size for k in keys)
    index.compact()
    after, _ = index.votes(probe, 20)
    np.testing.assert_array_equal(before, after)
    assert int(before.argmax()) == 5
    # each vote is a probe key the finger holds
    expected = [int(np.isin(k, probe).sum()) for k in keys]
    np.testing.assert_array_equal(after, expected)
    index.remove(5)
    index.compact()
    assert index.votes(probe, 20)[0][5] == 0
    assert index.entries == sum(k.size for k in keys) - keys[5].size


def test_common_keys_are_skipped_and_only_they(subjects: list[Subject]) -> None:
    index = PairIndex()
    keys = [enrolment_keys(s[3][0].minutiae) for s in subjects[:20]]
    for row, k in enumerate(keys):
        index.add(row, k)
    index.compact()
    probe = search_keys(subjects[5][3][1].minutiae)
    every, scanned = index.votes(probe, 20)
    # rows < 128: each entry is one byte, so a list's bytes are its fingers
    holders = np.bincount(np.concatenate(keys), minlength=index.params.key_space)
    # lists are never skipped below COMMON_FLOOR_BYTES: in a gallery this small
    # no key is common, and a cap relative to the mean (nearly 0) changes nothing
    np.testing.assert_array_equal(index.votes(probe, 20, 1.0)[0], every)
    with patch.object(index_module, "COMMON_FLOOR_BYTES", 0):
        mean_bytes = index.state()["starts"][-1] / index.params.key_space
        common = 2.0 / mean_bytes  # keys of one or two fingers only
        kept, fewer = index.votes(probe, 20, common)
    looked_up = probe[holders[probe] <= 2]
    expected = [int(np.isin(k, looked_up).sum()) for k in keys]
    np.testing.assert_array_equal(kept, expected)
    assert fewer < scanned and (kept <= every).all()
    assert int(kept.argmax()) == 5  # the mate still leads
    np.testing.assert_array_equal(index.votes(probe, 20, 1e9)[0], every)


def test_index_rejects_foreign_keys_and_state() -> None:
    small = IndexParameters(neighbours=4, distance_bin_px=20.0, angle_bins=8)
    index = PairIndex(small)
    with pytest.raises(ValueError, match="out of range"):
        index.add(0, np.array([small.key_space], dtype=np.int32))
    state = PairIndex().state()
    with pytest.raises(ValueError, match="do not match"):
        PairIndex.from_state(small, state["starts"], state["postings"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        IndexParameters(angle_bins=2)


def test_fused_score_is_the_false_match_scale_of_the_sum() -> None:
    assert fused_score([]) == 0.0
    assert fused_score([27.5]) == pytest.approx(27.5)
    # monotone, and more fingers at the same score are stronger evidence
    assert fused_score([20.0, 20.0]) > fused_score([20.0, 10.0]) > 20.0
    # two fingers: P(T1 + T2 >= s) = e^(-ls) (1 + ls) for exponential T
    rate = math.log(10) / 10
    s = 50.0
    p = math.exp(-rate * s) * (1 + rate * s)
    assert fused_score([30.0, 20.0]) == pytest.approx(-10 * math.log10(p))
    # checked by simulation: non-mated subjects of 4 fingers pass t = 20 about 1% of the time
    rng = np.random.default_rng(0)
    sums = rng.exponential(1 / rate, size=(20_000, 4))
    fused = np.array([fused_score(list(row)) for row in sums])
    assert np.mean(fused >= 20.0) == pytest.approx(0.01, rel=0.2)


def test_threshold_for_fpir() -> None:
    assert threshold_for_fpir(1000, 0.01) == pytest.approx(50.0)
    with pytest.raises(ValueError):
        threshold_for_fpir(0, 0.01)
    with pytest.raises(ValueError):
        threshold_for_fpir(10, 1.5)


def test_rows_far_apart_survive_compaction_and_reload(subjects: list[Subject]) -> None:
    """Gaps of one to four varint bytes between the rows of a key."""
    rows = [0, 200, 70_000, 2_000_000]
    keys = [enrolment_keys(subjects[i][2][0].minutiae) for i in range(4)]
    index = PairIndex(compact_share=10.0)
    for row, k in zip(rows, keys, strict=True):
        index.add(row, k)
    probe = search_keys(subjects[2][2][1].minutiae)
    before, _ = index.votes(probe, rows[-1] + 1)
    index.compact()
    after, scanned = index.votes(probe, rows[-1] + 1)
    np.testing.assert_array_equal(before, after)
    assert int(after.argmax()) == 70_000
    assert scanned == sum(int(np.isin(k, probe).sum()) for k in keys)
    state = index.state()
    again = PairIndex.from_state(index.params, state["starts"], state["postings"])  # type: ignore[arg-type]
    np.testing.assert_array_equal(again.votes(probe, rows[-1] + 1)[0], after)
    assert again.entries == index.entries == sum(k.size for k in keys)


def test_malformed_index_stream_is_refused(subjects: list[Subject]) -> None:
    index = PairIndex()
    index.add(300, enrolment_keys(subjects[0][2][0].minutiae))
    state = index.state()
    stream = state["postings"].copy()
    stream[stream > 0x7F] = 0  # a varint cut short where its last byte should be
    stream[-1] = 0x80  # a list that ends inside a varint
    with pytest.raises(ValueError):
        PairIndex.from_state(index.params, state["starts"], stream)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(6))
def test_vote_scores_add_exactly_as_numpy_bincount(seed: int) -> None:
    from interop.fingerprints.gallery._pairs import add_vote_scores

    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 20_000))
    subjects = int(rng.integers(1, rows + 1))
    votes = rng.integers(0, 40, rows).astype(np.uint16)
    votes[rng.random(rows) < 0.7] = 0
    weight = (1.0 / np.sqrt(rng.integers(1, 500, rows))).astype(np.float32)
    owner = rng.integers(0, subjects, rows).astype(np.int32)  # several rows a subject, any order
    scale = 1.0 / math.sqrt(int(rng.integers(1, 3_000)))
    expected = rng.random(subjects)
    got = expected.copy()
    expected += np.bincount(owner, weights=votes * weight * scale, minlength=subjects)
    add_vote_scores(votes, weight, owner, scale, got)
    assert np.array_equal(got, expected)  # bit for bit: the shortlist's order is unchanged
