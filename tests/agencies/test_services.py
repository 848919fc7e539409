"""Galleries mirrored from the store: incremental, late commits found."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

from interop.agencies import services
from interop.agencies.services import GalleryMirror
from interop.fingerprints.codecs import encode_template
from interop.fingerprints.synth import master_minutiae, minutiae_impression
from interop.store import Store
from interop.store.models import SubjectTemplate


def _add(store: Store, subject: str, seed: int, row_id: int | None = None) -> None:
    with store.session() as s:
        for position in (1, 2):
            template = minutiae_impression(master_minutiae(seed * 10 + position), 0)
            s.add(
                SubjectTemplate(
                    id=None if row_id is None else row_id + position,
                    system="ident",
                    subject_id=subject,
                    position=position,
                    template=encode_template(template),
                )
            )


def test_refresh_reads_only_what_is_new_and_finds_late_commits(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "LOOKBACK_ROWS", 60)
    mirror = GalleryMirror("ident")
    _add(store, "A1", 1, row_id=100)
    _add(store, "A2", 2, row_id=200)
    with store.session() as s:
        assert mirror.refresh(s) == 2
        assert mirror.refresh(s) == 0
    _add(store, "A3", 3, row_id=150)  # a lower id committed after a higher one: found
    _add(store, "OLD", 4, row_id=0)  # below the look-back window: not re-read
    with store.session() as s:
        assert mirror.refresh(s) == 1
        assert "A3" in mirror.gallery and sorted(mirror.gallery.fingers("A3")) == [1, 2]
        assert "OLD" not in mirror.gallery
        assert mirror.refresh(s) == 0


def test_later_refreshes_read_only_new_rows_and_gaps(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "LOOKBACK_ROWS", 60)
    mirror = GalleryMirror("ident")
    _add(store, "A1", 1, row_id=100)
    _add(store, "A2", 2, row_id=110)
    with store.session() as s:
        mirror.refresh(s)
        assert mirror._new_rows(s) == []  # nothing new: no row read again
    _add(store, "A3", 3, row_id=105)  # fills a gap below the high-water mark
    with store.session() as s:
        assert sorted(row.id for row in mirror._new_rows(s)) == [106, 107]
        assert mirror._new_rows(s) == []  # the gap is filled


def test_enrolled_fingers_carry_their_codes_and_other_mirrors_do_not_encode_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interop.fingerprints.gallery import gallery as gallery_module
    from interop.fingerprints.matcher.codes import coded_from_bytes, encode

    fingers = {p: minutiae_impression(master_minutiae(70 + p), 0) for p in (1, 2, 3)}
    with store.session() as s:
        GalleryMirror("ident").enrol(s, "E000000001", fingers)
    with store.session() as s:
        rows = s.query(SubjectTemplate).filter_by(subject_id="E000000001").all()
        for row in rows:
            assert row.coded is not None
            stored = coded_from_bytes(row.coded)
            made = encode(fingers[row.position])
            assert stored is not None
            assert np.array_equal(stored.minutiae, made.minutiae)
            assert np.array_equal(stored.codes, made.codes)
    # another worker's mirror reads the codes instead of encoding the fingers
    encoded: list[object] = []
    real = gallery_module.encode
    monkeypatch.setattr(gallery_module, "encode", lambda t: encoded.append(t) or real(t))
    # nothing this process made earlier helps it
    monkeypatch.setattr(gallery_module, "_probe_forms_cache", OrderedDict())
    other = GalleryMirror("ident")
    with store.session() as s:
        assert other.refresh(s) == 1
    assert encoded == []
    assert sorted(other.gallery.fingers("E000000001")) == [1, 2, 3]
    # seeded rows (no codes) are encoded as before
    _add(store, "A1", 1)
    with store.session() as s:
        assert other.refresh(s) == 1
    assert len(encoded) == 2
