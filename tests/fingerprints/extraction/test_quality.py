"""Local quality map and whole-image quality score."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interop.fingerprints.extraction.quality import image_quality, quality_map


def test_quality_is_coherence_where_contrast_is_ample() -> None:
    rng = np.random.default_rng(0)
    coherence = rng.uniform(0, 1, (50, 60)).astype(np.float32)
    contrast = np.full((50, 60), 40, dtype=np.float32)
    mask = np.ones((50, 60), dtype=bool)
    q = quality_map(coherence, contrast, mask)
    assert q.dtype == np.float32 and q.shape == (50, 60)
    np.testing.assert_allclose(q, coherence, rtol=1e-5)


def test_weak_contrast_damps_quality() -> None:
    coherence = np.ones((10, 40), dtype=np.float32)
    contrast = np.full((10, 40), 40, dtype=np.float32)
    contrast[:, :10] = 5  # a quarter of the median / 2 reference (20)
    q = quality_map(coherence, contrast, np.ones((10, 40), dtype=bool))
    np.testing.assert_allclose(q[:, :10], 0.25, rtol=1e-4)
    np.testing.assert_allclose(q[:, 10:], 1.0, rtol=1e-4)


def test_quality_is_zero_outside_the_mask() -> None:
    coherence = np.ones((20, 20), dtype=np.float32)
    contrast = np.full((20, 20), 30, dtype=np.float32)
    mask = np.zeros((20, 20), dtype=bool)
    mask[5:15, 5:15] = True
    q = quality_map(coherence, contrast, mask)
    assert not q[~mask].any() and q[mask].min() > 0.99
    assert not quality_map(coherence, contrast, np.zeros_like(mask)).any()


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(np.float32, (12, 16), elements=st.floats(-0.5, 1.5, width=32)),
    hnp.arrays(np.float32, (12, 16), elements=st.floats(0, 255, width=32)),
    hnp.arrays(np.bool_, (12, 16)),
)
def test_quality_map_lies_in_unit_interval(
    coherence: np.ndarray, contrast: np.ndarray, mask: np.ndarray
) -> None:
    q = quality_map(coherence, contrast, mask)
    assert np.all(np.isfinite(q))
    assert float(q.min()) >= 0 and float(q.max()) <= 1


def test_image_quality_full_marks() -> None:
    """Perfect local quality over 15 x 15 mm with 25 minutiae scores 100."""
    mask = np.zeros((300, 300), dtype=bool)
    mask[:250, :240] = True  # 60,000 px
    q = np.where(mask, 1.0, 0.0).astype(np.float32)
    assert image_quality(q, mask, 25) == 100
    assert image_quality(q, mask, 60) == 100


def test_image_quality_is_the_mean_local_quality() -> None:
    mask = np.ones((300, 300), dtype=bool)
    q = np.full((300, 300), 0.62, dtype=np.float32)
    assert image_quality(q, mask, 40) == 62


@pytest.mark.parametrize(
    ("area", "minutiae", "expected"),
    [
        (60_000, 25, 100),
        (15_000, 25, 50),  # quarter of the reference area: sqrt(1/4)
        (60_000, 4, 40),  # sqrt(4 / 25)
        (15_000, 4, 20),
    ],
)
def test_small_areas_and_few_minutiae_lower_the_score(
    area: int, minutiae: int, expected: int
) -> None:
    mask = np.zeros(area, dtype=bool).reshape(-1, 100)
    mask[:] = True
    q = np.ones(mask.shape, dtype=np.float32)
    assert image_quality(q, mask, minutiae) == expected


def test_empty_mask_has_quality_zero() -> None:
    assert image_quality(np.ones((20, 20), np.float32), np.zeros((20, 20), bool), 30) == 0


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(np.float32, (20, 20), elements=st.floats(0, 1, width=32)),
    hnp.arrays(np.bool_, (20, 20)),
    st.integers(0, 200),
)
def test_image_quality_is_an_int_from_0_to_100(
    q: np.ndarray, mask: np.ndarray, minutiae: int
) -> None:
    score = image_quality(q, mask, minutiae)
    assert isinstance(score, int) and 0 <= score <= 100
    assert image_quality(q, mask, minutiae + 1) >= score
