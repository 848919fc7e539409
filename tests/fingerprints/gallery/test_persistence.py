"""A memory-mapped gallery takes enrolments without copying what it mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from interop.fingerprints.gallery import Gallery

from .conftest import Subject, enrolment, probe, subject_id


def _results(gallery: Gallery, subjects: list[Subject]) -> list[list[tuple[str, float]]]:
    return [
        [(c.subject_id, c.score) for c in gallery.search(probe(s)).candidates] for s in subjects
    ]


def test_enrolments_after_a_load_search_as_in_a_gallery_built_in_memory(
    tmp_path: Path, subjects: list[Subject]
) -> None:
    first, later = subjects[:20], subjects[20:26]
    built = Gallery()
    for i, s in enumerate(first):
        built.enrol(subject_id(i), enrolment(s))
    built.save(tmp_path / "g")

    loaded = Gallery.load(tmp_path / "g", mmap=True)
    mapped = loaded._minutiae.base_minutiae
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    for i, s in enumerate(later, start=len(first)):
        built.enrol(subject_id(i), enrolment(s))
        loaded.enrol(subject_id(i), enrolment(s))
    assert loaded._minutiae.base_minutiae is mapped  # appended beside, not copied
    everyone = first + later + subjects[50:52]
    assert _results(loaded, everyone) == _results(built, everyone)
    for i in (0, len(first) + 1):
        assert loaded.fingers(subject_id(i)).keys() == built.fingers(subject_id(i)).keys()

    # saved again (mapped part and appended part in one file) and read back
    loaded.save(tmp_path / "again")
    again = Gallery.load(tmp_path / "again", mmap=False)
    assert again.subject_ids() == built.subject_ids()
    assert _results(again, everyone) == _results(built, everyone)
