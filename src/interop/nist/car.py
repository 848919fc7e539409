"""The criminal ten-print submission (EBTS CAR): a booking as a transaction.

A CAR is a Type-1 record, one Type-2 record of biographics and the arrest
segment, and one Type-14 record per finger image (WSQ-compressed, 500 ppi).
:func:`build_car` writes one from a :class:`CarSubmission`, :func:`read_car`
reads one back (any conforming CAR, e.g. from a live-scan station), and
:func:`car_from_booking` fills a submission from a synthetic booking
(:class:`interop.population.model.Booking`).

The arrest segment (2.047 ASL) holds, per offence, the date of offence and
the arrest offence literal; the literal starts with the offence's NCIC
code (``"2299 BURGLARY"``), which :func:`read_car` splits off again.
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from interop.nist._message import (
    NATIVE_PPMM,
    VERSION,
    Offence,
    arrest_segment,
    day,
    open_message,
    read_arrest_segment,
    read_day,
    text,
    type1,
)
from interop.nist.images import images
from interop.nist.minutiae import minutiae_record, templates
from interop.nist.ncic import place_of_birth_code
from interop.nist.program import FEATURES_TOT
from interop.nist.traditional import Field, Record, Transaction, encode, is_number

if TYPE_CHECKING:
    from interop.fingerprints.template import Template
    from interop.population.model import Booking

FBI_CJIS_DAI = "WVIAFIS0Z"
"""Destination agency of submissions to the FBI's IAFIS (CJIS Division)."""

__all__ = [
    "FBI_CJIS_DAI",
    "NATIVE_PPMM",
    "VERSION",
    "CarSubmission",
    "Offence",
    "build_car",
    "car_from_booking",
    "read_car",
]


@dataclass(frozen=True)
class CarSubmission:
    """What a booking agency sends: biographics, arrest segment, fingerprints.

    Attributes
    ----------
    tcn : str
        Transaction control number (10-40 characters).
    ori : str
        Booking agency's ORI (9 characters).
    sent_on : date
    surname, given_name : str
    date_of_birth : date
    sex : str
        EBTS code: M, F, X, ...
    race : str
        EBTS code: A, B, I, U, W.
    place_of_birth : str
        Two-letter NCIC state or country code.
    height : str
        Feet and inches, three characters (``"510"``).
    weight_lb : int
    eyes, hair : str
        EBTS colour codes (``"BRO"``, ``"BLK"``, ...).
    arrested_on : date
    offences : tuple of Offence
    fingers : dict of int to (H, W) uint8 ndarray
        Finger position (1-10) -> rolled impression at 500 ppi.
    minutiae : dict of int to Template
        Finger position (1-10) -> minutiae, sent as Type-9 records (standard
        format); a submission with minutiae is written as the program's
        features submission (TOT ``CARF``, :data:`interop.nist.program.FEATURES_TOT`).
    retain : bool
        Retention code (2.005 RET): keep the prints in the FBI's files.
    """

    tcn: str
    ori: str
    sent_on: date
    surname: str
    given_name: str
    date_of_birth: date
    sex: str
    race: str
    place_of_birth: str
    height: str
    weight_lb: int
    eyes: str
    hair: str
    arrested_on: date
    offences: tuple[Offence, ...]
    fingers: dict[int, npt.NDArray[np.uint8]] = field(default_factory=dict)
    retain: bool = True
    minutiae: dict[int, Template] = field(default_factory=dict)


