"""Write the fuzz seed corpus (``seeds/``): transactions built by the project's
own code, so that no outside data is copied into the repository (the
shared sample transactions are added to the corpus at run time).

Usage::

    .venv/bin/python tests/nist/fuzz/make_seeds.py
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from interop.nist import Field, Record, encode
from interop.nist.car import CarSubmission, Offence, build_car

SEEDS = Path(__file__).with_name("seeds")


def _tiny_car() -> bytes:
    rng = np.random.default_rng(1)
    fingers = {p: rng.integers(0, 256, (64, 64), dtype=np.uint8) for p in (2, 7)}
    return build_car(
        CarSubmission(
            tcn="TX22700000000000001",
            ori="TX2270000",
            sent_on=date(2010, 3, 14),
            surname="DOE",
            given_name="JANE",
            date_of_birth=date(1980, 1, 2),
            sex="F",
            race="U",
            place_of_birth="TX",
            height="505",
            weight_lb=130,
            eyes="BRO",
            hair="BLK",
            arrested_on=date(2010, 3, 14),
            offences=(Offence(date(2010, 3, 13), "2299", "BURGLARY"),),
            fingers=fingers,
        )
    )


def _face_and_minutiae() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((40, 30), 128, dtype=np.uint8)).save(buffer, "JPEG")
    type1 = Record(
        1,
        (
            Field.of(1, "0"),
            Field.of(2, "0400"),
            Field.of(3, [["1", "2"], ["9", "01"], ["10", "02"]]),
            Field.of(4, "LFFS"),
            Field.of(5, "20100314"),
        ),
    )
    type9 = Record(
        9,
        (
            Field.of(1, "0"),
            Field.of(2, "01"),
            Field.of(3, "4"),
            Field.of(4, "S"),
            Field.of(10, "2"),
            Field.of(12, [["001", "01000200090", "0", "A"], ["002", "02000300180", "0", "B"]]),
        ),
    )
    type10 = Record(
        10,
        (
            Field.of(1, "0"),
            Field.of(2, "02"),
            Field.of(3, "FACE"),
            Field.of(6, "30"),
            Field.of(7, "40"),
            Field.of(11, "JPEGB"),
            Field.of(999, buffer.getvalue()),
        ),
    )
    return encode([type1, type9, type10])


def _jpeg2000_finger() -> bytes:
    buffer = io.BytesIO()
    pixels = np.tile(np.arange(0, 250, 5, dtype=np.uint8), (40, 1))
    Image.fromarray(pixels).save(buffer, "JPEG2000", irreversible=False)
    type1 = Record(
        1,
        (
            Field.of(1, "0"),
            Field.of(2, "0400"),
            Field.of(3, [["1", "1"], ["14", "01"]]),
            Field.of(4, "FIS"),
            Field.of(5, "20100314"),
        ),
    )
    type14 = Record(
        14,
        (
            Field.of(1, "0"),
            Field.of(2, "01"),
            Field.of(3, "1"),
            Field.of(6, "50"),
            Field.of(7, "40"),
            Field.of(11, "JP2L"),
            Field.of(13, "2"),
            Field.of(999, buffer.getvalue()),
        ),
    )
    return encode([type1, type14])


def _minutiae_both_blocks() -> bytes:
    from interop.fingerprints.synth import master_minutiae, minutiae_impression
    from interop.nist.minutiae import minutiae_record

    template = minutiae_impression(master_minutiae(11), 0)
    kept = template.minutiae[:6]
    small = type(template)(kept, template.width, template.height, 500, 0, 3)
    type1 = Record(
        1,
        (
            Field.of(1, "0"),
            Field.of(2, "0500"),
            Field.of(3, [["1", "2"], ["2", "00"], ["9", "01"]]),
            Field.of(4, "TPFS"),
            Field.of(5, "20110504"),
        ),
    )
    type2 = Record(2, (Field.of(1, "0"), Field.of(2, "00")))
    return encode([type1, type2, minutiae_record(small, 1)])


def main() -> None:
    SEEDS.mkdir(exist_ok=True)
    (SEEDS / "tiny-car.an2").write_bytes(_tiny_car())
    (SEEDS / "face-minutiae.an2").write_bytes(_face_and_minutiae())
    (SEEDS / "jpeg2000-finger.an2").write_bytes(_jpeg2000_finger())
    (SEEDS / "minutiae-two-blocks.an2").write_bytes(_minutiae_both_blocks())


if __name__ == "__main__":
    main()
