"""ShardedGallery: Ray actors, scatter-gather search equal to the in-process gallery."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interop.fingerprints import Template
from interop.fingerprints.gallery import (
    Gallery,
    GalleryError,
    GalleryFileError,
    SearchParameters,
    SearchResult,
)
from interop.fingerprints.synth.templates import synthetic_templates

if os.environ.get("CI") == "true":
    import ray  # under CI a missing Ray fails, never skips
else:
    ray = pytest.importorskip("ray")

from interop.fingerprints.gallery.sharded import ShardedGallery, shard_of

SHARDS = 3
SUBJECTS = 60
NON_MATED = 8
FIRST_SEED = 91_000

Fingers = dict[int, Template]


def _positions(i: int) -> tuple[int, ...]:
    """Subject ``i``'s fingers: right and left index, every third the right middle too."""
    return (2, 3, 7) if i % 3 == 0 else (2, 7)


@pytest.fixture(scope="module")
def people() -> tuple[list[Fingers], list[Fingers]]:
    """Per subject (enrolled ones, then never enrolled ones): enrolment and probe fingers."""
    layout = [_positions(i) for i in range(SUBJECTS + NON_MATED)]
    stream = synthetic_templates(sum(map(len, layout)), 2, first_seed=FIRST_SEED)
    enrolments: list[Fingers] = []
    probes: list[Fingers] = []
    for positions in layout:
        impressions = {p: next(stream) for p in positions}
        enrolments.append({p: t[0] for p, t in impressions.items()})
        probes.append({p: t[1] for p, t in impressions.items()})
    return enrolments, probes


def _sid(i: int) -> str:
    return f"P-{i:03d}"


def _fill(galleries: list[Any], enrolments: list[Fingers], count: int = SUBJECTS) -> None:
    for i in range(count):
        for gallery in galleries:
            gallery.enrol(_sid(i), enrolments[i])


@pytest.fixture(scope="module")
def pair(
    ray_cluster: None, people: tuple[list[Fingers], list[Fingers]]
) -> Iterator[tuple[Gallery, ShardedGallery]]:
    """The same subjects in one gallery and in three shards (not to be changed)."""
    local = Gallery()
    sharded = ShardedGallery(SHARDS)
    _fill([local, sharded], people[0])
    yield local, sharded
    sharded.close()


def _probes(probes: list[Fingers]) -> list[Fingers]:
    """Mated (whole and one finger), non-mated, and a mixed probe."""
    mated = [probes[i] for i in (0, 1, 17, 30, 59)]
    one_finger = [{7: probes[4][7]}, {3: probes[9][3]}]
    non_mated = [probes[SUBJECTS + k] for k in range(0, NON_MATED, 2)]
    mixed = [{2: probes[12][2], 7: probes[SUBJECTS + 1][7]}]
    return mated + one_finger + non_mated + mixed


PARAMS = (
    SearchParameters(),
    SearchParameters(shortlist=5, candidates=3, verify=0),
    SearchParameters(verify=8),
)


def assert_same(expected: SearchResult, got: SearchResult) -> None:
    assert [c.subject_id for c in got.candidates] == [c.subject_id for c in expected.candidates]
    for e, g in zip(expected.candidates, got.candidates, strict=True):
        assert g.score == e.score
        assert g.finger_scores == e.finger_scores
        assert g.prefilter == e.prefilter
    assert got.candidates == expected.candidates
    assert got.threshold == expected.threshold
    assert got.searched == expected.searched
    assert got.probe_fingers == expected.probe_fingers
    assert got.compared == expected.compared
    assert got.verified == expected.verified
    assert got.shortlisted == expected.shortlisted
    # Work done, not a result: index entries read depend on each index's compaction.
    assert (got.scanned > 0) == (expected.scanned > 0)
    assert got.identity == expected.identity


def _check_agree(
    local: Gallery,
    sharded: ShardedGallery,
    probes: list[Fingers],
    subset: list[str] | None = None,
) -> list[SearchResult]:
    results = []
    for params in PARAMS:
        for probe in probes:
            expected = local.search(probe, params=params, subset=subset)
            assert_same(expected, sharded.search(probe, params=params, subset=subset))
            results.append(expected)
    return results


