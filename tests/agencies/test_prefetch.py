"""Preparing a submission once and ahead: the FBI's parse, validation,
templates and probe forms, computed in-process or by a helper process,
give what the handlers would compute themselves."""

from __future__ import annotations

import pickle
import time
from datetime import date

import numpy as np
import pytest

from interop.agencies import prefetch
from interop.agencies.prefetch import (
    Prefetcher,
    cached_submission,
    prepare_submission,
    prepared_submission,
)
from interop.fingerprints.gallery.gallery import (
    coded_form,
    make_probe_forms,
    probe_forms,
    probe_key,
)
from interop.fingerprints.matcher.codes import encode, encode_and_prepare, prepare_stored
from interop.nist import NistFormatError
from tests.agencies.test_pipeline import COUNTY, _car, _fingers

ON = date(2010, 3, 1)


def _wait_for(data: bytes, timeout_s: float = 60.0) -> prefetch.PreparedSubmission | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = cached_submission(data)
        if found is not None:
            return found
        time.sleep(0.05)
    return None


def test_a_prepared_submission_is_what_the_handler_would_read() -> None:
    data = _car(1, COUNTY, ON, "IL099000000000000101")
    prepared = prepared_submission(data)
    assert prepared.violations == []
    assert prepared.submission is not None and prepared.submission.tcn == "IL099000000000000101"
    assert sorted(prepared.probe) == list(range(1, 11))
    assert prepared.forms == []  # built by the search, in-process
    assert cached_submission(data) is prepared  # kept: IDENT reads the same bytes
    helper_made = prepare_submission(data, forms=True)
    assert [key for key, _ in helper_made.forms] == [probe_key(t) for t in prepared.probe.values()]


def test_a_transaction_that_breaks_a_rule_is_prepared_unread() -> None:
    data = _car(1, COUNTY, ON, "IL099000000000000102").replace(b"2.024:M", b"2.024:Q", 1)
    prepared = prepared_submission(data)
    assert prepared.violations and prepared.submission is None and prepared.probe == {}


def test_an_unreadable_transaction_is_a_typed_error_and_is_not_kept() -> None:
    with pytest.raises(NistFormatError):
        prepared_submission(b"1.001:not a transaction")
    assert cached_submission(b"1.001:not a transaction") is None


def test_the_helper_lands_the_preparation_and_the_probe_forms() -> None:
    data = _car(3, COUNTY, ON, "IL099000000000000103")
    bad = b"\x00" * 64
    helper = Prefetcher(1)
    try:
        assert helper.prepare(data) is True
        assert helper.prepare(data) is False  # each transaction once
        assert helper.prepare(bad) is True  # fails in the helper, quietly
        prepared = _wait_for(data)
    finally:
        helper.close()
    assert prepared is not None and prepared.submission is not None
    assert len(prepared.forms) == 10
    assert cached_submission(bad) is None
    # the forms landed in the search's cache, and equal a build here
    coded, verifying = probe_forms(prepared.probe)
    for (_, landed), template in zip(prepared.forms, prepared.probe.values(), strict=True):
        assert coded[template.finger_position] is landed.coded  # found, not built again
        built = make_probe_forms(template).coded.coded
        assert np.array_equal(landed.coded.coded.codes, built.codes)
    # the cylinders crossed no pipe: built here, when verification first reads them
    position = next(iter(prepared.probe))
    assert np.array_equal(
        verifying[position].cylinders, prepare_stored(prepared.probe[position]).cylinders
    )


def test_a_handler_waits_for_the_helper_instead_of_doing_its_work_again() -> None:
    data = _car(4, COUNTY, ON, "IL099000000000000104")
    helper = Prefetcher(1)
    try:
        assert helper.prepare(data) is True
        prepared = prepared_submission(data)  # at once: the helper is still at it
    finally:
        helper.close()
    # the helper's (it builds the forms; an in-process preparation has none)
    assert len(prepared.forms) == 10
    assert cached_submission(data) is prepared
    assert prefetch._pending == {}


def test_an_enrolled_finger_searched_lately_reuses_the_probe_codes() -> None:
    finger = _fingers(5, 2)[4]
    fresh = encode(finger)
    coded, _ = probe_forms({4: finger})  # searched: its forms are kept
    reused = coded_form(finger)
    assert reused is coded[4].coded  # taken from the search, not encoded again
    assert np.array_equal(reused.codes, fresh.codes)
    assert np.array_equal(reused.minutiae, fresh.minutiae)


def test_probe_forms_build_the_cylinders_on_first_use_and_travel_without_them() -> None:
    finger = _fingers(6, 2)[3]
    forms = make_probe_forms(finger)
    light = len(pickle.dumps(forms))
    _, expected = encode_and_prepare(finger)  # the one-build form of both
    assert np.array_equal(forms.prepared.cylinders, expected.cylinders)
    assert np.array_equal(forms.prepared.geometry, expected.geometry)
    assert forms.prepared is forms.prepared  # built once
    assert len(pickle.dumps(forms)) == light  # the cylinders are not sent
    back = pickle.loads(pickle.dumps(forms))
    assert np.array_equal(back.coded.coded.codes, forms.coded.coded.codes)
    assert np.array_equal(back.prepared.cylinders, expected.cylinders)
