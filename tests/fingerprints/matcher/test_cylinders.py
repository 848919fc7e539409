"""prepare(): cylinders, the prepared template's shape and its invariances."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numba import njit

from interop.fingerprints.matcher import DEFAULT_PARAMETERS, MatcherParameters, prepare
from interop.fingerprints.matcher._kernels import GEOMETRY_COLUMNS, _hull_distance, _wrap_angle
from interop.fingerprints.matcher.cylinders import (
    PreparedTemplate,
    _convex_hull,
    build_cells,
    cell_offsets,
    words_per_cylinder,
)
from interop.fingerprints.template import Template
from tests.fingerprints.patterns import random_template, rescaled, rigid_motion


def test_cell_layout_of_the_defaults() -> None:
    """N_S = 12, R = 70: 112 cells within R; x 6 directions = 672 bits = 11 words."""
    offsets = cell_offsets(DEFAULT_PARAMETERS)
    assert offsets.shape == (112, 2)
    assert np.all(np.hypot(offsets[:, 0], offsets[:, 1]) <= DEFAULT_PARAMETERS.cylinder_radius_px)
    assert words_per_cylinder(DEFAULT_PARAMETERS) == 11
    paper = MatcherParameters(spatial_cells_per_side=16)
    assert cell_offsets(paper).shape == (208, 2) and words_per_cylinder(paper) == 20
    # the cell grid is symmetric about the minutia
    assert {tuple(np.round(o, 6)) for o in offsets} == {tuple(np.round(-o, 6)) for o in offsets}


@pytest.mark.parametrize(("cells", "directions"), [(8, 4), (12, 5), (16, 6), (20, 8)])
def test_cell_layout_follows_the_parameters(cells: int, directions: int) -> None:
    params = MatcherParameters(spatial_cells_per_side=cells, direction_cells=directions)
    offsets = cell_offsets(params)
    assert 0 < offsets.shape[0] < cells * cells
    assert words_per_cylinder(params) == math.ceil(offsets.shape[0] * directions / 64)


def test_prepared_template_shapes(finger_templates: dict) -> None:
    template = finger_templates[(0, 0)]
    p = prepare(template)
    assert isinstance(p, PreparedTemplate)
    assert p.parameters is DEFAULT_PARAMETERS
    assert p.minutia_count == len(template)
    assert 0 < p.cylinder_count <= p.minutia_count
    assert p.cylinders.dtype == np.uint64
    assert p.cylinders.shape == (p.cylinder_count, 2, words_per_cylinder(DEFAULT_PARAMETERS))
    assert p.geometry.dtype == np.float32
    assert p.geometry.shape == (p.minutia_count, GEOMETRY_COLUMNS)
    assert isinstance(p.order_key, bytes) and len(p.order_key) == 16
    # value bits only where the cell is valid
    assert not (p.cylinders[:, 0] & ~p.cylinders[:, 1]).any()


def test_geometry_holds_every_minutia(finger_templates: dict) -> None:
    template = finger_templates[(1, 0)]
    g = prepare(template).geometry
    m = template.minutiae
    rows = {(x, y, a, t) for x, y, a, _, _, t in g.tolist()}
    expected = {
        (float(x), float(y), float(a), float(t))
        for x, y, a, t in zip(m["x"], m["y"], m["angle"], m["type"], strict=True)
    }
    assert rows == expected
    np.testing.assert_allclose(g[:, 3], np.cos(g[:, 2]), atol=1e-6)
    np.testing.assert_allclose(g[:, 4], np.sin(g[:, 2]), atol=1e-6)


def test_prepared_arrays_are_read_only(finger_templates: dict) -> None:
    p = prepare(finger_templates[(0, 1)])
    assert not p.cylinders.flags.writeable and not p.geometry.flags.writeable
    with pytest.raises(ValueError):
        p.cylinders[0, 0, 0] = 0
    with pytest.raises(ValueError):
        p.geometry[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.order_key = b""  # type: ignore[misc]


def test_prepare_is_deterministic(finger_templates: dict) -> None:
    a = prepare(finger_templates[(2, 0)])
    b = prepare(finger_templates[(2, 0)])
    np.testing.assert_array_equal(a.cylinders, b.cylinders)
    np.testing.assert_array_equal(a.geometry, b.geometry)
    assert a.order_key == b.order_key
    assert prepare(finger_templates[(2, 1)]).order_key != a.order_key


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_templates_prepare_without_cylinders(n: int) -> None:
    rng = np.random.default_rng(n)
    p = prepare(random_template(rng, n))
    assert p.minutia_count == n and p.cylinder_count == 0
    assert p.geometry.shape == (n, GEOMETRY_COLUMNS)


def test_isolated_minutia_has_no_cylinder() -> None:
    """A cylinder needs min_neighbour_minutiae others within R + 3 σ_S."""
    rng = np.random.default_rng(1)
    cluster = random_template(rng, 30, width=200, height=200)
    m = cluster.minutiae
    far = Template.from_arrays(
        np.append(m["x"], 900.0),
        np.append(m["y"], 900.0),
        np.append(m["angle"], 1.0),
        width=1000,
        height=1000,
    )
    p = prepare(far)
    assert p.minutia_count == 31
    assert p.cylinder_count == prepare(cluster).cylinder_count
    # the valid cylinders come first; the loner is among the rest
    assert (900.0, 900.0) in {(float(x), float(y)) for x, y in p.geometry[p.cylinder_count :, :2]}


def test_rescaling_to_500_ppi() -> None:
    """Coordinates are brought to the parameters' resolution before anything else."""
    rng = np.random.default_rng(2)
    t500 = random_template(rng, 40)
    p500 = prepare(t500)
    for ppi in (250, 1000):
        p = prepare(rescaled(t500, ppi))
        np.testing.assert_allclose(p.geometry, p500.geometry, atol=1e-3)
    p1000 = prepare(rescaled(t500, 1000))  # exact: scale factors are powers of two
    np.testing.assert_array_equal(p1000.cylinders, p500.cylinders)


