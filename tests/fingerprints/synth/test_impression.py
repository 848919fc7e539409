"""Impressions: determinism, image properties, and the engine recognising them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from interop.fingerprints.extraction import extract
from interop.fingerprints.matcher import compare, prepare
from interop.fingerprints.synth import (
    DEFAULT_IMPRESSION_PARAMETERS,
    ImpressionParameters,
    MasterFingerprint,
    impression,
)


def test_impression_shape_dtype_and_determinism(masters: list[MasterFingerprint]) -> None:
    p = DEFAULT_IMPRESSION_PARAMETERS
    a = impression(masters[0], 0)
    assert a.shape == (p.height_px, p.width_px) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, impression(masters[0], 0))
    assert not np.array_equal(a, impression(masters[0], 1))
    assert not np.array_equal(a, impression(masters[1], 0))


def test_impression_has_dark_ridges_light_valleys_and_background(
    masters: list[MasterFingerprint],
) -> None:
    for k in range(3):
        image = impression(masters[2], k)
        # corners are background, light
        assert min(image[:8, :8].mean(), image[-8:, -8:].mean()) > 180
        # the print has dark ridges and light valleys
        lo, hi = np.percentile(image, [5, 60])
        assert lo < 120 and hi > 160


def test_output_size_follows_parameters(masters: list[MasterFingerprint]) -> None:
    params = ImpressionParameters(height_px=384, width_px=288)  # FVC 2002 DB4
    assert impression(masters[0], 0, params=params).shape == (384, 288)


@pytest.mark.parametrize("seed", [-1, 2.0, None])
def test_bad_seed_is_rejected(masters: list[MasterFingerprint], seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        impression(masters[0], seed)  # type: ignore[arg-type]


def test_engine_tells_fingers_apart(masters: list[MasterFingerprint]) -> None:
    """Two impressions of each of four fingers: genuine pairs score above impostors."""
    templates = {(f, k): extract(impression(m, k)) for f, m in enumerate(masters) for k in range(2)}
    for t in templates.values():
        assert len(t) >= 12 and t.quality >= 40
    prepared = {key: prepare(t) for key, t in templates.items()}
    genuine, impostor = [], []
    for a, b in itertools.combinations(sorted(prepared), 2):
        score = compare(prepared[a], prepared[b])
        (genuine if a[0] == b[0] else impostor).append(score)
    assert len(genuine) == 4 and len(impostor) == 24
    assert np.mean(genuine) > max(impostor), (genuine, impostor)
    assert min(genuine) > np.median(impostor), (genuine, impostor)
