"""A booking as a CAR: written, read back field by field, images and minutiae."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import numpy as np
import pytest

from interop.fingerprints import extract
from interop.fingerprints.synth.impression import impression
from interop.fingerprints.synth.person import person_fingers
from interop.nist import parse
from interop.nist.car import Offence, build_car, car_from_booking, read_car
from interop.nist.images import images
from interop.nist.validation import validate
from interop.population.model import Booking, BookingTruth, Sex


@pytest.fixture(scope="module")
def fingers() -> dict[int, np.ndarray]:
    masters = person_fingers(4242)
    return {p: impression(m, 1) for p, m in masters.items()}


@pytest.fixture(scope="module")
def booking() -> Booking:
    truth = BookingTruth(True, True, True, None, None, None, None)
    return Booking(
        booking_id=1234,
        booked_at=datetime(2010, 3, 14, 22, 5),
        ori="TX2270000",
        person_id=77,
        given_name="Ana",
        surname="Lopez-Garcia",
        date_of_birth=date(1984, 7, 2),
        sex=Sex.FEMALE,
        place_of_birth="US-TX",
        charge="2299",
        truth=truth,
    )


def test_car_round_trip_conforms_and_yields_minutiae(
    fingers: dict[int, np.ndarray], booking: Booking
) -> None:
    sub = car_from_booking(booking, fingers, "BURGLARY")
    data = build_car(sub)
    t = parse(data)
    assert [r.type for r in t] == [1, 2] + [14] * 10
    assert validate(t) == [], [str(v) for v in validate(t)]
    back = read_car(data)
    for name in (
        "tcn",
        "ori",
        "sent_on",
        "surname",
        "given_name",
        "date_of_birth",
        "sex",
        "race",
        "place_of_birth",
        "height",
        "weight_lb",
        "eyes",
        "hair",
        "arrested_on",
        "offences",
        "retain",
    ):
        assert getattr(back, name) == getattr(sub, name), name
    assert back.offences == (Offence(date(2010, 3, 14), "2299", "BURGLARY"),)
    assert sorted(back.fingers) == list(range(1, 11))
    for p, pixels in fingers.items():
        got = back.fingers[p]
        assert got.shape == pixels.shape
        # WSQ is lossy: close, not equal
        assert np.abs(got.astype(int) - pixels.astype(int)).mean() < 12
    ims = images(t)
    assert all(im.compression == "WSQ20" and im.ppi == 500 for im in ims)
    template = extract(ims[1].fingerprint())
    assert template.minutiae.shape[0] > 15


def test_car_describes_a_person_alike_at_every_booking(
    fingers: dict[int, np.ndarray], booking: Booking
) -> None:
    a = car_from_booking(booking, {}, "BURGLARY")
    later = dataclasses.replace(booking, booking_id=99, booked_at=datetime(2011, 1, 2))
    b = car_from_booking(later, {}, "BURGLARY")
    assert (a.race, a.height, a.weight_lb, a.eyes, a.hair) == (
        b.race,
        b.height,
        b.weight_lb,
        b.eyes,
        b.hair,
    )
    assert a.tcn != b.tcn and a.place_of_birth == "TX"


def test_bad_submissions_are_refused(fingers: dict[int, np.ndarray], booking: Booking) -> None:
    sub = car_from_booking(booking, {11: fingers[1]}, "BURGLARY")
    with pytest.raises(ValueError, match="finger position 11"):
        build_car(sub)
    flat = car_from_booking(booking, {1: fingers[1].astype(np.float32)}, "BURGLARY")  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="uint8"):
        build_car(flat)


def test_a_car_breaking_the_rules_is_reported(booking: Booking) -> None:
    sub = car_from_booking(booking, {}, "BURGLARY")
    bad = dataclasses.replace(sub, sex="Q", height="5100")
    violations = validate(parse(build_car(bad)))
    messages = " ".join(v.message for v in violations)
    assert "T2_SEX" in messages and "T2_HGT" in messages
    assert "0 Type-4 or Type-14 records" in messages