def test_package_import_leaves_ray_alone() -> None:
    """``interop.fingerprints.gallery`` exports ShardedGallery; Ray loads with the first one."""
    code = (
        "import sys, interop.fingerprints.gallery as g\n"
        "assert g.ShardedGallery.__module__ == 'interop.fingerprints.gallery.sharded'\n"
        "assert 'ray' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_routing_is_stable_and_spreads() -> None:
    assert shard_of("P-000", 3) == shard_of("P-000", 3)
    # BLAKE2b, not hash(): fixed across processes and machines.
    assert [shard_of(f"S{i}", 1_000_003) for i in range(3)] == [
        int.from_bytes(hashlib.blake2b(f"S{i}".encode(), digest_size=8).digest()) % 1_000_003
        for i in range(3)
    ]
    counts = [0, 0, 0]
    for i in range(300):
        counts[shard_of(_sid(i), 3)] += 1
    assert min(counts) > 60
    assert shard_of(12, 3) == 0
    with pytest.raises(ValueError):
        shard_of("x", 0)


def test_contents(pair: tuple[Gallery, ShardedGallery]) -> None:
    local, sharded = pair
    assert sharded.shards == SHARDS
    assert len(sharded) == len(local) == SUBJECTS
    assert sharded.finger_count == local.finger_count
    assert sorted(sharded.subject_ids()) == sorted(local.subject_ids())
    sizes = sharded.shard_sizes()
    assert sum(sizes) == SUBJECTS and all(sizes)
    assert _sid(5) in sharded and "nobody" not in sharded and 5 not in sharded
    assert sharded.memory_bytes() > 0
    nodes = sharded.nodes()
    assert len(nodes) == SHARDS and all(node and host for node, host in nodes)
    stored = sharded.fingers(_sid(3))
    assert set(stored) == {2, 3, 7}
    for p, t in local.fingers(_sid(3)).items():
        assert (stored[p].minutiae == t.minutiae).all()


def test_search_equals_in_process(
    pair: tuple[Gallery, ShardedGallery], people: tuple[list[Fingers], list[Fingers]]
) -> None:
    local, sharded = pair
    results = _check_agree(local, sharded, _probes(people[1]))
    # The probes exercise both outcomes and a shortlist that cuts across shards.
    assert any(r.identity == _sid(17) for r in results)
    assert any(r.identity is None for r in results)
    assert min(r.searched for r in results) == SUBJECTS


def test_search_with_subset(
    pair: tuple[Gallery, ShardedGallery], people: tuple[list[Fingers], list[Fingers]]
) -> None:
    local, sharded = pair
    subset = [_sid(i) for i in range(0, SUBJECTS, 4)] + ["unknown", _sid(999)]
    results = _check_agree(local, sharded, _probes(people[1])[:6], subset=subset)
    assert {r.searched for r in results} == {SUBJECTS // 4}
    # A subset that leaves out the mate, and an empty one.
    _check_agree(local, sharded, [people[1][1]], subset=[_sid(2), _sid(3)])
    _check_agree(local, sharded, [people[1][1]], subset=[])


def test_empty_gallery(ray_cluster: None, people: tuple[list[Fingers], list[Fingers]]) -> None:
    with ShardedGallery(2) as sharded:
        assert len(sharded) == 0
        assert_same(Gallery().search(people[1][0]), sharded.search(people[1][0]))


def test_remove_and_replace_keep_agreeing(
    ray_cluster: None, people: tuple[list[Fingers], list[Fingers]]
) -> None:
    enrolments, probes = people
    local = Gallery()
    with ShardedGallery(SHARDS) as sharded:
        _fill([local, sharded], enrolments, count=30)
        for gallery in (local, sharded):
            gallery.remove(_sid(1))
            gallery.remove(_sid(20))
            # Subject 5 now has subject 40's fingers; subject 6 new fingers too.
            gallery.replace(_sid(5), enrolments[40])
            gallery.replace(_sid(6), {2: probes[6][2]})
            gallery.replace(_sid(41), enrolments[41])  # replace adds
        assert len(sharded) == len(local) == 29
        assert _sid(1) not in sharded and _sid(41) in sharded
        assert sharded.finger_count == local.finger_count
        results = _check_agree(
            local, sharded, [probes[1], probes[20], probes[40], probes[6], probes[41], probes[7]]
        )
        assert results[2].identity == _sid(5)
        assert results[0].identity != _sid(1)


def test_save_and_load(
    pair: tuple[Gallery, ShardedGallery],
    people: tuple[list[Fingers], list[Fingers]],
    tmp_path: Path,
) -> None:
    local, sharded = pair
    folder = tmp_path / "sharded"
    sharded.save(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["shards"] == ["shard-000", "shard-001", "shard-002"]
    assert all((folder / name / "manifest.json").exists() for name in manifest["shards"])
    sharded.save(folder)  # replaces
    with ShardedGallery.load(folder) as loaded:
        assert loaded.shards == SHARDS
        assert loaded.index_params == sharded.index_params
        assert loaded.shard_sizes() == sharded.shard_sizes()
        _check_agree(local, loaded, _probes(people[1])[:5])
        # A shard folder is a plain gallery.
        assert len(Gallery.load(folder / "shard-001")) == sharded.shard_sizes()[1]


def test_from_actors(
    pair: tuple[Gallery, ShardedGallery], people: tuple[list[Fingers], list[Fingers]]
) -> None:
    local, sharded = pair
    view = ShardedGallery.from_actors(sharded.actors)
    assert view.index_params == sharded.index_params
    _check_agree(local, view, _probes(people[1])[:2])


def test_errors_keep_their_types(
    pair: tuple[Gallery, ShardedGallery],
    people: tuple[list[Fingers], list[Fingers]],
    tmp_path: Path,
) -> None:
    _, sharded = pair
    enrolments, probes = people
    with pytest.raises(GalleryError, match="already enrolled") as info:
        sharded.enrol(_sid(0), enrolments[0])
    assert type(info.value) is GalleryError
    with pytest.raises(GalleryError, match="position"):
        sharded.enrol("new", {11: enrolments[0][2]})
    with pytest.raises(GalleryError, match="subject id"):
        sharded.enrol("", enrolments[0])
    with pytest.raises(GalleryError, match="no finger"):
        sharded.replace("new", {})
    with pytest.raises(KeyError) as missing:
        sharded.remove("nobody")
    assert type(missing.value) is KeyError
    with pytest.raises(KeyError):
        sharded.fingers("nobody")
    with pytest.raises(GalleryError):
        sharded.search({12: probes[0][2]})
    assert "new" not in sharded and len(sharded) == SUBJECTS
    with pytest.raises(GalleryFileError):
        ShardedGallery.load(tmp_path / "absent")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text(
        json.dumps(
            {
                "format": "interop-sharded-gallery-1",
                "routing": "blake2b-64-mod",
                "shards": ["shard-000"],
                "index": {},
            }
        )
    )
    with pytest.raises(GalleryFileError):
        ShardedGallery.load(tmp_path / "bad")  # the shard folder is missing
    with pytest.raises(ValueError):
        ShardedGallery(0)
