from __future__ import annotations

import collections

import numpy as np
import pytest

from interop.fingerprints.synth.orientation import CLASS_FREQUENCIES, PatternClass
from interop.fingerprints.synth.person import (
    FINGER_POSITIONS,
    FINGER_TYPE_FREQUENCIES,
    finger_seed,
    finger_type,
    person_fingers,
    ten_print_classes,
)

PEOPLE = 3000


@pytest.fixture(scope="module")
def classes() -> list[dict[int, PatternClass]]:
    return [ten_print_classes(s) for s in range(PEOPLE)]


def test_rows_are_distributions() -> None:
    for row in FINGER_TYPE_FREQUENCIES.values():
        assert sum(row.values()) == pytest.approx(1.0)
        assert all(v > 0 for v in row.values())


def test_population_frequencies_are_sfinges(classes: list[dict[int, PatternClass]]) -> None:
    counts = collections.Counter(c for person in classes for c in person.values())
    n = sum(counts.values())
    for cls, expected in CLASS_FREQUENCIES.items():
        assert counts[cls] / n == pytest.approx(expected, abs=0.015), cls


def test_whorls_gather_on_thumbs_and_ring_fingers(
    classes: list[dict[int, PatternClass]],
) -> None:
    def whorl_rate(position: int) -> float:
        return float(np.mean([p[position] == PatternClass.WHORL for p in classes]))

    assert whorl_rate(1) > 2 * whorl_rate(5)  # right thumb vs right little finger
    assert whorl_rate(4) > 2 * whorl_rate(10)  # right ring vs left little finger


def test_ulnar_loops_face_the_little_finger(classes: list[dict[int, PatternClass]]) -> None:
    right_little = collections.Counter(p[5] for p in classes)
    left_little = collections.Counter(p[10] for p in classes)
    assert right_little[PatternClass.RIGHT_LOOP] > 10 * right_little[PatternClass.LEFT_LOOP]
    assert left_little[PatternClass.LEFT_LOOP] > 10 * left_little[PatternClass.RIGHT_LOOP]


def test_a_persons_fingers_are_correlated(classes: list[dict[int, PatternClass]]) -> None:
    whorls = np.array([[p[f] == PatternClass.WHORL for f in FINGER_POSITIONS] for p in classes])
    r = np.corrcoef(whorls[:, 0], whorls[:, 5])[0, 1]  # right and left thumbs
    assert 0.1 < r < 0.5


def test_deterministic_and_distinct() -> None:
    assert ten_print_classes(42) == ten_print_classes(42)
    assert finger_seed(42, 3) == finger_seed(42, 3)
    assert len({finger_seed(42, p) for p in FINGER_POSITIONS}) == 10
    assert finger_seed(42, 3) != finger_seed(43, 3)


@pytest.mark.parametrize("bad", [0, 11, -1])
def test_bad_positions_are_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        finger_type(bad)


def test_bad_seeds_are_refused() -> None:
    with pytest.raises(ValueError):
        ten_print_classes(-1)


def test_person_fingers_have_their_classes() -> None:
    fingers = person_fingers(7, positions=(1, 6))
    classes = ten_print_classes(7)
    assert set(fingers) == {1, 6}
    assert all(fingers[p].pattern == classes[p] for p in fingers)
