"""Compiled kernels of the matcher (Numba, cached on disk, compiled on first use).

Nothing here validates its input: :mod:`.cylinders` and :mod:`.comparison`
hand over arrays of the documented shapes and dtypes.

Angles follow :mod:`interop.fingerprints.template` (counter-clockwise as seen
on the image, y down), which is also the paper's convention: the direction of
the vector from ``m1`` to ``m2`` is ``atan2(y1 - y2, x2 - x1)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Columns of the per-minutia geometry array of a prepared template.
COL_X = 0
COL_Y = 1
COL_ANGLE = 2
COL_COS = 3
COL_SIN = 4
COL_TYPE = 5
GEOMETRY_COLUMNS = 6

# Slots of the float64 configuration vector handed to the comparison kernel.
CFG_COS_MAX_DIRECTION_DIFFERENCE = 0
CFG_MIN_MATCHABLE_BITS = 1
CFG_MIN_PAIRED = 2
CFG_MAX_PAIRED = 3
CFG_PAIRED_MU = 4
CFG_PAIRED_TAU = 5
CFG_RELAXATION_ITERATIONS = 6
CFG_RELAXATION_WEIGHT = 7
CFG_RHO_DISTANCE_MU = 8
CFG_RHO_DISTANCE_TAU = 9
CFG_RHO_DIRECTION_MU = 10
CFG_RHO_DIRECTION_TAU = 11
CFG_RHO_RADIAL_MU = 12
CFG_RHO_RADIAL_TAU = 13
CFG_CONSOLIDATION_ANCHORS = 14
CFG_MATE_DISTANCE = 15
CFG_MATE_ANGLE = 16
CFG_CONSOLIDATION_WEIGHT = 17
CFG_OVERLAP_DISTANCE = 18
CFG_MIN_OVERLAP_MINUTIAE = 19
CONFIG_SIZE = 20

_TWO_PI = 2.0 * math.pi
# A sigmoid Z(v; μ, τ) = 1 / (1 + exp(-τ (v - μ))) with τ (v - μ) below this
# is under 1e-3: the relaxation treats such a compatibility as exactly 0. (It
# weighs a pair's neighbours by the product of three such factors; skipping
# the ones below 1e-3 leaves FVC2002 scores unchanged and avoids most of the
# exponentials.)
_NEGLIGIBLE_EXPONENT = -7.0
# Two anchors whose rigid motions differ by less than this rotation (cosine)
# and translation (px) give the same pairing: the second is not tried.
_SAME_MOTION_COS = math.cos(0.1)
_SAME_MOTION_PX = 6.0


@intrinsic
def _popcount(typingctx: Any, value: Any) -> Any:
    """Population count of a uint64 (LLVM ``ctpop``: one instruction on x86-64)."""
    sig = types.uint64(types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, fnty, "llvm.ctpop.i64"
        )
        return builder.call(fn, [args[0]])

    return sig, codegen


@njit(cache=True, nogil=True, inline="always")
def _wrap_angle(a: float) -> float:
    """``a`` wrapped to ``[-π, π)`` (the paper's d_φ).

    By adding or subtracting 2π: the angles met here lie within a few turns
    of the range, and a floating-point modulo costs several times more.
    """
    while a >= math.pi:
        a -= _TWO_PI
    while a < -math.pi:
        a += _TWO_PI
    return a


@njit(cache=True, nogil=True, inline="always")
def _sigmoid(v: float, mu: float, tau: float) -> float:
    """Z(v; μ, τ) of the paper, 0 where it is negligible."""
    e = -tau * (v - mu)
    if -e < _NEGLIGIBLE_EXPONENT:
        return 0.0
    return 1.0 / (1.0 + math.exp(e))


@njit(cache=True, nogil=True)
def _hull_distance(px: float, py: float, hull: npt.NDArray[np.float64]) -> float:
    """Distance from ``(px, py)`` to a convex polygon (0 inside it).

    ``hull`` is ``(H, 2)``, counter-clockwise in a y-up frame (so clockwise on
    the image); ``H`` may be 1 (a point) or 2 (a segment).
    """
    h = hull.shape[0]
    inside = h >= 3
    best = np.inf
    for e in range(h if h > 1 else 1):
        ax = hull[e, 0]
        ay = hull[e, 1]
        f = (e + 1) % h
        bx = hull[f, 0]
        by = hull[f, 1]
        ex = bx - ax
        ey = by - ay
        wx = px - ax
        wy = py - ay
        if ex * wy - ey * wx < 0.0:
            inside = False
        ll = ex * ex + ey * ey
        t = 0.0
        if ll > 0.0:
            t = min(1.0, max(0.0, (wx * ex + wy * ey) / ll))
        dx = wx - t * ex
        dy = wy - t * ey
        best = min(best, dx * dx + dy * dy)
    if inside:
        return 0.0
    return math.sqrt(best)


@njit(cache=True, nogil=True, inline="always")
def _beyond_hull_margin(
    px: float,
    py: float,
    hull: npt.NDArray[np.float64],
    inv_len: npt.NDArray[np.float64],
    margin: float,
) -> bool:
    """Whether ``(px, py)`` lies farther than ``margin`` from the convex ``hull``.

    Decides exactly as ``_hull_distance(px, py, hull) > margin``, faster: a
    point inside every edge is in (distance 0); one farther than
    ``margin`` (plus a rounding allowance) beyond some edge's line is out,
    since a convex polygon lies wholly on the inner side of each edge's
    line; only points in the band between need the distance to the edges.
    """
    h = hull.shape[0]
    if h < 3:
        return _hull_distance(px, py, hull) > margin
    inside = True
    beyond = 0.0
    for e in range(h):
        f = e + 1 if e + 1 < h else 0
        ex = hull[f, 0] - hull[e, 0]
        ey = hull[f, 1] - hull[e, 1]
        cross = ex * (py - hull[e, 1]) - ey * (px - hull[e, 0])
        if cross < 0.0:
            inside = False
            beyond = max(beyond, -cross * inv_len[e])
    if inside:
        return False
    if beyond > margin + 1e-6:
        return True
    return _hull_distance(px, py, hull) > margin


@njit(cache=True, nogil=True)
def convex_hull(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Counter-clockwise convex hull (Andrew's monotone chain) of ``(M, 2)`` points.

    Duplicate points are dropped; 1 or 2 distinct points are returned as they
    are (sorted by x, then y); collinear points on the hull are left out.
    """
    m = points.shape[0]
    # lexicographic order (x, then y): a stable sort by x of a sort by y
    by_y = np.argsort(points[:, 1], kind="mergesort")
    order = by_y[np.argsort(points[by_y, 0], kind="mergesort")]
    pts = np.empty((m, 2), dtype=np.float64)
    n = 0
    for i in order:
        if n == 0 or points[i, 0] != pts[n - 1, 0] or points[i, 1] != pts[n - 1, 1]:
            pts[n, 0] = points[i, 0]
            pts[n, 1] = points[i, 1]
            n += 1
    if n <= 2:
        return pts[:n].copy()
    hull = np.empty((2 * n, 2), dtype=np.float64)
    h = 0
    for sweep in range(2):  # lower chain left to right, then upper right to left
        start = h
        for j in range(n):
            i = j if sweep == 0 else n - 1 - j
            px, py = pts[i, 0], pts[i, 1]
            while h - start >= 2:
                ox, oy = hull[h - 2, 0], hull[h - 2, 1]
                ax, ay = hull[h - 1, 0], hull[h - 1, 1]
                if (ax - ox) * (py - oy) - (ay - oy) * (px - ox) > 0:
                    break
                h -= 1
            hull[h, 0] = px
            hull[h, 1] = py
            h += 1
        h -= 1  # each chain's last point starts the other chain
    return hull[:h].copy()


@njit(cache=True, nogil=True)
def build_cylinders(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    angle: npt.NDArray[np.float64],
    hull: npt.NDArray[np.float64],
    cell_offsets: npt.NDArray[np.float64],
    cells_per_side: int,
    direction_cells: int,
    words: int,
    radius: float,
    sigma_s: float,
    sigma_d: float,
    mu_psi: float,
    neighbourhood: float,
    hull_margin: float,
    min_valid_cells: int,
    min_neighbours: int,
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """Bit-based cylinders of all minutiae (paper Section 3, Ψ = step at μ_Ψ).

    ``cell_offsets`` is ``(C, 2)``: the centres, relative to the minutia in
    its own frame (along, across its direction), of the C cells of the
    ``cells_per_side`` x ``cells_per_side`` base (cell side ``2 radius /
    cells_per_side``) lying within R, in row-major order of the base.
    ``hull`` is in the y-up frame ``(x, -y)``. Returns
    ``cells`` ``(N, 2, words)`` (row 0 the value bits, row 1 the validity
    bits; bit ``c * direction_cells + k`` is cell c, direction k) and the
    ``(N,)`` cylinder validity flags.

    Each cell's contributions are summed over the neighbours in their
    order, but a neighbour visits only the cells of the base within its
    reach (``neighbourhood``) of it, plus a slack of a thousandth of a
    pixel, not all C: the others are beyond that reach, where the cell's
    own distance test would refuse it anyway. The sums, and so the bits,
    are those of testing every cell against every neighbour.
    """
    n = x.shape[0]
    n_cells = cell_offsets.shape[0]
    cells = np.zeros((n, 2, words), dtype=np.uint64)
    valid = np.zeros(n, dtype=np.bool_)
    delta_d = _TWO_PI / direction_cells
    gs_norm = 1.0 / (sigma_s * math.sqrt(_TWO_PI))
    gs_exp = -0.5 / (sigma_s * sigma_s)
    gd_scale = 1.0 / (sigma_d * math.sqrt(2.0))
    reach2 = neighbourhood * neighbourhood
    around = radius + neighbourhood
    # the base's cells by (row along, column across); -1 outside the disc
    side = cells_per_side
    delta_s = 2.0 * radius / side
    centre = (side - 1) / 2.0
    grid = np.full((side, side), -1, dtype=np.int64)
    for ci in range(n_cells):
        grid[
            round(cell_offsets[ci, 0] / delta_s + centre),
            round(cell_offsets[ci, 1] / delta_s + centre),
        ] = ci
    window = (neighbourhood + 1e-3) / delta_s  # in cells, either side
    neighbours = np.empty(n, dtype=np.int64)
    # the directional term of a neighbour is the same in every cell: computed
    # once per (minutia, neighbour), when a cell first takes its contribution
    directional = np.empty((n, direction_cells), dtype=np.float64)
    known = np.zeros(n, dtype=np.bool_)
    sums = np.empty((n_cells, direction_cells), dtype=np.float64)
    px = np.empty(n_cells, dtype=np.float64)
    py = np.empty(n_cells, dtype=np.float64)
    usable = np.empty(n_cells, dtype=np.bool_)
    one = np.uint64(1)
    h = hull.shape[0]
    inv_len = np.zeros(h, dtype=np.float64)
    for e in range(h):
        f = e + 1 if e + 1 < h else 0
        length = math.sqrt((hull[f, 0] - hull[e, 0]) ** 2 + (hull[f, 1] - hull[e, 1]) ** 2)
        inv_len[e] = 1.0 / length if length > 0.0 else 0.0
    for m in range(n):
        xm = x[m]
        ym = y[m]
        # Neighbours that can reach some cell: within R + 3σ_S (this is also
        # the paper's min_M neighbourhood).
        nn = 0
        for t in range(n):
            if t != m and (x[t] - xm) ** 2 + (y[t] - ym) ** 2 <= around * around:
                neighbours[nn] = t
                nn += 1
        if nn < min_neighbours:
            continue
        c = math.cos(angle[m])
        s = math.sin(angle[m])
        # A disc around the minutia, grown by the margin, is within the
        # margin of the hull: cells that close are valid without the edge
        # tests. (The minutia is inside its convex hull; its distance to the
        # boundary is its least distance to an edge's line.)
        sure = -1.0
        if h >= 3:
            depth = np.inf
            for e in range(h):
                f = e + 1 if e + 1 < h else 0
                ex = hull[f, 0] - hull[e, 0]
                ey = hull[f, 1] - hull[e, 1]
                cross = ex * (-ym - hull[e, 1]) - ey * (xm - hull[e, 0])
                depth = min(depth, cross * inv_len[e])
            sure = max(depth, 0.0) + hull_margin - 1e-6
        n_valid = 0
        for ci in range(n_cells):
            u = cell_offsets[ci, 0]
            v = cell_offsets[ci, 1]
            # Image frame (y down): along the direction (cos a, -sin a), across (sin a, cos a).
            px[ci] = xm + c * u + s * v
            py[ci] = ym - s * u + c * v
            usable[ci] = not (
                (sure < 0.0 or u * u + v * v > sure * sure)
                and _beyond_hull_margin(px[ci], -py[ci], hull, inv_len, hull_margin)
            )
            if usable[ci]:
                n_valid += 1
                for k in range(direction_cells):
                    sums[ci, k] = 0.0
        for q in range(nn):
            t = neighbours[q]
            known[q] = False
            # the neighbour in the minutia's frame, in cells of the base
            dx = x[t] - xm
            dy = y[t] - ym
            at_u = (c * dx - s * dy) / delta_s + centre
            at_v = (s * dx + c * dy) / delta_s + centre
            for i in range(
                max(0, math.ceil(at_u - window)), min(side - 1, math.floor(at_u + window)) + 1
            ):
                for j in range(
                    max(0, math.ceil(at_v - window)), min(side - 1, math.floor(at_v + window)) + 1
                ):
                    ci = grid[i, j]
                    if ci < 0 or not usable[ci]:
                        continue
                    d2 = (x[t] - px[ci]) ** 2 + (y[t] - py[ci]) ** 2
                    if d2 > reach2:
                        continue
                    if not known[q]:
                        known[q] = True
                        dtheta = _wrap_angle(angle[m] - angle[t])
                        for k in range(direction_cells):
                            phi_k = -math.pi + (k + 0.5) * delta_d
                            alpha = _wrap_angle(phi_k - dtheta)
                            directional[q, k] = 0.5 * (
                                math.erf((alpha + 0.5 * delta_d) * gd_scale)
                                - math.erf((alpha - 0.5 * delta_d) * gd_scale)
                            )
                    gs = gs_norm * math.exp(gs_exp * d2)
                    for k in range(direction_cells):
                        sums[ci, k] += gs * directional[q, k]
        for ci in range(n_cells):
            if not usable[ci]:
                continue
            for k in range(direction_cells):
                b = ci * direction_cells + k
                bit = one << np.uint64(b & 63)
                cells[m, 1, b >> 6] |= bit
                if sums[ci, k] >= mu_psi:
                    cells[m, 0, b >> 6] |= bit
        if n_valid >= min_valid_cells:
            valid[m] = True
    return cells, valid


@njit(cache=True, nogil=True)
def radial_angles(geom: npt.NDArray[np.float32], n: int) -> npt.NDArray[np.float32]:
    """``(n, n)`` d_R(m_i, m_j): the angle from m_i's direction to the segment m_i → m_j."""
    out = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(n):
            if i != j:
                out[i, j] = _wrap_angle(
                    geom[i, COL_ANGLE]
                    - math.atan2(geom[i, COL_Y] - geom[j, COL_Y], geom[j, COL_X] - geom[i, COL_X])
                )
    return out


@njit(cache=True, nogil=True, inline="always")
def _align(
    geom_a: npt.NDArray[np.float32],
    i: int,
    geom_b: npt.NDArray[np.float32],
    j: int,
) -> tuple[float, float, float, float]:
    """Rigid motion taking B's minutia j onto A's minutia i: (cos, sin, tx, ty).

    A point (x, y) of B maps to ``(c x + s y + tx, -s x + c y + ty)``: a
    rotation counter-clockwise as seen (y down) by the difference of the
    two directions, then a translation.
    """
    rot = geom_a[i, COL_ANGLE] - geom_b[j, COL_ANGLE]
    c = math.cos(rot)
    s = math.sin(rot)
    tx = geom_a[i, COL_X] - (c * geom_b[j, COL_X] + s * geom_b[j, COL_Y])
    ty = geom_a[i, COL_Y] - (-s * geom_b[j, COL_X] + c * geom_b[j, COL_Y])
    return c, s, tx, ty


@njit(cache=True, nogil=True)
def _mated_minutiae(
    geom_a: npt.NDArray[np.float32],
    hull_a: npt.NDArray[np.float64],
    count_a: int,
    geom_b: npt.NDArray[np.float32],
    hull_b: npt.NDArray[np.float64],
    count_b: int,
    ra: npt.NDArray[np.int64],
    rb: npt.NDArray[np.int64],
    lam: npt.NDArray[np.float64],
    anchors: int,
    max_distance: float,
    cos_max_angle: float,
    overlap_px: float,
) -> tuple[int, int, int]:
    """Most minutiae paired one-to-one under the rigid alignment of an anchor.

    Each of the ``anchors`` pairs of highest relaxed similarity ``lam``
    defines a rotation (the difference of the two minutiae's directions)
    and translation taking template B onto A (anchors giving nearly the
    same motion as an earlier one are skipped). B's minutiae are then
    paired one-to-one with A's that lie within ``max_distance`` px and whose
    directions differ by less than ``acos(cos_max_angle)``, closest pairs
    first. This is the
    global consolidation that local (cylinder) similarity lacks: on noisy
    templates many locally similar pairs disagree about the alignment.

    Returns the most pairs ``m`` and, under that anchor's motion, how many
    minutiae of A and of B lie within ``overlap_px`` of one of the other's.
    """
    n_r = lam.shape[0]
    # A's minutiae by increasing x: the search for a mate scans a strip
    order = np.argsort(geom_a[:count_a, COL_X])
    xs = np.empty(count_a, dtype=np.float64)
    for p in range(count_a):
        xs[p] = geom_a[order[p], COL_X]
    used = np.zeros(n_r, dtype=np.bool_)
    taken = np.zeros(count_a, dtype=np.bool_)
    taken_b = np.zeros(count_b, dtype=np.bool_)
    cand_d2 = np.empty(count_a * count_b, dtype=np.float64)
    cand_a = np.empty(count_a * count_b, dtype=np.int64)
    cand_b = np.empty(count_a * count_b, dtype=np.int64)
    by_d2 = np.empty(count_a * count_b, dtype=np.int64)
    tried = np.empty((min(anchors, n_r), 4), dtype=np.float64)
    n_tried = 0
    best = 0
    best_motion = (1.0, 0.0, 0.0, 0.0)
    d2max = max_distance * max_distance
    for _ in range(min(anchors, n_r)):
        t = -1
        for q in range(n_r):
            if not used[q] and (t < 0 or lam[q] > lam[t]):
                t = q
        used[t] = True
        i = ra[t]
        j = rb[t]
        c, s, tx, ty = _align(geom_a, i, geom_b, j)
        # An anchor that an earlier motion already maps onto its partner
        # (nearly the same rotation and position) would pair the same
        # minutiae: skip it. The test is relative, so moving either
        # template rigidly does not change which anchors are tried.
        repeat = False
        for q in range(n_tried):
            cq = tried[q, 0]
            sq = tried[q, 1]
            ex = cq * geom_b[j, COL_X] + sq * geom_b[j, COL_Y] + tried[q, 2] - geom_a[i, COL_X]
            ey = -sq * geom_b[j, COL_X] + cq * geom_b[j, COL_Y] + tried[q, 3] - geom_a[i, COL_Y]
            if (
                c * cq + s * sq > _SAME_MOTION_COS
                and ex * ex + ey * ey < _SAME_MOTION_PX * _SAME_MOTION_PX
            ):
                repeat = True
                break
        if repeat:
            continue
        tried[n_tried, 0] = c
        tried[n_tried, 1] = s
        tried[n_tried, 2] = tx
        tried[n_tried, 3] = ty
        n_tried += 1
        # candidate pairs within tolerance, then paired closest first: the
        # result depends neither on the minutiae's order nor on the motion
        n_cand = 0
        for jb in range(count_b):
            x = c * geom_b[jb, COL_X] + s * geom_b[jb, COL_Y] + tx
            y = -s * geom_b[jb, COL_X] + c * geom_b[jb, COL_Y] + ty
            # direction of jb after the rotation
            cb = geom_b[jb, COL_COS] * c - geom_b[jb, COL_SIN] * s
            sb = geom_b[jb, COL_SIN] * c + geom_b[jb, COL_COS] * s
            p = np.searchsorted(xs, x - max_distance)
            while p < count_a and xs[p] <= x + max_distance:
                ia = order[p]
                ex = xs[p] - x
                p += 1
                ey = geom_a[ia, COL_Y] - y
                d2 = ex * ex + ey * ey
                if (
                    d2 <= d2max
                    and geom_a[ia, COL_COS] * cb + geom_a[ia, COL_SIN] * sb >= cos_max_angle
                ):
                    cand_d2[n_cand] = d2
                    cand_a[n_cand] = ia
                    cand_b[n_cand] = jb
                    n_cand += 1
        taken[:] = False
        taken_b[:] = False
        mated = 0
        # closest first: insertion sort of the (few) candidates, stable
        for q in range(n_cand):
            by_d2[q] = q
            r = q
            while r > 0 and cand_d2[by_d2[r - 1]] > cand_d2[by_d2[r]]:
                by_d2[r - 1], by_d2[r] = by_d2[r], by_d2[r - 1]
                r -= 1
        for r in range(n_cand):
            q = by_d2[r]
            if not taken[cand_a[q]] and not taken_b[cand_b[q]]:
                taken[cand_a[q]] = True
                taken_b[cand_b[q]] = True
                mated += 1
        if mated > best:
            best = mated
            best_motion = (c, s, tx, ty)
    if best == 0:
        return 0, count_a, count_b
    # Overlap under the best motion: the minutiae of each template within
    # ``overlap_px`` of the other's convex hull (A's minutiae are taken into
    # B's frame by the inverse motion; hulls are in the y-up frame).
    c, s, tx, ty = best_motion
    in_a = 0
    for ia in range(count_a):
        ux = geom_a[ia, COL_X] - tx
        uy = geom_a[ia, COL_Y] - ty
        x = c * ux - s * uy
        y = s * ux + c * uy
        if _hull_distance(x, -y, hull_b) <= overlap_px:
            in_a += 1
    in_b = 0
    for jb in range(count_b):
        x = c * geom_b[jb, COL_X] + s * geom_b[jb, COL_Y] + tx
        y = -s * geom_b[jb, COL_X] + c * geom_b[jb, COL_Y] + ty
        if _hull_distance(x, -y, hull_a) <= overlap_px:
            in_b += 1
    return best, in_a, in_b


@njit(cache=True, nogil=True)
def cylinder_keys(cells: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """A 64-bit FNV-1a-style digest of each ``(2, W)`` cylinder of ``cells``."""
    n = cells.shape[0]
    keys = np.empty(n, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    for m in range(n):
        h = np.uint64(0xCBF29CE484222325)
        for r in range(2):
            for w in range(cells.shape[2]):
                h = (h ^ cells[m, r, w]) * prime
        keys[m] = h
    return keys


@njit(cache=True, nogil=True, inline="always")
def _ranks_before(
    s: float, ka: np.uint64, kb: np.uint64, t: float, la: np.uint64, lb: np.uint64
) -> bool:
    """Whether pair (s, ka, kb) ranks before (t, la, lb): higher similarity, then smaller keys."""
    if s != t:
        return bool(s > t)
    if ka != la:
        return bool(ka < la)
    return bool(kb < lb)


@njit(cache=True, nogil=True)
def lss_r_score(
    cells_a: npt.NDArray[np.uint64],
    geom_a: npt.NDArray[np.float32],
    dist_a: npt.NDArray[np.float32],
    radial_a: npt.NDArray[np.float32],
    hull_a: npt.NDArray[np.float64],
    keys_a: npt.NDArray[np.uint64],
    count_a: int,
    cells_b: npt.NDArray[np.uint64],
    geom_b: npt.NDArray[np.float32],
    dist_b: npt.NDArray[np.float32],
    radial_b: npt.NDArray[np.float32],
    hull_b: npt.NDArray[np.float64],
    keys_b: npt.NDArray[np.uint64],
    count_b: int,
    cfg: npt.NDArray[np.float64],
) -> float:
    """Raw MCC similarity in [0, 1] of two prepared templates by LSS-R.

    ``cells_*`` are ``(n, 2, W)`` (valid cylinders only), ``geom_*`` the
    ``(N, 6)`` geometry whose first ``n`` rows belong to those cylinders,
    ``dist_*`` the ``(n, n)`` distances between those first ``n`` minutiae,
    ``radial_*`` their ``(n, n)`` radial angles d_R (see :func:`radial_angles`),
    ``hull_*`` the convex hulls of all minutiae (y-up frame, see :func:`_hull_distance`),
    ``count_*`` the numbers of minutiae of the templates (n_A, n_B).
    """
    na = cells_a.shape[0]
    nb = cells_b.shape[0]
    if na == 0 or nb == 0:
        return 0.0
    words = cells_a.shape[2]
    cos_max = cfg[CFG_COS_MAX_DIRECTION_DIFFERENCE]
    min_common = cfg[CFG_MIN_MATCHABLE_BITS]

    # --- n_P (paper eq. 23) and n_R = min(n_A, n_B) ------------------------
    n_min = min(count_a, count_b)
    lo = cfg[CFG_MIN_PAIRED]
    hi = cfg[CFG_MAX_PAIRED]
    z = 1.0 / (1.0 + math.exp(-cfg[CFG_PAIRED_TAU] * (n_min - cfg[CFG_PAIRED_MU])))
    n_p = int(lo + np.round(z * (hi - lo)))
    n_r = min(n_min, na * nb)

    # --- Local similarities (paper eq. 16, bit version), then the n_R best
    # (LSS) by a partial sort. Equal similarities are common (they are
    # ratios of bit counts): ties are broken by the cylinders' keys, which
    # depend on the cylinders' content only, not on the minutiae's order.
    all_s = np.empty(na * nb, dtype=np.float64)
    all_i = np.empty(na * nb, dtype=np.int64)
    all_j = np.empty(na * nb, dtype=np.int64)
    m = 0
    for i in range(na):
        # (cells indexed in place: taking views in this loop costs a
        # reference count per pair, more than the bit counting itself)
        cai = geom_a[i, COL_COS]
        sai = geom_a[i, COL_SIN]
        for j in range(nb):
            if cai * geom_b[j, COL_COS] + sai * geom_b[j, COL_SIN] < cos_max:
                continue
            common = 0
            ones_a = 0
            ones_b = 0
            differ = 0
            for w in range(words):
                valid_a = cells_a[i, 1, w]
                valid_b = cells_b[j, 1, w]
                both = valid_a & valid_b
                # value bits are 0 outside a cylinder's own valid cells, so
                # masking with the other's validity restricts to `both`
                va = cells_a[i, 0, w] & valid_b
                vb = cells_b[j, 0, w] & valid_a
                common += _popcount(both)  # type: ignore[call-arg]
                ones_a += _popcount(va)
                ones_b += _popcount(vb)
                differ += _popcount(va ^ vb)
            if common < min_common or ones_a + ones_b == 0:
                continue
            s = 1.0 - math.sqrt(differ) / (math.sqrt(ones_a) + math.sqrt(ones_b))
            if s <= 0.0:
                continue
            all_s[m] = s
            all_i[m] = i
            all_j[m] = j
            m += 1
    if m == 0:
        return 0.0
    # the n_R best: all pairs above the n_R-th highest similarity, then as
    # many of those equal to it as there is room for, in key order
    n_r = min(n_r, m)
    lam = np.empty(n_r, dtype=np.float64)
    ra = np.empty(n_r, dtype=np.int64)
    rb = np.empty(n_r, dtype=np.int64)
    threshold = np.partition(all_s[:m], m - n_r)[m - n_r] if m > n_r else -1.0
    kept = 0
    for q in range(m):
        if all_s[q] > threshold:
            lam[kept] = all_s[q]
            ra[kept] = all_i[q]
            rb[kept] = all_j[q]
            kept += 1
    if kept < n_r:
        ties = np.flatnonzero(all_s[:m] == threshold)
        for t in range(ties.shape[0]):  # smallest keys first (insertion sort)
            u = t
            while u > 0 and _ranks_before(
                threshold,
                keys_a[all_i[ties[u]]],
                keys_b[all_j[ties[u]]],
                threshold,
                keys_a[all_i[ties[u - 1]]],
                keys_b[all_j[ties[u - 1]]],
            ):
                ties[u], ties[u - 1] = ties[u - 1], ties[u]
                u -= 1
        for t in range(n_r - kept):
            lam[kept] = threshold
            ra[kept] = all_i[ties[t]]
            rb[kept] = all_j[ties[t]]
            kept += 1
    # best first (a deterministic order for the steps below)
    for p in range(1, n_r):
        q = p
        while q > 0 and _ranks_before(
            lam[q], keys_a[ra[q]], keys_b[rb[q]], lam[q - 1], keys_a[ra[q - 1]], keys_b[rb[q - 1]]
        ):
            lam[q], lam[q - 1] = lam[q - 1], lam[q]
            ra[q], ra[q - 1] = ra[q - 1], ra[q]
            rb[q], rb[q - 1] = rb[q - 1], rb[q]
            q -= 1
    lam = lam[:n_r]
    lam0 = lam.copy()

    # --- Relaxation (paper eqs. 24-26) ------------------------------------
    if n_r > 1:
        mu1 = cfg[CFG_RHO_DISTANCE_MU]
        tau1 = cfg[CFG_RHO_DISTANCE_TAU]
        mu2 = cfg[CFG_RHO_DIRECTION_MU]
        tau2 = cfg[CFG_RHO_DIRECTION_TAU]
        mu3 = cfg[CFG_RHO_RADIAL_MU]
        tau3 = cfg[CFG_RHO_RADIAL_TAU]
        # ρ is sparse (most pairs of pairs are incompatible): kept by rows,
        # row t's entries at [row_start[t], row_start[t + 1])
        rho_value = np.empty(n_r * (n_r - 1), dtype=np.float64)
        rho_col = np.empty(n_r * (n_r - 1), dtype=np.int64)
        row_start = np.empty(n_r + 1, dtype=np.int64)
        nnz = 0
        for t in range(n_r):
            row_start[t] = nnz
            at = ra[t]
            bt = rb[t]
            for k in range(n_r):
                if k == t:
                    continue
                ak = ra[k]
                bk = rb[k]
                da = dist_a[at, ak]
                db = dist_b[bt, bk]
                z1 = _sigmoid(abs(da - db), mu1, tau1)
                if z1 == 0.0:
                    continue
                ta = _wrap_angle(geom_a[at, COL_ANGLE] - geom_a[ak, COL_ANGLE])
                tb = _wrap_angle(geom_b[bt, COL_ANGLE] - geom_b[bk, COL_ANGLE])
                z2 = _sigmoid(abs(_wrap_angle(ta - tb)), mu2, tau2)
                if z2 == 0.0:
                    continue
                d3 = abs(_wrap_angle(radial_a[at, ak] - radial_b[bt, bk]))
                z3 = _sigmoid(d3, mu3, tau3)
                if z3 == 0.0:
                    continue
                rho_value[nnz] = z1 * z2 * z3
                rho_col[nnz] = k
                nnz += 1
        row_start[n_r] = nnz
        w_r = cfg[CFG_RELAXATION_WEIGHT]
        spread = (1.0 - w_r) / (n_r - 1)
        nxt = np.empty(n_r, dtype=np.float64)
        for _ in range(int(cfg[CFG_RELAXATION_ITERATIONS])):
            for t in range(n_r):
                acc = 0.0
                for q in range(row_start[t], row_start[t + 1]):
                    acc += rho_value[q] * lam[rho_col[q]]
                nxt[t] = w_r * lam[t] + spread * acc
            lam, nxt = nxt, lam

    # --- The n_P most efficient pairs (paper eq. 27) ----------------------
    # Selection of n_P out of n_R <= 255 by repeated maximum: ties go to the
    # pair with the higher initial similarity.
    efficiency = lam / lam0
    total = 0.0
    for _ in range(min(n_p, n_r)):
        best = 0
        for t in range(1, n_r):
            if efficiency[t] > efficiency[best]:
                best = t
        total += lam[best]
        efficiency[best] = -1.0
    lss_r = total / n_p
    weight = cfg[CFG_CONSOLIDATION_WEIGHT]
    if weight <= 0.0:
        return lss_r
    mated, overlap_a, overlap_b = _mated_minutiae(
        geom_a,
        hull_a,
        count_a,
        geom_b,
        hull_b,
        count_b,
        ra,
        rb,
        lam,
        int(cfg[CFG_CONSOLIDATION_ANCHORS]),
        cfg[CFG_MATE_DISTANCE],
        math.cos(cfg[CFG_MATE_ANGLE]),
        cfg[CFG_OVERLAP_DISTANCE],
    )
    floor = float(cfg[CFG_MIN_OVERLAP_MINUTIAE])
    overlap = mated * mated / (max(float(overlap_a), floor) * max(float(overlap_b), floor))
    score: float = lss_r ** (1.0 - weight) * min(1.0, overlap) ** weight
    return score
