"""ExtractionParameters: defaults, immutability, JSON round trip, validation."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.fingerprints.extraction import DEFAULT_PARAMETERS, ExtractionParameters
from interop.fingerprints.extraction.frequency import _FFT_SIZE


def test_defaults_are_consistent() -> None:
    p = DEFAULT_PARAMETERS
    assert p == ExtractionParameters()
    assert 0 < p.min_period_px < p.max_period_px
    assert all(p.min_period_px <= t <= p.max_period_px for t in p.gabor_periods_px)
    assert list(p.gabor_periods_px) == sorted(p.gabor_periods_px)
    assert p.frequency_window_px <= _FFT_SIZE
    assert 1 <= p.min_minutiae <= p.max_minutiae
    assert p.gabor_orientations >= 4 and p.block_px >= 1
    # the literature's ridge period at 500 ppi (8-12 px) is inside the bank
    assert min(p.gabor_periods_px) <= 8 and max(p.gabor_periods_px) >= 11


def test_parameters_are_frozen_and_hashable() -> None:
    p = ExtractionParameters()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.block_px = 3  # type: ignore[misc]
    assert hash(p) == hash(ExtractionParameters())
    assert p != dataclasses.replace(p, block_px=10)


def test_json_round_trip_of_the_defaults() -> None:
    text = DEFAULT_PARAMETERS.to_json()
    data = json.loads(text)
    assert set(data) == {f.name for f in dataclasses.fields(ExtractionParameters)}
    back = ExtractionParameters.from_json(text)
    assert back == DEFAULT_PARAMETERS
    assert isinstance(back.gabor_periods_px, tuple)


@settings(max_examples=40, deadline=None)
@given(
    block_px=st.integers(4, 32),
    contrast_sigma_px=st.floats(1.0, 20.0),
    gabor_periods_px=st.lists(st.floats(5.0, 15.0), min_size=1, max_size=5).map(
        lambda v: tuple(sorted(v))
    ),
    break_max_angle_rad=st.floats(0.1, 1.5),
    max_minutiae=st.integers(10, 255),
)
def test_json_round_trip(**changes: Any) -> None:
    p = ExtractionParameters(**changes)
    back = ExtractionParameters.from_json(p.to_json())
    assert back == p
    assert hash(back) == hash(p)


def test_from_json_refuses_unknown_keys() -> None:
    data = json.loads(DEFAULT_PARAMETERS.to_json())
    data["gabor_wavelength"] = 9.0
    with pytest.raises(TypeError):
        ExtractionParameters.from_json(json.dumps(data))


def test_from_json_accepts_a_partial_object() -> None:
    p = ExtractionParameters.from_json('{"min_minutiae": 8}')
    assert p == dataclasses.replace(DEFAULT_PARAMETERS, min_minutiae=8)


INVALID = [
    {"block_px": 0},
    {"block_px": -12},
    {"contrast_sigma_px": 0.0},
    {"orientation_sigma_px": -1.0},
    {"frequency_window_px": 2 * _FFT_SIZE},  # larger than the FFT: silently cropped
    {"min_period_px": 20.0},  # above max_period_px
    {"min_period_px": 0.0},
    {"gabor_orientations": 0},
    {"gabor_periods_px": ()},
    {"gabor_sigma_across_px": 0.0},
    {"min_minutiae": 0},
    {"max_minutiae": 0},  # extract() would return an empty template
    {"max_minutiae": 5},  # fewer than min_minutiae
    {"min_foreground_px": -1},
    {"foreground_contrast_ratio": 1.5},
    {"cluster_radius_px": -1.0},
]


@pytest.mark.parametrize("changes", INVALID, ids=lambda c: next(iter(c)))
def test_invalid_values_raise_value_error(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ExtractionParameters(**changes)