def test_cylinders_are_nearly_invariant_to_rigid_motion() -> None:
    """MCC describes each minutia's neighbourhood in its own frame."""
    rng = np.random.default_rng(3)
    t = random_template(rng, 45)
    moved = rigid_motion(t, rotation_rad=0.7, dx=31.0, dy=-17.0)
    a, b = prepare(t), prepare(moved)
    assert a.cylinder_count == b.cylinder_count == 45  # order is kept: all valid
    differ = np.unpackbits((a.cylinders ^ b.cylinders).view(np.uint8)).sum()
    total = np.unpackbits(a.cylinders[:, 1].view(np.uint8)).sum()
    assert differ < 0.01 * total


def test_cylinders_depend_on_the_neighbours() -> None:
    rng = np.random.default_rng(4)
    a = random_template(rng, 40)
    b = random_template(rng, 40)
    pa, pb = prepare(a), prepare(b)
    values_a = np.unpackbits(pa.cylinders[:, 0].view(np.uint8))
    values_b = np.unpackbits(pb.cylinders[:, 0].view(np.uint8))
    assert values_a.any() and values_b.any()
    assert not np.array_equal(values_a, values_b)


# --- the convex hull ------------------------------------------------------------------


def cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.just(2)),
        elements=st.integers(-50, 50).map(float),
    )
)
def test_convex_hull(points: np.ndarray) -> None:
    hull = _convex_hull(points)
    unique = np.unique(points, axis=0)
    if unique.shape[0] <= 2:
        np.testing.assert_array_equal(hull, unique)
        return
    # vertices are input points, listed counter-clockwise (y up), strictly convex
    assert {tuple(v) for v in hull} <= {tuple(p) for p in unique}
    h = hull.shape[0]
    if h >= 3:
        for i in range(h):
            assert cross(hull[i], hull[(i + 1) % h], hull[(i + 2) % h]) > 0
    # every point is inside or on it
    for p in unique:
        for i in range(h):
            assert cross(hull[i], hull[(i + 1) % h], p) >= -1e-9


