"""compare(), similarity() and compare_templates(): MCC with the LSS-R global score."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.fingerprints.matcher import (
    DEFAULT_PARAMETERS,
    MatcherParameters,
    compare,
    compare_templates,
    prepare,
)
from interop.fingerprints.matcher.calibration import MAX_SCORE
from interop.fingerprints.matcher.comparison import similarity
from interop.fingerprints.template import Template
from tests.fingerprints.patterns import (
    random_template,
    rescaled,
    rigid_motion,
    shared_minutiae,
    well_spread_template,
)

# --- properties over random templates ---------------------------------------------


@st.composite
def templates(draw: st.DrawFn, max_size: int = 60) -> Template:
    """Random templates: clustered or spread, with or without coincident minutiae."""
    n = draw(st.integers(0, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    extent = draw(st.sampled_from([80.0, 250.0, 500.0]))
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, extent, n)
    y = rng.uniform(0, extent, n)
    if n > 3 and draw(st.booleans()):
        x[1], y[1] = x[0], y[0]  # two minutiae at one place
    return Template.from_arrays(
        x,
        y,
        rng.uniform(0, 2 * math.pi, n),
        type=rng.integers(0, 3, n),
        width=int(extent) + 1,
        height=int(extent) + 1,
    )


@settings(max_examples=40, deadline=None)
@given(templates(), templates())
def test_score_is_exactly_symmetric_and_in_range(a: Template, b: Template) -> None:
    pa, pb = prepare(a), prepare(b)
    score = compare(pa, pb)
    assert score == compare(pb, pa)  # exactly, not approximately
    assert 0.0 <= score <= MAX_SCORE
    raw = similarity(pa, pb)
    assert raw == similarity(pb, pa)
    assert 0.0 <= raw <= 1.0


@settings(max_examples=25, deadline=None)
@given(templates(max_size=50), st.integers(0, 2**32 - 1))
def test_symmetric_for_related_templates(a: Template, seed: int) -> None:
    """Pairs that share minutiae (scores well above zero) are symmetric too."""
    rng = np.random.default_rng(seed)
    b = shared_minutiae(rng, a, len(a) // 2) if len(a) else a
    pa, pb = prepare(a), prepare(b)
    assert compare(pa, pb) == compare(pb, pa)


@settings(max_examples=25, deadline=None)
@given(templates(max_size=50), st.integers(0, 2**32 - 1))
def test_minutia_order_does_not_matter(a: Template, seed: int) -> None:
    rng = np.random.default_rng(seed)
    b = shared_minutiae(rng, a, len(a) // 2) if len(a) else a
    shuffled = dataclasses.replace(b, minutiae=b.minutiae[rng.permutation(len(b))])
    assert compare(prepare(a), prepare(b)) == pytest.approx(
        compare(prepare(a), prepare(shuffled)), abs=1e-9
    )


# --- what scores high and what scores low ------------------------------------------


@pytest.mark.parametrize("n", [25, 36, 60])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_template_matches_itself(n: int, seed: int) -> None:
    p = prepare(well_spread_template(np.random.default_rng(seed), n))
    assert compare(p, p) >= 30
    assert similarity(p, p) > 0.8


@pytest.mark.parametrize(
    ("rotation_deg", "dx", "dy"),
    [(0, 25, -40), (15, 0, 0), (-30, 10, 10), (45, -60, 35), (-60, 5, -80)],
)
def test_a_rigidly_moved_copy_scores_like_the_template_itself(
    rotation_deg: float, dx: float, dy: float
) -> None:
    t = well_spread_template(np.random.default_rng(7), 36)
    p = prepare(t)
    moved = prepare(rigid_motion(t, math.radians(rotation_deg), dx, dy))
    assert compare(p, moved) >= 30
    assert similarity(p, moved) == pytest.approx(similarity(p, p), abs=0.02)


@pytest.mark.parametrize("seed", range(6))
def test_rigid_motion_leaves_partial_matches_unchanged(seed: int) -> None:
    """Templates sharing 14 of 40 minutiae: the raw similarity, wherever the second lies.

    Cylinders are exactly invariant; the score also depends on which cylinder
    pairs pass the direction test (minutia directions within δ_θ), so with
    the default δ_θ = 90° rotations change it a little (unrelated cylinder
    pairs near the 90° limit come and go: within 15% here), and with
    δ_θ = 180° any rotation leaves it unchanged. (Raw similarity: the calibrated scale
    saturates at MAX_SCORE.)
    """
    rng = np.random.default_rng(seed)
    a = random_template(rng, 40)
    b = shared_minutiae(rng, a, 14)
    pa = prepare(a)
    reference = similarity(pa, prepare(b))
    assert reference > similarity(pa, prepare(random_template(rng, 40)))
    for rotation_deg, dx, dy in [(0, 40, -40), (10, 10, -15), (-20, -25, 5), (6, 0, 30)]:
        moved = prepare(rigid_motion(b, math.radians(rotation_deg), dx, dy))
        np.testing.assert_array_equal(moved.cylinders, prepare(b).cylinders)
        assert similarity(pa, moved) == pytest.approx(reference, rel=0.15)
    wide = MatcherParameters(max_direction_difference_rad=math.pi)
    pa = prepare(a, wide)
    reference = similarity(pa, prepare(b, wide))
    for rotation_deg, dx, dy in [(23, 10, -15), (-52, -25, 5), (69, 0, 30), (143, 5, 5)]:
        moved = prepare(rigid_motion(b, math.radians(rotation_deg), dx, dy), wide)
        assert similarity(pa, moved) == pytest.approx(reference, rel=0.01)


def test_rotations_beyond_the_direction_limit_need_a_wider_limit() -> None:
    """δ_θ (max_direction_difference_rad, π/2 by default) bounds the rotation tolerated:
    beyond it no cylinder pair is compared. With δ_θ = π any rotation is fine."""
    t = random_template(np.random.default_rng(8), 40)
    turned = rigid_motion(t, math.radians(150), 0.0, 0.0)
    assert compare(prepare(t), prepare(turned)) < 10
    wide = MatcherParameters(max_direction_difference_rad=math.pi)
    self_score = similarity(prepare(t, wide), prepare(t, wide))
    for deg in (100, 150, 170):
        moved = prepare(rigid_motion(t, math.radians(deg), 3.0, -4.0), wide)
        assert similarity(prepare(t, wide), moved) == pytest.approx(self_score, abs=0.02)


def test_unrelated_templates_score_low() -> None:
    rng = np.random.default_rng(9)
    scores = [
        compare(
            prepare(random_template(rng, int(rng.integers(15, 80)))),
            prepare(random_template(rng, int(rng.integers(15, 80)))),
        )
        for _ in range(40)
    ]
    assert max(scores) < 20
    assert float(np.median(scores)) < 5


def test_more_shared_minutiae_score_higher() -> None:
    rng = np.random.default_rng(10)
    a = random_template(rng, 40)
    pa = prepare(a)
    means = []
    for k in (0, 10, 20, 40):
        means.append(np.mean([compare(pa, prepare(shared_minutiae(rng, a, k))) for _ in range(4)]))
    assert means == sorted(means)
    assert means[0] < 10 and means[-1] >= 30


def test_synthetic_fingers_genuine_above_impostor(finger_templates: dict) -> None:
    prepared = {key: prepare(t) for key, t in finger_templates.items()}
    genuine, impostor = [], []
    for a, b in itertools.combinations(sorted(prepared), 2):
        score = compare(prepared[a], prepared[b])
        (genuine if a[0] == b[0] else impostor).append(score)
    assert min(genuine) >= 30
    assert min(genuine) > max(impostor)
    for p in prepared.values():
        assert compare(p, p) >= 30


# --- degenerate input and misuse ----------------------------------------------------


@pytest.mark.parametrize(("n_a", "n_b"), [(0, 0), (0, 40), (1, 40), (2, 2), (2, 40)])
def test_empty_or_tiny_templates_score_zero(n_a: int, n_b: int) -> None:
    rng = np.random.default_rng(n_a * 100 + n_b)
    a, b = prepare(random_template(rng, n_a)), prepare(random_template(rng, n_b))
    assert compare(a, b) == 0.0 and compare(b, a) == 0.0
    assert compare(a, a) == 0.0
    assert similarity(a, b) == 0.0


def test_templates_prepared_with_different_parameters_are_refused() -> None:
    t = random_template(np.random.default_rng(11), 30)
    a = prepare(t)
    b = prepare(t, MatcherParameters(cylinder_radius_px=60.0))
    with pytest.raises(ValueError, match="different MatcherParameters"):
        compare(a, b)
    with pytest.raises(ValueError):
        compare(b, a)
    with pytest.raises(ValueError):
        similarity(a, b)


def test_equal_parameters_need_not_be_the_same_object() -> None:
    t = random_template(np.random.default_rng(12), 30)
    a = prepare(t, MatcherParameters())
    b = prepare(t, MatcherParameters())
    assert a.parameters is not b.parameters
    assert compare(a, b) == compare(prepare(t), prepare(t))


def test_resolution_is_normalised(finger_templates: dict) -> None:
    """A template at 1000 ppi (coordinates doubled) compares like the 500-ppi one."""
    a, b = finger_templates[(1, 0)], finger_templates[(1, 1)]
    c = finger_templates[(2, 0)]
    for other in (b, c):
        reference = compare(prepare(a), prepare(other))
        assert compare(prepare(rescaled(a, 1000)), prepare(other)) == reference
        assert compare(prepare(a), prepare(rescaled(other, 1000))) == reference
        for ppi in (250, 750):
            assert compare(prepare(rescaled(a, ppi)), prepare(other)) == pytest.approx(
                reference, abs=2.0
            )


def test_compare_templates_is_compare_of_prepared(finger_templates: dict) -> None:
    a, b = finger_templates[(0, 0)], finger_templates[(2, 1)]
    assert compare_templates(a, b) == compare(prepare(a), prepare(b))
    params = MatcherParameters(relaxation_iterations=3)
    assert compare_templates(a, b, params) == compare(prepare(a, params), prepare(b, params))
    assert compare_templates(a, a) == compare(prepare(a), prepare(a))


def test_default_parameters_are_used_by_default() -> None:
    t = random_template(np.random.default_rng(13), 20)
    assert prepare(t).parameters == DEFAULT_PARAMETERS
