"""MatcherParameters: defaults (the paper's), immutability, validation."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from interop.fingerprints.matcher import DEFAULT_PARAMETERS, MatcherParameters


def test_defaults_are_the_papers() -> None:
    """Cappelli, Ferrara & Maltoni 2010, Table 2 (bit-based MCC, LSS-R), but N_S = 12."""
    p = DEFAULT_PARAMETERS
    assert p == MatcherParameters()
    assert p.resolution_ppi == 500
    assert p.cylinder_radius_px == 70
    assert p.spatial_cells_per_side == 12  # the paper's 16: see the module docstring
    assert p.direction_cells == 6
    assert p.spatial_sigma_px == pytest.approx(28 / 3)
    assert p.direction_sigma_rad == pytest.approx(2 * math.pi / 9)
    assert p.hull_margin_px == 50
    assert p.max_direction_difference_rad == pytest.approx(math.pi / 2)
    assert (p.min_paired_minutiae, p.max_paired_minutiae) == (4, 12)
    assert p.relaxation_iterations == 5 and p.relaxation_weight == 0.5


def test_frozen_hashable_and_compared_by_value() -> None:
    p = MatcherParameters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.cylinder_radius_px = 60.0  # type: ignore[misc]
    assert hash(p) == hash(MatcherParameters())
    changed = dataclasses.replace(p, direction_cells=8)
    assert changed != p and changed.direction_cells == 8


def test_accepts_valid_changes() -> None:
    p = MatcherParameters(
        cylinder_radius_px=60.0,
        spatial_cells_per_side=12,
        min_paired_minutiae=3,
        max_paired_minutiae=3,
        relaxation_weight=0.0,
    )
    assert p.max_paired_minutiae == p.min_paired_minutiae == 3
    assert MatcherParameters(relaxation_weight=1.0).relaxation_weight == 1.0


POSITIVE = [
    "resolution_ppi",
    "cylinder_radius_px",
    "spatial_cells_per_side",
    "direction_cells",
    "spatial_sigma_px",
    "direction_sigma_rad",
    "contribution_threshold",
    "neighbourhood_sigmas",
    "min_paired_minutiae",
]


@pytest.mark.parametrize("name", POSITIVE)
@pytest.mark.parametrize("value", [0, -1, math.nan])
def test_non_positive_values_are_refused(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=name):
        MatcherParameters(**{name: value})


@pytest.mark.parametrize(
    "changes",
    [
        {"max_paired_minutiae": 3},  # below min_paired_minutiae (4)
        {"min_paired_minutiae": 13},  # above max_paired_minutiae (12)
        {"relaxation_weight": -0.1},
        {"relaxation_weight": 1.5},
        {"relaxation_weight": math.nan},
    ],
    ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()),
)
def test_inconsistent_values_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        MatcherParameters(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"min_valid_cell_ratio": 1.5},
        {"min_matchable_cell_ratio": -0.2},
        {"hull_margin_px": -5.0},
        {"relaxation_iterations": -1},
        {"min_neighbour_minutiae": -1},
        {"max_direction_difference_rad": -1.0},
    ],
    ids=lambda c: next(iter(c)),
)
def test_other_out_of_range_values_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        MatcherParameters(**changes)