@njit(cache=False)
def _every_cell_against_every_neighbour(
    x: np.ndarray,
    y: np.ndarray,
    angle: np.ndarray,
    hull: np.ndarray,
    offsets: np.ndarray,
    directions: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
    mu_psi: float,
    reach: float,
    margin: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The cylinders' sums and cell validity as the paper defines them, by
    testing every cell of every minutia against every other minutia, in
    minutia order (``(N, C, D)`` sums, ``(N, C)`` validity; the neighbour and
    minimum-count rules are left to the caller)."""
    n, cells = x.shape[0], offsets.shape[0]
    sums = np.zeros((n, cells, directions))
    usable = np.zeros((n, cells), dtype=np.bool_)
    delta_d = 2 * math.pi / directions
    for m in range(n):
        c, s = math.cos(angle[m]), math.sin(angle[m])
        for ci in range(cells):
            u, v = offsets[ci, 0], offsets[ci, 1]
            px, py = x[m] + c * u + s * v, y[m] - s * u + c * v
            if _hull_distance(px, -py, hull) > margin:
                continue
            usable[m, ci] = True
            for t in range(n):
                if t == m or (x[t] - x[m]) ** 2 + (y[t] - y[m]) ** 2 > (radius + reach) ** 2:
                    continue
                d2 = (x[t] - px) ** 2 + (y[t] - py) ** 2
                if d2 > reach * reach:
                    continue
                gs = 1.0 / (sigma_s * math.sqrt(2 * math.pi)) * math.exp(-0.5 / sigma_s**2 * d2)
                dtheta = _wrap_angle(angle[m] - angle[t])
                for k in range(directions):
                    alpha = _wrap_angle(-math.pi + (k + 0.5) * delta_d - dtheta)
                    g = 1.0 / (sigma_d * math.sqrt(2.0))
                    gd = 0.5 * (
                        math.erf((alpha + 0.5 * delta_d) * g)
                        - math.erf((alpha - 0.5 * delta_d) * g)
                    )
                    sums[m, ci, k] += gs * gd
    return sums, usable


@pytest.mark.parametrize("seed", range(6))
def test_cylinder_cells_are_those_of_every_cell_against_every_neighbour(seed: int) -> None:
    """The kernel visits only the cells near each neighbour; its bits must
    be those of the plain definition (up to sums within rounding of the
    threshold, which a different order of operations may put either side)."""
    p = DEFAULT_PARAMETERS
    rng = np.random.default_rng(seed)
    template = random_template(rng, 10 + 8 * seed)
    m = template.minutiae
    x, y = m["x"].astype(np.float64), m["y"].astype(np.float64)
    angle = m["angle"].astype(np.float64)
    *_, hull, cells, valid = build_cells(template, p)
    offsets = cell_offsets(p)
    sums, usable = _every_cell_against_every_neighbour(
        x, y, angle, hull, offsets, p.direction_cells, p.cylinder_radius_px,
        p.spatial_sigma_px, p.direction_sigma_rad, p.contribution_threshold,
        p.neighbourhood_sigmas * p.spatial_sigma_px, p.hull_margin_px,
    )  # fmt: skip
    bits = np.unpackbits(cells.view(np.uint8), axis=2, bitorder="little")
    n_bits = offsets.shape[0] * p.direction_cells
    value = bits[:, 0, :n_bits].reshape(len(m), -1, p.direction_cells).astype(bool)
    validity = bits[:, 1, :n_bits].reshape(len(m), -1, p.direction_cells).astype(bool)
    built = validity.any(axis=2)  # minutiae with too few neighbours have no bits at all
    assert built.any()
    for i in np.flatnonzero(built.any(axis=1)):
        np.testing.assert_array_equal(built[i], usable[i])
        clear = np.abs(sums[i] - p.contribution_threshold) > 1e-12
        np.testing.assert_array_equal(
            value[i][clear & usable[i][:, None]],
            (sums[i] >= p.contribution_threshold)[clear & usable[i][:, None]],
        )
    assert valid.sum() <= built.any(axis=1).sum()
