"""Minutia cylinders: the prepared (comparison-ready) form of a template.

Each minutia m gets a *cylinder*: the disc of radius R around it, in m's own
frame, cut into N_S x N_S spatial cells times N_D direction cells. A cell's
bit says whether other minutiae near the cell's centre have, relative to m,
the cell's direction (Cappelli, Ferrara, Maltoni 2010). Cells outside the
convex hull of the minutiae (grown by Ω) carry no information and are marked
invalid; cylinders with too few valid cells or neighbours are dropped.

Deviation from the paper, for compactness and speed: only the cells whose
centre lies within R are stored (the others are always invalid), so with
N_S = 12, N_D = 6 a cylinder is 112 x 6 = 672 bits, 11 uint64 words, plus
as many validity bits.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interop.fingerprints.matcher import _kernels as k
from interop.fingerprints.matcher.parameters import DEFAULT_PARAMETERS, MatcherParameters
from interop.fingerprints.template import Template


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A template turned into cylinders, ready for :func:`compare`.

    Immutable (its arrays are read-only); build it once per template with
    :func:`prepare` and compare it any number of times, from any thread.

    Attributes
    ----------
    cylinders : (n, 2, W) ndarray of uint64
        The n valid cylinders: ``[:, 0]`` value bits, ``[:, 1]`` validity
        bits, W words each (``W = ceil(C * N_D / 64)``, C the cells within R).
    geometry : (N, 6) ndarray of float32
        All N minutiae, the n with a valid cylinder first (same order as
        ``cylinders``), rest in template order; columns x px, y px (500 ppi,
        y down), angle rad (CCW as seen), cos(angle), sin(angle), type code.
    distances : (n, n) ndarray of float32
        Distances in px between the minutiae of the valid cylinders (the
        first n rows of ``geometry``), looked up by the relaxation.
    radial : (n, n) ndarray of float32
        Their radial angles, rad: ``radial[i, j]`` is the angle from minutia
        i's direction to the segment i → j (the paper's d_R).
    hull : (H, 2) ndarray of float64
        Convex hull of all minutiae, counter-clockwise in the y-up frame
        ``(x, -y)``; the overlap of two aligned templates is measured with it.
    keys : (n,) ndarray of uint64
        A digest of each cylinder, which breaks ties between equally similar
        cylinder pairs independently of the minutiae's order.
    parameters : MatcherParameters
        The parameters the cylinders were built with.
    """

    cylinders: npt.NDArray[np.uint64]
    geometry: npt.NDArray[np.float32]
    distances: npt.NDArray[np.float32]
    radial: npt.NDArray[np.float32]
    hull: npt.NDArray[np.float64]
    keys: npt.NDArray[np.uint64]
    parameters: MatcherParameters
    # 128-bit digest of the arrays: compare() puts the two templates in this
    # order, which makes it exactly symmetric.
    order_key: bytes

    @property
    def minutia_count(self) -> int:
        """N, the number of minutiae of the template."""
        return int(self.geometry.shape[0])

    @property
    def cylinder_count(self) -> int:
        """n, the number of valid cylinders."""
        return int(self.cylinders.shape[0])


@functools.lru_cache(maxsize=16)
def cell_offsets(params: MatcherParameters) -> npt.NDArray[np.float64]:
    """``(C, 2)`` centres (along, across the minutia direction) of the cells within R, px."""
    ns = params.spatial_cells_per_side
    delta_s = 2.0 * params.cylinder_radius_px / ns
    idx = (np.arange(ns, dtype=np.float64) - (ns - 1) / 2.0) * delta_s
    u, v = np.meshgrid(idx, idx, indexing="ij")
    inside = u**2 + v**2 <= params.cylinder_radius_px**2
    offsets = np.stack([u[inside], v[inside]], axis=1)
    return np.ascontiguousarray(offsets)