def _wsq(pixels: npt.NDArray[np.uint8]) -> bytes:
    """WSQ (0.75 bit/pixel, the FBI's rate) of 500 ppi grey pixels."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(buffer, "WSQ")
    return buffer.getvalue()


def _type14(idc: int, position: int, pixels: npt.NDArray[np.uint8], sub: CarSubmission) -> Record:
    height, width = pixels.shape
    return Record(
        14,
        (
            Field.of(1, "0"),
            Field.of(2, f"{idc:02d}"),
            Field.of(3, "1"),  # live-scan rolled
            Field.of(4, sub.ori),
            Field.of(5, day(sub.arrested_on)),
            Field.of(6, str(width)),
            Field.of(7, str(height)),
            Field.of(8, "1"),  # pixels per inch
            Field.of(9, "500"),
            Field.of(10, "500"),
            Field.of(11, "WSQ20"),
            Field.of(12, "8"),
            Field.of(13, str(position)),
            Field.of(999, _wsq(pixels)),
        ),
    )


def build_car(sub: CarSubmission) -> bytes:
    """The CAR transaction of a submission, in the traditional encoding.

    Raises
    ------
    ValueError
        If a finger position is outside 1-10 or an image is not 2-D uint8.
    """
    for position, pixels in sub.fingers.items():
        if not 1 <= position <= 10:
            raise ValueError(f"finger position {position} is not 1-10")
        if pixels.ndim != 2 or pixels.dtype != np.uint8:
            raise ValueError(f"finger {position}: image must be a 2-D uint8 array")
    for position in sub.minutiae:
        if not 1 <= position <= 10:
            raise ValueError(f"finger position {position} is not 1-10")
    positions = sorted(sub.fingers)
    coded = sorted(sub.minutiae)
    cnt = (
        [["1", str(1 + len(positions) + len(coded))], ["2", "00"]]
        + [["14", f"{k + 1:02d}"] for k in range(len(positions))]
        + [["9", f"{len(positions) + k + 1:02d}"] for k in range(len(coded))]
    )
    header = type1(
        FEATURES_TOT if coded else "CAR",
        tcn=sub.tcn,
        recipient=FBI_CJIS_DAI,
        sender=sub.ori,
        sent_on=sub.sent_on,
        content=cnt,
    )
    type2 = Record(
        2,
        (
            Field.of(1, "0"),
            Field.of(2, "00"),
            Field.of(5, "Y" if sub.retain else "N"),
            Field.of(18, f"{sub.surname},{sub.given_name}"),
            Field.of(20, sub.place_of_birth),
            Field.of(22, day(sub.date_of_birth)),
            Field.of(24, sub.sex),
            Field.of(25, sub.race),
            Field.of(27, sub.height),
            Field.of(29, f"{sub.weight_lb:03d}"),
            Field.of(31, sub.eyes),
            Field.of(32, sub.hair),
            Field.of(45, day(sub.arrested_on)),
            Field.of(47, arrest_segment(sub.offences)),
            Field.of(73, sub.ori),
        ),
    )
    records = [header, type2] + [
        _type14(k + 1, p, sub.fingers[p], sub) for k, p in enumerate(positions)
    ]
    for k, p in enumerate(coded):
        template = dataclasses.replace(sub.minutiae[p], finger_position=p)
        records.append(minutiae_record(template, len(positions) + k + 1, incits_block=False))
    return encode(records)


def read_car(
    data: bytes | Transaction, *, decode_images: bool = True, read_minutiae: bool = True
) -> CarSubmission:
    """The submission a CAR transaction carries.

    Parameters
    ----------
    data : bytes or Transaction
    decode_images : bool, keyword-only
        Decode the finger images into ``fingers`` (WSQ decoding costs tens
        of milliseconds a finger); without, ``fingers`` is empty.
    read_minutiae : bool, keyword-only
        Read the Type-9 records into ``minutiae`` (about half a millisecond a
        finger); without, ``minutiae`` is empty.

    Raises
    ------
    NistFormatError
        If the transaction is not a readable CAR (the message names the field).
    """
    t, first, r2 = open_message(data, ("CAR", "CNA", FEATURES_TOT), needed=(5,))
    surname, _, given = text(r2, 18).partition(",")
    fingers = {}
    for im in images(t) if decode_images else ():
        if im.record_type in (4, 14) and len(im.positions) == 1 and 1 <= im.positions[0] <= 10:
            fingers[im.positions[0]] = im.decode()
    weight = text(r2, 29)
    return CarSubmission(
        tcn=first[9].text if first.get(9) else "",
        ori=first[8].text if first.get(8) else "",
        sent_on=read_day(first[5].text, "1.005", 0),
        surname=surname,
        given_name=given,
        date_of_birth=read_day(text(r2, 22), "2.022"),
        sex=text(r2, 24),
        race=text(r2, 25),
        place_of_birth=text(r2, 20),
        height=text(r2, 27),
        weight_lb=int(weight) if is_number(weight) else 0,
        eyes=text(r2, 31),
        hair=text(r2, 32),
        arrested_on=read_day(text(r2, 45), "2.045"),
        offences=read_arrest_segment(r2),
        fingers=fingers,
        retain=text(r2, 5) == "Y",
        minutiae={m.finger_position: m for m in templates(t) if 1 <= m.finger_position <= 10}
        if read_minutiae
        else {},
    )


_EYES = ("BRO", "BLU", "HAZ", "GRN", "BLK", "GRY")
_HAIR = ("BLK", "BRO", "BLN", "RED", "GRY", "BAL")


def ebts_name(name: str) -> str:
    """A name as EBTS's NAM fields take it: upper-case letters, space, hyphen
    and apostrophe (character set "AS"), diacritics folded as agencies
    transliterate them (``"Ramón"`` → ``"RAMON"``, ``"Núñez"`` → ``"NUNEZ"``).

    >>> ebts_name("Domínguez-Ñúñez"), ebts_name("O'Brien")
    ('DOMINGUEZ-NUNEZ', "O'BRIEN")
    """
    folded = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    kept = "".join(c if c.isascii() and (c.isalpha() or c in " -'") else " " for c in ascii_only)
    return " ".join(kept.upper().split())


def car_from_booking(
    booking: Booking,
    fingers: dict[int, npt.NDArray[np.uint8]],
    offence_literal: str,
) -> CarSubmission:
    """The submission a booking agency sends for a synthetic booking.

    Descriptors the population model does not hold (race, height, weight,
    eye and hair colour) are drawn from the person id, so that the same
    person is described alike at every booking. The place of birth is
    written as its NCIC code (:func:`interop.nist.ncic.place_of_birth_code`),
    the name transliterated (:func:`ebts_name`).
    """
    rng = np.random.default_rng([booking.person_id, 0x0E875])
    feet = int(rng.integers(5, 7))
    inches = int(rng.integers(0, 12))
    return CarSubmission(
        tcn=f"{booking.ori}{booking.booking_id:010d}",
        ori=booking.ori,
        sent_on=booking.booked_at.date(),
        surname=ebts_name(booking.surname),
        given_name=ebts_name(booking.given_name),
        date_of_birth=booking.date_of_birth,
        sex=str(booking.sex),
        race=str(rng.choice(["W", "B", "A", "I", "U"])),
        place_of_birth=place_of_birth_code(booking.place_of_birth),
        height=f"{feet}{inches:02d}",
        weight_lb=int(rng.integers(110, 260)),
        eyes=str(rng.choice(_EYES)),
        hair=str(rng.choice(_HAIR)),
        arrested_on=booking.booked_at.date(),
        offences=(Offence(booking.booked_at.date(), booking.charge, offence_literal),),
        fingers=dict(fingers),
    )
