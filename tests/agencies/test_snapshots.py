"""Gallery snapshots: a mirror started from one searches as one built from the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from interop.agencies import services
from interop.agencies.seed import person_fingers
from interop.agencies.services import GalleryMirror, Services
from interop.store import Store
from interop.store.models import SubjectTemplate

SYSTEM = "ident"


def _enrol(store: Store, people: range, system: str = SYSTEM) -> None:
    writer = GalleryMirror(system)
    with store.session() as s:
        for p in people:
            writer.enrol(s, f"A{p:09d}", person_fingers(0, p, 1))


def _results(mirror: GalleryMirror, store: Store, people: range) -> list[list[tuple[str, float]]]:
    with store.session() as s:
        mirror.refresh(s)
    return [
        [(c.subject_id, c.score) for c in mirror.gallery.search(person_fingers(0, p, 5)).candidates]
        for p in people
    ]


def test_a_mirror_started_from_a_snapshot_searches_as_a_fresh_one(
    store: Store, tmp_path: Path
) -> None:
    _enrol(store, range(12))
    first = GalleryMirror(SYSTEM, snapshots=tmp_path / "snapshots")
    with store.session() as s:
        assert first.refresh(s) == 12
        saved = first.save_snapshot(s)
    assert saved is not None and saved.name.endswith(f"-{first.high_water:012d}")
    assert (saved / "mirror.json").is_file()
    _enrol(store, range(12, 15))  # enrolled after the snapshot

    started = GalleryMirror(SYSTEM, snapshots=tmp_path / "snapshots")
    with store.session() as s:
        assert started.refresh(s) == 3  # only the subjects after the snapshot
    assert len(started.gallery) == 15 and started.high_water > first.high_water
    fresh = GalleryMirror(SYSTEM)
    probes = range(0, 16, 3)  # 15: not enrolled
    assert _results(started, store, probes) == _results(fresh, store, probes)


def test_a_snapshot_is_saved_and_loaded_when_the_last_row_is_of_the_other_system(
    store: Store, tmp_path: Path
) -> None:
    _enrol(store, range(6))
    _enrol(store, range(100, 103), system="fbi")  # the highest ids: the other system's
    mirror = GalleryMirror(SYSTEM, snapshots=tmp_path / "snapshots")
    with store.session() as s:
        assert mirror.refresh(s) == 6
        assert mirror.save_snapshot(s) is not None
    started = GalleryMirror(SYSTEM, snapshots=tmp_path / "snapshots")
    with store.session() as s:
        assert started.refresh(s) == 0  # all six from the snapshot, none from the table
    assert len(started.gallery) == 6 and started.high_water == mirror.high_water


def test_a_snapshot_the_store_does_not_match_is_ignored(store: Store, tmp_path: Path) -> None:
    _enrol(store, range(4))
    mirror = GalleryMirror(SYSTEM, snapshots=tmp_path / "snapshots")
    with store.session() as s:
        mirror.refresh(s)
        assert mirror.save_snapshot(s) is not None
        # the same ids, other contents: a store seeded anew
        s.execute(
            update(SubjectTemplate)
            .where(SubjectTemplate.id == mirror.high_water)
            .values(template=s.scalars(select(SubjectTemplate.template).limit(1)).one())
        )
    again = GalleryMirror(SYSTEM, snapshots=tmp_path / "snapshots")
    with store.session() as s:
        assert again.refresh(s) == 4  # read from the table, not the snapshot


def test_snapshots_are_saved_every_so_many_subjects_and_the_oldest_dropped(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "snapshots"
    mirror = GalleryMirror(SYSTEM, snapshots=folder, snapshot_every=2)
    for people in (range(0, 1), range(1, 3), range(3, 5), range(5, 7)):
        _enrol(store, people)
        with store.session() as s:
            mirror.refresh(s)
    saved = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert len(saved) == services.SNAPSHOTS_KEPT
    assert saved[-1].endswith(f"-{mirror.high_water:012d}")
    assert (
        Services.with_snapshots(snapshots=tmp_path / "snapshots").criminal.snapshots
        == tmp_path / "snapshots"
    )


def test_without_a_snapshot_folder_nothing_is_written(store: Store, tmp_path: Path) -> None:
    _enrol(store, range(2))
    mirror = GalleryMirror(SYSTEM)
    with store.session() as s:
        mirror.refresh(s)
        assert mirror.save_snapshot(s) is None


def test_a_mirror_forgets_what_it_read_in_a_transaction_that_did_not_commit(
    store: Store,
) -> None:
    """Several messages handled in one transaction: the FBI enrols a subject,
    a later search refreshes the mirror from the transaction's own rows; if
    the transaction then rolls back, the mirror must not keep the subject."""
    _enrol(store, range(3))
    mirror = GalleryMirror(SYSTEM)
    with store.session() as s:
        assert mirror.refresh(s) == 3
    mark = mirror.high_water
    with pytest.raises(RuntimeError), store.session() as s:
        mirror.enrol(s, "A000000007", person_fingers(0, 7, 1))
        assert mirror.refresh(s) == 1  # its own uncommitted rows
        assert "A000000007" in mirror.gallery
        raise RuntimeError("a later handler in the transaction failed")
    assert "A000000007" not in mirror.gallery and mirror.high_water == mark
    assert len(mirror.gallery) == 3
    _enrol(store, range(7, 8))  # now committed: found again
    with store.session() as s:
        assert mirror.refresh(s) == 1
    assert "A000000007" in mirror.gallery
