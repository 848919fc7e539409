"""All ten fingers of a synthetic person, with realistic pattern classes.

Pattern classes are neither independent between a person's fingers nor
equally likely on every finger: whorls gather on thumbs and ring fingers,
arches and radial loops on index fingers, ulnar loops on little fingers; and
a person with whorls on some fingers tends to have them on others.

Model
-----
Each finger type (thumb, index, middle, ring, little) has its own class
frequencies, :data:`FINGER_TYPE_FREQUENCIES`, in terms of *ulnar* and
*radial* loops (opening towards the little finger or the thumb). Over a
population and the ten fingers they give SFinGe's natural class
frequencies (:data:`~interop.fingerprints.synth.orientation.CLASS_FREQUENCIES`)
within a point or two. A person draws two latent tendencies, ``z_whorl`` and
``z_arch`` (standard normal), which shift the log-odds of every finger's
whorl and arch classes by ``WHORL_EFFECT * z_whorl`` and
``ARCH_EFFECT * z_arch``; this correlates a person's fingers (two fingers'
"is a whorl" correlate by about 0.2).

Loops are mapped to image classes by hand: a print is the mirror image of
the finger pad, so on the *right* hand the little-finger side is on the
right of the print and an ulnar loop is a
:attr:`~interop.fingerprints.synth.orientation.PatternClass.RIGHT_LOOP`
(ridges enter and leave on the right); on the left hand it is a left loop.

Finger positions are the ANSI/NIST-ITL and ISO codes: 1-5 right thumb to
little finger, 6-10 left thumb to little finger.

References
----------
H. Cummins, C. Midlo, *Finger Prints, Palms and Soles*, 1943 (pattern
frequencies by finger); C. I. Watson, C. L. Wilson, NIST Special Database 4
(class frequencies); the finger-type figures below are rounded values of
that literature chosen to reproduce SFinGe's overall frequencies.
"""

from __future__ import annotations

import numpy as np

from interop.fingerprints.synth.master import MasterFingerprint, master_fingerprint
from interop.fingerprints.synth.orientation import PatternClass

FINGER_POSITIONS = tuple(range(1, 11))
"""ANSI/NIST-ITL finger position codes of the ten fingers."""

_FINGER_TYPES = ("thumb", "index", "middle", "ring", "little")
_KINDS = ("whorl", "ulnar_loop", "radial_loop", "arch", "tented_arch")

FINGER_TYPE_FREQUENCIES: dict[str, dict[str, float]] = {
    "thumb": {
        "whorl": 0.354,
        "ulnar_loop": 0.597,
        "radial_loop": 0.011,
        "arch": 0.023,
        "tented_arch": 0.015,
    },
    "index": {
        "whorl": 0.27,
        "ulnar_loop": 0.391,
        "radial_loop": 0.213,
        "arch": 0.071,
        "tented_arch": 0.055,
    },
    "middle": {
        "whorl": 0.145,
        "ulnar_loop": 0.767,
        "radial_loop": 0.021,
        "arch": 0.045,
        "tented_arch": 0.022,
    },
    "ring": {
        "whorl": 0.332,
        "ulnar_loop": 0.634,
        "radial_loop": 0.011,
        "arch": 0.015,
        "tented_arch": 0.008,
    },
    "little": {
        "whorl": 0.108,
        "ulnar_loop": 0.86,
        "radial_loop": 0.01,
        "arch": 0.015,
        "tented_arch": 0.007,
    },
}
"""Class frequencies by finger type for a person of average tendencies (z = 0; each
row sums to 1). The person effect spreads them, which raises the rarer classes' share
in the population: these values are the literature's with whorls scaled by 0.8
and arches by 0.7, so that the population frequencies come out at SFinGe's
(checked in ``tests/fingerprints/synth/test_person.py``)."""

WHORL_EFFECT = 1.2
"""Log-odds shift of the whorl class per unit of a person's latent whorl
tendency: the strength of the correlation between a person's fingers."""

ARCH_EFFECT = 0.8
"""The same for the two arch classes and the latent arch tendency."""


def finger_type(position: int) -> str:
    """``"thumb"``, ``"index"``, ... for an ANSI/NIST finger position 1-10."""
    if position not in FINGER_POSITIONS:
        raise ValueError(f"finger position must be 1..10, got {position!r}")
    return _FINGER_TYPES[(position - 1) % 5]


def _image_class(kind: str, position: int) -> PatternClass:
    right_hand = position <= 5
    if kind == "whorl":
        return PatternClass.WHORL
    if kind == "arch":
        return PatternClass.ARCH
    if kind == "tented_arch":
        return PatternClass.TENTED_ARCH
    ulnar = kind == "ulnar_loop"
    return PatternClass.RIGHT_LOOP if ulnar == right_hand else PatternClass.LEFT_LOOP


def _streams(seed: int) -> tuple[np.random.Generator, list[int]]:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    root = np.random.SeedSequence(int(seed))
    classes, fingers = root.spawn(2)
    finger_seeds = [int(s.generate_state(1, dtype=np.uint32)[0]) for s in fingers.spawn(10)]
    return np.random.default_rng(classes), finger_seeds


def ten_print_classes(seed: int) -> dict[int, PatternClass]:
    """The pattern class of each finger of person ``seed`` (cheap: nothing is grown).

    Returns
    -------
    dict of int to PatternClass
        Keyed by finger position 1-10.
    """
    rng, _ = _streams(seed)
    z_whorl, z_arch = rng.standard_normal(2)
    out: dict[int, PatternClass] = {}
    for position in FINGER_POSITIONS:
        freq = FINGER_TYPE_FREQUENCIES[finger_type(position)]
        logits = np.log(np.array([freq[k] for k in _KINDS]))
        logits[0] += WHORL_EFFECT * z_whorl
        logits[3:] += ARCH_EFFECT * z_arch
        p = np.exp(logits - logits.max())
        kind = _KINDS[int(rng.choice(len(_KINDS), p=p / p.sum()))]
        out[position] = _image_class(kind, position)
    return out


def finger_seed(seed: int, position: int) -> int:
    """The :func:`master_fingerprint` seed of finger ``position`` of person ``seed``."""
    finger_type(position)  # validates
    return _streams(seed)[1][position - 1]


def person_fingers(
    seed: int, positions: tuple[int, ...] = FINGER_POSITIONS
) -> dict[int, MasterFingerprint]:
    """Master fingerprints of person ``seed``'s fingers (about 1 s each).

    Parameters
    ----------
    seed : int
        Non-negative; the same seed always gives the same person.
    positions : tuple of int
        Which fingers (ANSI/NIST positions 1-10); all ten by default.

    Returns
    -------
    dict of int to MasterFingerprint
        Keyed by finger position, each of the class :func:`ten_print_classes`
        gives it.
    """
    classes = ten_print_classes(seed)
    return {p: master_fingerprint(finger_seed(seed, p), pattern=classes[p]) for p in positions}
