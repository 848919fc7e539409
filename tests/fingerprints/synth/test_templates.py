"""Template-level synthesis: determinism, geometry, statistics, and the matcher on it."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from scipy import ndimage

from interop.fingerprints.matcher import compare, prepare
from interop.fingerprints.synth import (
    DEFAULT_IMPRESSION_PARAMETERS,
    DEFAULT_MASTER_PARAMETERS,
    PatternClass,
)
from interop.fingerprints.synth.templates import (
    DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    FIELD_STEP_PX,
    MasterMinutiae,
    TemplateSynthesisParameters,
    master_minutiae,
    minutiae_impression,
    synthetic_template_arrays,
    synthetic_templates,
)
from interop.fingerprints.template import MINUTIA_DTYPE, Template

P = DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS
IP = DEFAULT_IMPRESSION_PARAMETERS


@pytest.fixture(scope="module")
def masters() -> list[MasterMinutiae]:
    return [master_minutiae(s) for s in range(60)]


@pytest.fixture(scope="module")
def impressions(masters: list[MasterMinutiae]) -> list[list[Template]]:
    return [[minutiae_impression(m, k) for k in range(2)] for m in masters]


def _inside_silhouette(m: MasterMinutiae, x: npt.ArrayLike, y: npt.ArrayLike, margin: float) -> Any:
    u = np.abs(np.asarray(x) - m.centre_xy[0]) / (m.half_width_px - margin)
    v = (np.asarray(y) - m.centre_xy[1]) / (m.half_height_px - margin)
    e = np.where(v < 0, 2.0, m.bottom_exponent)
    return u**e + np.abs(v) ** e <= 1.0


def test_same_seeds_same_output_and_different_seeds_differ() -> None:
    a, b = master_minutiae(3), master_minutiae(3)
    np.testing.assert_array_equal(a.minutiae, b.minutiae)
    np.testing.assert_array_equal(a.orientation, b.orientation)
    np.testing.assert_array_equal(a.fragility, b.fragility)
    assert minutiae_impression(a, 5) == minutiae_impression(b, 5)
    assert minutiae_impression(a, 5) != minutiae_impression(a, 6)
    assert not np.array_equal(a.minutiae, master_minutiae(4).minutiae)


def test_master_shapes_and_dtypes(masters: list[MasterMinutiae]) -> None:
    mp = DEFAULT_MASTER_PARAMETERS
    grid = (
        -(-mp.canvas_height_px // FIELD_STEP_PX) + 1,
        -(-mp.canvas_width_px // FIELD_STEP_PX) + 1,
    )
    for m in masters[:10]:
        assert m.minutiae.dtype == MINUTIA_DTYPE and m.minutiae.ndim == 1
        assert m.fragility.shape == m.minutiae.shape and m.fragility.dtype == np.float32
        assert m.orientation.shape == grid and m.orientation.dtype == np.float32
        assert not m.minutiae.flags.writeable and not m.orientation.flags.writeable
        assert set(np.unique(m.minutiae["type"])) <= {1, 2}
        angle = m.minutiae["angle"]
        assert np.all((angle >= 0) & (angle < 2 * np.pi))
        assert np.all((m.orientation >= 0) & (m.orientation < np.pi))
        assert np.all(m.fragility >= 0) and len(m) == m.minutiae.shape[0]


def test_impression_is_a_valid_template(impressions: list[list[Template]]) -> None:
    for t in itertools.chain.from_iterable(impressions[:20]):
        assert (t.width, t.height, t.resolution_ppi) == (IP.width_px, IP.height_px, 500)
        m = t.minutiae
        assert set(np.unique(m["type"])) <= {1, 2}
        assert np.all((m["quality"] >= 1) & (m["quality"] <= 100))
        assert np.all((m["angle"] >= 0) & (m["angle"] < 2 * np.pi))
        assert 0 < t.quality <= 100
        # raster order: by row, then by x
        rows = np.floor(m["y"])
        assert np.all(np.diff(rows) >= 0)
        assert t.metadata["impression_seed"] in (0, 1)


def test_counts_and_type_mix_are_realistic(
    masters: list[MasterMinutiae], impressions: list[list[Template]]
) -> None:
    per_master = np.array([len(m) for m in masters])
    per_impression = np.array([len(t) for t in itertools.chain.from_iterable(impressions)])
    # a whole fingertip holds 40-80 minutiae; a plain impression shows 20-50 of them
    assert 40 < per_master.mean() < 80
    assert 25 < per_impression.mean() < 45
    assert per_impression.min() >= 5 and per_impression.max() < 90
    types = np.concatenate([t.minutiae["type"] for t in itertools.chain(*impressions)])
    assert 0.45 < np.mean(types == 1) < 0.65


def test_master_minutiae_lie_on_the_finger_a_ridge_period_apart(
    masters: list[MasterMinutiae],
) -> None:
    for m in masters:
        x = m.minutiae["x"].astype(np.float64)
        y = m.minutiae["y"].astype(np.float64)
        assert np.all(_inside_silhouette(m, x, y, 0.0))
        d = np.hypot(x[:, None] - x, y[:, None] - y)
        d[np.diag_indices_from(d)] = np.inf
        assert d.min() >= P.min_spacing_px - 1e-3


def test_impression_minutiae_lie_in_the_frame_and_contact_area(
    masters: list[MasterMinutiae], impressions: list[list[Template]]
) -> None:
    margin = P.border_margin_px
    all_rho = []
    for m, finger in zip(masters, impressions, strict=True):
        for k, t in enumerate(finger):
            x = t.minutiae["x"].astype(np.float64)
            y = t.minutiae["y"].astype(np.float64)
            assert np.all((x >= margin) & (x <= IP.width_px - 1 - margin))
            assert np.all((y >= margin) & (y <= IP.height_px - 1 - margin))
            # no two closer than the extractor's cluster radius
            d = np.hypot(x[:, None] - x, y[:, None] - y)
            d[np.diag_indices_from(d)] = np.inf
            assert d.min() >= P.cluster_radius_px - 1e-3
            # back on the finger (the placement is impression()'s): inside the
            # contact ellipse and the finger, give or take the distortion
            rng = np.random.default_rng(np.random.SeedSequence([k, m.seed]))
            phi = rng.uniform(-IP.max_rotation_rad, IP.max_rotation_rad)
            shift = rng.uniform(-IP.max_translation_px, IP.max_translation_px, 2)
            ccx, ccy = rng.normal(0.0, IP.contact_centre_sd_px, 2)
            ax = rng.uniform(*IP.contact_half_width_px)
            ay = rng.uniform(*IP.contact_half_height_px)
            u = x - ((IP.width_px - 1) / 2 + shift[0])
            v = y - ((IP.height_px - 1) / 2 + shift[1])
            fx = np.cos(phi) * u + np.sin(phi) * v
            fy = -np.sin(phi) * u + np.cos(phi) * v
            all_rho.append(np.hypot((fx - ccx) / ax, (fy - ccy) / ay))
            assert np.all(_inside_silhouette(m, fx + m.centre_xy[0], fy + m.centre_xy[1], -40))
    rho = np.concatenate(all_rho)
    assert rho.max() < 2.0
    assert np.percentile(rho, 95) < 1.2
    assert np.percentile(rho, 50) < 0.8


def _iso_divergence_sign(m: MasterMinutiae) -> npt.NDArray[np.bool_]:
    """For each master minutia: do the ridges spread apart the way it points?

    An independent estimate: the ridge vector field aligned with the minutia's
    direction, sampled 6 px around it (bilinear doubled angles), and its
    divergence by central differences.
    """
    z = np.exp(2j * m.orientation.astype(np.float64))
    h = 6.0

    def t_at(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Any:
        coords = np.stack([y / FIELD_STEP_PX, x / FIELD_STEP_PX])
        re = ndimage.map_coordinates(z.real, coords, order=1, mode="nearest")
        im = ndimage.map_coordinates(z.imag, coords, order=1, mode="nearest")
        theta = 0.5 * np.arctan2(im, re)
        return np.stack([np.cos(theta), np.sin(theta)])

    x = m.minutiae["x"].astype(np.float64)
    y = m.minutiae["y"].astype(np.float64)
    a = m.minutiae["angle"].astype(np.float64)
    d = np.stack([np.cos(a), -np.sin(a)])  # ISO angle -> image (x, y) vector

    def aligned(xx: npt.NDArray[np.float64], yy: npt.NDArray[np.float64]) -> Any:
        t = t_at(xx, yy)
        return t * np.sign((t * d).sum(axis=0) + 1e-12)

    div = (aligned(x + h, y)[0] - aligned(x - h, y)[0]) / (2 * h) + (
        aligned(x, y + h)[1] - aligned(x, y - h)[1]
    ) / (2 * h)
    result: npt.NDArray[np.bool_] = div > 0
    return result


def test_flow_driven_minutiae_point_where_the_ridges_spread() -> None:
    forced = TemplateSynthesisParameters(flow_share=1.0)
    free = TemplateSynthesisParameters(flow_share=0.0)
    spread_forced = np.concatenate(
        [_iso_divergence_sign(master_minutiae(s, params=forced)) for s in range(10)]
    )
    spread_free = np.concatenate(
        [_iso_divergence_sign(master_minutiae(s, params=free)) for s in range(10)]
    )
    assert spread_forced.mean() > 0.85
    assert 0.35 < spread_free.mean() < 0.65


def test_forced_class() -> None:
    arch = master_minutiae(2, pattern=PatternClass.ARCH)
    whorl = master_minutiae(2, pattern=PatternClass.WHORL)
    assert arch.pattern is PatternClass.ARCH and whorl.pattern is PatternClass.WHORL
    assert arch.singular_points.cores.shape == (0, 2)
    assert whorl.singular_points.cores.shape == (2, 2)
    assert whorl.singular_points.deltas.shape == (2, 2)


def test_batch_forms_agree_with_the_single_calls() -> None:
    fingers = list(synthetic_templates(3, 2, first_seed=10))
    assert [len(f) for f in fingers] == [2, 2, 2]
    assert fingers[1][1] == minutiae_impression(master_minutiae(11), 1)
    minutiae, offsets = synthetic_template_arrays(3, 2, first_seed=10)
    assert offsets.shape == (7,) and offsets[0] == 0 and offsets[-1] == minutiae.shape[0]
    assert minutiae.dtype == MINUTIA_DTYPE
    flat = [t for f in fingers for t in f]
    for i, t in enumerate(flat):
        np.testing.assert_array_equal(minutiae[offsets[i] : offsets[i + 1]], t.minutiae)


def test_genuine_pairs_outscore_impostor_pairs() -> None:
    fingers = list(synthetic_templates(8, 3, first_seed=300))
    prepared = [[prepare(t) for t in f] for f in fingers]
    genuine = [compare(a, b) for f in prepared for a, b in itertools.combinations(f, 2)]
    impostor = [
        compare(a, b)
        for f, g in itertools.combinations(prepared, 2)
        for a, b in itertools.product(f, g)
    ]
    g, i = np.array(genuine), np.array(impostor)
    # rank-based: the chance that a genuine pair outscores an impostor pair
    auc = np.mean(g[:, None] > i[None, :]) + 0.5 * np.mean(g[:, None] == i[None, :])
    assert auc > 0.97
    assert np.median(g) > np.percentile(i, 99)


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_bad_seed_is_rejected(seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        master_minutiae(seed)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        minutiae_impression(master_minutiae(0), seed)  # type: ignore[arg-type]


def test_parameters_round_trip_through_json_and_are_checked() -> None:
    p = TemplateSynthesisParameters(flow_share=0.9, missing_rate=(0.1, 0.2))
    assert TemplateSynthesisParameters.from_json(p.to_json()) == p
    assert TemplateSynthesisParameters.from_json(P.to_json()) == P
    for bad in (
        {"flow_share": 1.5},
        {"missing_rate": (0.3, 0.1)},
        {"detection_width": 0.0},
        {"minutiae_density_per_10k_px2": 40.0},
    ):
        with pytest.raises(ValueError):
            TemplateSynthesisParameters(**bad)
