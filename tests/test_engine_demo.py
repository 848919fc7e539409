"""``interop.engine_demo.run_demo``: argument checks and the shape of its result."""

from __future__ import annotations

import pytest

from interop.engine_demo import finger_seeds, run_demo


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fingers": 0, "impressions": 2, "seed": 0},
        {"fingers": 1, "impressions": 1, "seed": 0},
        {"fingers": 1, "impressions": 2, "seed": -1},
    ],
)
def test_out_of_range_arguments_are_rejected(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        run_demo(**kwargs)


def test_finger_seeds_are_distinct_and_stable() -> None:
    assert finger_seeds(0, 5) == finger_seeds(0, 5)
    assert len(set(finger_seeds(0, 5) + finger_seeds(1, 5))) == 10


def test_one_finger_result() -> None:
    calls: list[tuple[str, int, int]] = []
    result = run_demo(fingers=1, impressions=2, seed=3, progress=lambda *a: calls.append(a))
    assert result.scores.shape == (1, 1)
    assert [c.impression for c in result.probes] == [1]
    assert result.enrolled[0].template is not None
    assert ("synthesise", 1, 1) in calls and ("compare", 1, 1) in calls
