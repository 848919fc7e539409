"""Gallery: enrolment, search, filters, concurrency, persistence, bad input."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from interop.fingerprints import Template
from interop.fingerprints.gallery import (
    Gallery,
    GalleryError,
    GalleryFileError,
    IndexParameters,
    SearchParameters,
    fused_score,
    pack_enrolments,
    pack_minutiae,
    unpack_minutiae,
    usable_probe,
)
from interop.fingerprints.gallery.gallery import MAX_MINUTIAE
from interop.fingerprints.matcher import compare, prepare
from interop.fingerprints.matcher.codes import (
    CodedTemplate,
    compare_coded,
    encode,
    encode_and_prepare,
)
from interop.fingerprints.template import MINUTIA_DTYPE

from .conftest import Subject, enrolment, probe, subject_id

ENROLLED = 50


@pytest.fixture(scope="module")
def gallery(subjects: list[Subject]) -> Gallery:
    g = Gallery()
    for i in range(ENROLLED):
        g.enrol(subject_id(i), enrolment(subjects[i]))
    return g


def test_mated_ten_print_searches_identify_their_subject(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    for i in range(0, ENROLLED, 5):
        result = gallery.search(probe(subjects[i]))
        assert result.identity == subject_id(i)
        best = result.candidates[0]
        assert set(best.finger_scores) == set(subjects[i])
        assert result.searched == ENROLLED
        assert result.compared > 0 and result.scanned > 0


def test_non_mated_searches_identify_no_one(gallery: Gallery, subjects: list[Subject]) -> None:
    for i in range(ENROLLED, len(subjects)):
        result = gallery.search(probe(subjects[i]))
        assert not result.identified, result.candidates[0]
        assert result.identity is None


def test_candidates_are_ranked_and_scores_fused(gallery: Gallery, subjects: list[Subject]) -> None:
    result = gallery.search(
        probe(subjects[3]), params=SearchParameters(min_shortlist=20, candidates=7)
    )
    assert len(result.candidates) == 7
    keys = [(-c.score, c.subject_id) for c in result.candidates]
    assert keys == sorted(keys)
    # the mated subject's fused score exceeds every one of its finger scores
    best = result.candidates[0]
    assert best.score >= max(best.finger_scores.values())


def test_single_finger_probe_compares_like_positions_only(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    result = gallery.search({7: subjects[4][7][2]})
    assert result.probe_fingers == (7,)
    assert result.candidates[0].subject_id == subject_id(4)
    for c in result.candidates:
        assert set(c.finger_scores) == {7}
    # a finger position nobody enrolled finds no one
    assert gallery.search({5: subjects[4][7][2]}).candidates == []


def test_missing_and_failed_probe_fingers_are_left_out(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    fingers: dict[int, Template | None] = dict(probe(subjects[6]))
    fingers[3] = None
    fingers[8] = Template(np.zeros(2, dtype=MINUTIA_DTYPE), width=300, height=400)
    result = gallery.search(fingers)
    assert result.probe_fingers == (2, 7)
    assert result.identity == subject_id(6)


def test_subset_restricts_the_search(gallery: Gallery, subjects: list[Subject]) -> None:
    subset = [subject_id(i) for i in range(10, 20)] + ["nobody"]
    result = gallery.search(probe(subjects[2]), subset=subset)
    assert result.searched == 10
    assert {c.subject_id for c in result.candidates} <= set(subset)
    assert not result.identified
    assert gallery.search(probe(subjects[12]), subset=subset).identity == subject_id(12)


def test_threshold_follows_the_number_searched(gallery: Gallery, subjects: list[Subject]) -> None:
    full = gallery.search(probe(subjects[0]), params=SearchParameters(fpir=0.01))
    assert full.threshold == pytest.approx(10 * np.log10(ENROLLED / 0.01))
    small = gallery.search(probe(subjects[0]), subset=[subject_id(0)])
    assert small.threshold < full.threshold


def test_replace_and_remove(subjects: list[Subject]) -> None:
    g = Gallery()
    for i in range(5):
        g.enrol(subject_id(i), enrolment(subjects[i]))
    with pytest.raises(GalleryError, match="already enrolled"):
        g.enrol(subject_id(1), enrolment(subjects[1]))
    # subject 1 now carries subject 40's fingers
    g.replace(subject_id(1), enrolment(subjects[40]))
    assert g.search(probe(subjects[40])).identity == subject_id(1)
    assert g.search(probe(subjects[1])).identity is None
    g.remove(subject_id(2))
    assert subject_id(2) not in g and len(g) == 4 and g.finger_count == 16
    assert g.search(probe(subjects[2])).identity is None
    with pytest.raises(KeyError):
        g.remove(subject_id(2))
    # enrol again after removal
    g.enrol(subject_id(2), enrolment(subjects[2]))
    assert g.search(probe(subjects[2])).identity == subject_id(2)


def test_stored_fingers_keep_iso_precision(subjects: list[Subject]) -> None:
    template = subjects[0][2][0]
    back = unpack_minutiae(pack_minutiae(template))
    m = template.minutiae
    assert np.abs(back["x"] - m["x"]).max() <= 0.5
    assert np.abs(back["y"] - m["y"]).max() <= 0.5
    turn = np.abs((back["angle"] - m["angle"] + np.pi) % (2 * np.pi) - np.pi)
    assert turn.max() <= np.pi / 256 + 1e-6
    assert (back["type"] == m["type"]).all()


def test_save_and_load_give_the_same_searches(
    gallery: Gallery, subjects: list[Subject], tmp_path: Path
) -> None:
    folder = tmp_path / "gallery"
    gallery.save(folder)
    gallery.save(folder)  # replacing an existing save
    loaded = Gallery.load(folder)
    assert loaded.subject_ids() == gallery.subject_ids()
    for i in (0, 17, ENROLLED + 1):
        a = gallery.search(probe(subjects[i]))
        b = loaded.search(probe(subjects[i]))
        assert [(c.subject_id, c.score) for c in a.candidates] == [
            (c.subject_id, c.score) for c in b.candidates
        ]
    # a loaded (memory-mapped) gallery still takes enrolments
    loaded.enrol("new", enrolment(subjects[ENROLLED + 2]))
    assert loaded.search(probe(subjects[ENROLLED + 2])).identity == "new"


def test_load_rejects_what_is_not_a_gallery(tmp_path: Path) -> None:
    with pytest.raises(GalleryFileError):
        Gallery.load(tmp_path / "missing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(GalleryFileError, match="not an"):
        Gallery.load(tmp_path / "bad")
    (tmp_path / "bad" / "manifest.json").write_text("{")
    with pytest.raises(GalleryFileError):
        Gallery.load(tmp_path / "bad")


def test_load_rejects_an_index_listing_fingers_the_gallery_lacks(
    gallery: Gallery, tmp_path: Path
) -> None:
    folder = tmp_path / "gallery"
    gallery.save(folder)
    position = int(json.loads((folder / "manifest.json").read_text())["positions"][0])
    starts = np.load(folder / f"index{position}_starts.npy")
    postings = np.load(folder / f"index{position}_postings.npy")
    # one more posting for the last key: a row far beyond the position's fingers
    extra = np.array([0xFF, 0xFF, 0x7F], dtype=np.uint8)  # a gap of 2,097,151
    starts[-1] += extra.size
    np.save(folder / f"index{position}_starts.npy", starts)
    np.save(folder / f"index{position}_postings.npy", np.concatenate([postings, extra]))
    with pytest.raises(GalleryFileError, match="unknown fingers"):
        Gallery.load(folder)


@pytest.mark.parametrize(
    ("fingers", "message"),
    [
        ({}, "no finger"),
        ({11: None}, "no finger"),
        ({12: "template"}, "position must be 0..10"),
        ({2: "template"}, "expected Template"),
    ],
)
def test_bad_enrolments_are_refused(fingers: dict[int, object], message: str) -> None:
    g = Gallery()
    with pytest.raises(GalleryError, match=message):
        g.enrol("x", fingers)  # type: ignore[arg-type]
    assert len(g) == 0


def test_bad_subject_ids_and_resolution_are_refused(subjects: list[Subject]) -> None:
    g = Gallery()
    for bad in ("", "x" * 65, "tab\there", 7):
        with pytest.raises(GalleryError, match="subject id"):
            g.enrol(bad, enrolment(subjects[0]))  # type: ignore[arg-type]
    t = subjects[0][2][0]
    at_1000 = Template(t.minutiae, width=t.width, height=t.height, resolution_ppi=1000)
    with pytest.raises(GalleryError, match="500 ppi"):
        g.enrol("x", {2: at_1000})
    assert len(g) == 0


def test_search_sees_a_subject_wholly_or_not_at_all(subjects: list[Subject]) -> None:
    """Searches racing enrolments and removals never see part of a subject."""
    g = Gallery()
    for i in range(10):
        g.enrol(subject_id(i), enrolment(subjects[i]))
    target = subjects[30]
    stop = threading.Event()
    partial: list[int] = []

    def churn() -> None:
        while not stop.is_set():
            g.enrol("moving", enrolment(target))
            g.remove("moving")

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        for _ in range(40):
            result = g.search(probe(target), params=SearchParameters(shortlist=3, min_shortlist=3))
            for c in result.candidates:
                if c.subject_id == "moving" and len(c.finger_scores) != len(target):
                    partial.append(len(c.finger_scores))
    finally:
        stop.set()
        writer.join()
    assert partial == []


def test_every_common_finger_is_scored_as_one_to_one(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    result = gallery.search(probe(subjects[8]), params=SearchParameters(candidates=40, verify=0))
    assert result.verified == 0
    assert result.identity == subject_id(8)
    positions = set(probe(subjects[8]))
    assert result.compared == sum(
        len(positions & set(gallery.fingers(sid))) for sid in result.shortlisted
    )
    for c in result.candidates[:5]:
        stored = gallery.fingers(c.subject_id)
        assert set(c.finger_scores) == positions & set(stored)
        for position, score in c.finger_scores.items():
            one_to_one = compare_coded(
                encode(probe(subjects[8])[position]), encode(stored[position])
            )
            assert score == pytest.approx(one_to_one, abs=1e-9)
        assert c.score == pytest.approx(fused_score(list(c.finger_scores.values())))


def test_verification_rescores_the_best_candidates_with_cylinders(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    target = probe(subjects[11])
    plain = gallery.search(target, params=SearchParameters(candidates=40, verify=0))
    # 4 probe fingers: verify=16 verifies the 4 best candidates
    checked = gallery.search(target, params=SearchParameters(candidates=40, verify=16))
    assert checked.identity == plain.identity == subject_id(11)
    chosen = {c.subject_id for c in plain.candidates[:4]}
    assert {c.subject_id for c in checked.candidates if c.verified} == chosen
    assert checked.verified == sum(len(c.finger_scores) for c in plain.candidates[:4])
    assert checked.timings_s["verify"] > 0
    for c in checked.candidates:
        stored = gallery.fingers(c.subject_id)
        if c.verified:
            for position, score in c.finger_scores.items():
                # the probe at the stored precision, as the gallery keeps fingers
                _, probe_cylinders = encode_and_prepare(target[position])
                assert score == compare(probe_cylinders, prepare(stored[position]))
        else:
            assert c in plain.candidates
    scores = [c.score for c in checked.candidates]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(ValueError, match="verify"):
        SearchParameters(verify=-1)


def test_batch_enrolment_equals_one_by_one(gallery: Gallery, subjects: list[Subject]) -> None:
    batched = Gallery()
    batch = pack_enrolments([(subject_id(i), enrolment(subjects[i])) for i in range(ENROLLED)])
    batched.enrol_batch(batch)
    assert batched.subject_ids() == gallery.subject_ids()
    assert batched.finger_count == gallery.finger_count
    for i in (1, 33, ENROLLED + 3):
        a, b = gallery.search(probe(subjects[i])), batched.search(probe(subjects[i]))
        assert a.candidates == b.candidates


def test_batch_enrolment_takes_stored_codes_only_for_the_same_minutiae(
    subjects: list[Subject],
) -> None:
    fingers = enrolment(subjects[0])
    position, template = sorted(fingers.items())[0]
    made = encode(template)
    marked = CodedTemplate(made.minutiae, made.codes ^ np.uint64(1))  # tell them apart
    batch = pack_enrolments([("a", fingers)], stored={("a", position): marked})
    n = made.minutiae.shape[0]
    assert np.array_equal(batch.codes[:n], marked.codes)  # used: not encoded again
    other = CodedTemplate(made.minutiae[:-1], marked.codes[:-1])  # another finger's form
    batch = pack_enrolments([("a", fingers)], stored={("a", position): other})
    assert np.array_equal(batch.codes[:n], made.codes)  # ignored: encoded


def test_batch_enrolment_is_all_or_nothing(subjects: list[Subject]) -> None:
    g = Gallery()
    g.enrol(subject_id(1), enrolment(subjects[1]))
    batch = pack_enrolments([(subject_id(i), enrolment(subjects[i])) for i in range(3)])
    with pytest.raises(GalleryError, match="already enrolled"):
        g.enrol_batch(batch)
    assert g.subject_ids() == [subject_id(1)] and g.finger_count == 4
    with pytest.raises(GalleryError, match="given twice"):
        pack_enrolments([("a", enrolment(subjects[0])), ("a", enrolment(subjects[1]))])
    other = pack_enrolments([("b", enrolment(subjects[0]))], IndexParameters(neighbours=6))
    with pytest.raises(GalleryError, match="other index parameters"):
        g.enrol_batch(other)


def test_result_lists_the_shortlist(gallery: Gallery, subjects: list[Subject]) -> None:
    result = gallery.search(probe(subjects[9]))
    assert len(result.shortlisted) == SearchParameters().shortlist_size(len(subjects[9]))
    assert result.shortlisted[0] == subject_id(9)
    assert {c.subject_id for c in result.candidates} <= set(result.shortlisted)


def test_probe_fingers_keep_at_most_max_minutiae(gallery: Gallery, subjects: list[Subject]) -> None:
    """A probe with more minutiae than any stored finger still searches (the
    best-quality ones are kept, as at enrolment)."""
    t = subjects[11][2][1]
    m = t.minutiae
    rng = np.random.default_rng(0)
    extra = np.zeros(300, dtype=MINUTIA_DTYPE)
    extra["x"] = rng.uniform(0, t.width, 300)
    extra["y"] = rng.uniform(0, t.height, 300)
    extra["angle"] = rng.uniform(0, 6.28, 300)
    extra["quality"] = 1  # below the real ones, so those are kept
    crowded = Template(np.concatenate([m, extra]), width=t.width, height=t.height)
    fingers = usable_probe({2: crowded})
    assert len(fingers[2].minutiae) == MAX_MINUTIAE
    assert set(map(tuple, m[["x", "y"]].tolist())) <= set(
        map(tuple, fingers[2].minutiae[["x", "y"]].tolist())
    )
    result = gallery.search({2: crowded})
    assert result.probe_fingers == (2,)


def test_fewer_fingers_vote_in_the_prefilter_all_are_compared(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    two = SearchParameters(prefilter_fingers=2)
    for i in range(0, ENROLLED, 10):
        full = gallery.search(probe(subjects[i]))
        fewer = gallery.search(probe(subjects[i]), params=two)
        assert fewer.identity == subject_id(i)
        assert fewer.scanned < full.scanned  # fewer fingers read the index
        assert set(fewer.candidates[0].finger_scores) == set(subjects[i])  # all compared
        assert len(fewer.shortlisted) <= two.shortlist_size(2)
    with pytest.raises(ValueError, match="prefilter_fingers"):
        SearchParameters(prefilter_fingers=0)


def test_verification_only_near_the_threshold_with_a_band(
    gallery: Gallery, subjects: list[Subject]
) -> None:
    banded = SearchParameters(verify_band=10.0)
    for i in (0, 10, ENROLLED, ENROLLED + 1):
        full = gallery.search(probe(subjects[i]))
        fast = gallery.search(probe(subjects[i]), params=banded)
        assert fast.identity == full.identity
        near = [c for c in fast.candidates if abs(c.score - fast.threshold) <= 10.0]
        assert fast.verified <= 10 * len(near)  # nothing far from the threshold verified
        assert full.verified > fast.verified or near
    with pytest.raises(ValueError, match="verify_band"):
        SearchParameters(verify_band=-1.0)