def words_per_cylinder(params: MatcherParameters) -> int:
    """W, the uint64 words of one cylinder's value (or validity) bits."""
    cells = int(cell_offsets(params).shape[0])
    return -(-cells * params.direction_cells // 64)


def _convex_hull(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Counter-clockwise convex hull (Andrew's monotone chain) of ``(M, 2)`` points."""
    hull: npt.NDArray[np.float64] = k.convex_hull(np.ascontiguousarray(points, dtype=np.float64))
    return hull


def build_cells(
    template: Template, params: MatcherParameters = DEFAULT_PARAMETERS
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.bool_],
]:
    """The cylinders of every minutia of ``template``, in template order.

    Returns
    -------
    x, y, angle : (N,) ndarrays of float64
        Minutiae rescaled to ``params.resolution_ppi`` (px, px, rad).
    hull : (H, 2) ndarray of float64
        Convex hull of the minutiae in the y-up frame ``(x, -y)``.
    cells : (N, 2, W) ndarray of uint64
        Value and validity bits of each minutia's cylinder.
    valid : (N,) ndarray of bool
        Whether each cylinder is valid (enough valid cells and neighbours).
    """
    m = template.minutiae
    scale = params.resolution_ppi / template.resolution_ppi if template.resolution_ppi > 0 else 1.0
    x = np.ascontiguousarray(m["x"], dtype=np.float64) * scale
    y = np.ascontiguousarray(m["y"], dtype=np.float64) * scale
    angle = np.ascontiguousarray(m["angle"], dtype=np.float64)
    offsets = cell_offsets(params)
    words = words_per_cylinder(params)
    if x.shape[0] == 0:
        return (
            x,
            y,
            angle,
            np.zeros((0, 2), dtype=np.float64),
            np.zeros((0, 2, words), dtype=np.uint64),
            np.zeros(0, dtype=np.bool_),
        )
    # The hull is taken in the y-up frame so that "counter-clockwise" has
    # its usual meaning for the inside test.
    hull = np.ascontiguousarray(_convex_hull(np.stack([x, -y], axis=1)))
    cells, valid = k.build_cylinders(
        x,
        y,
        angle,
        hull,
        offsets,
        params.spatial_cells_per_side,
        params.direction_cells,
        words,
        params.cylinder_radius_px,
        params.spatial_sigma_px,
        params.direction_sigma_rad,
        params.contribution_threshold,
        params.neighbourhood_sigmas * params.spatial_sigma_px,
        params.hull_margin_px,
        math.ceil(params.min_valid_cell_ratio * offsets.shape[0]),
        params.min_neighbour_minutiae,
    )
    return x, y, angle, hull, cells, valid


def prepare(template: Template, params: MatcherParameters = DEFAULT_PARAMETERS) -> PreparedTemplate:
    """Build the cylinders of ``template`` for comparison.

    Coordinates are rescaled from ``template.resolution_ppi`` to
    ``params.resolution_ppi``. Any number of minutiae is accepted; templates
    with fewer than three (or with no valid cylinder) prepare fine and
    compare with score 0.

    Parameters
    ----------
    template : Template
        Minutiae in the conventions of :mod:`interop.fingerprints.template`.
    params : MatcherParameters
        Cylinder and scoring parameters; both sides of a comparison must use
        equal parameters.

    Returns
    -------
    PreparedTemplate
    """
    return prepare_cells(template, build_cells(template, params), params)


Cells = tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.uint64],
    npt.NDArray[np.bool_],
]
"""What :func:`build_cells` returns: x, y, angle, hull, cells, valid."""


def prepare_cells(
    template: Template, built: Cells, params: MatcherParameters = DEFAULT_PARAMETERS
) -> PreparedTemplate:
    """:func:`prepare` from cylinders already built by :func:`build_cells`
    (for callers that also need them for something else)."""
    x, y, angle, hull, cells, valid = built
    n = x.shape[0]
    order = np.concatenate([np.flatnonzero(valid), np.flatnonzero(~valid)])
    geometry = np.empty((n, k.GEOMETRY_COLUMNS), dtype=np.float32)
    geometry[:, k.COL_X] = x[order]
    geometry[:, k.COL_Y] = y[order]
    geometry[:, k.COL_ANGLE] = angle[order]
    geometry[:, k.COL_COS] = np.cos(angle[order])
    geometry[:, k.COL_SIN] = np.sin(angle[order])
    geometry[:, k.COL_TYPE] = template.minutiae["type"][order]
    cylinders = np.ascontiguousarray(cells[valid])
    nv = cylinders.shape[0]
    xy = geometry[:nv, :2].astype(np.float64)
    distances = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)).astype(np.float32)
    radial = k.radial_angles(geometry, nv)
    keys = k.cylinder_keys(cylinders)
    for array in (cylinders, geometry, distances, radial, hull, keys):
        array.setflags(write=False)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(cylinders.tobytes())
    digest.update(geometry.tobytes())
    return PreparedTemplate(
        cylinders, geometry, distances, radial, hull, keys, params, digest.digest()
    )
