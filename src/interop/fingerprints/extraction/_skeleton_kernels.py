"""Compiled ridge-tracing kernels (Numba) behind :mod:`.minutiae`.

Tracing walks pixel by pixel along the one-pixel-wide skeleton; it is a
sequential, data-dependent loop that NumPy cannot vectorise, so it is
compiled. The public, validated entry points are in ``minutiae.py``.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

# the 8 neighbours in circular order: E, NE, N, NW, W, SW, S, SE (dy, dx)
NEIGHBOUR_DY = np.array([0, -1, -1, -1, 0, 1, 1, 1], dtype=np.int64)
NEIGHBOUR_DX = np.array([1, 1, 0, -1, -1, -1, 0, 1], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def trace_all(
    skeleton: npt.NDArray[np.uint8],
    node_id: npt.NDArray[np.int32],
    ys: npt.NDArray[np.int64],
    xs: npt.NDArray[np.int64],
    max_len: int,
    dir_len: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Trace up to 3 branches from every node.

    Parameters
    ----------
    skeleton : (H, W) uint8, 1 on ridge skeleton pixels.
    node_id : (H, W) int32, ``k + 1`` at node k's pixel, else 0.
    ys, xs : (N,) int64 node positions.
    max_len : longest walk, pixels (steps).
    dir_len : steps after which the direction point is taken.

    Returns
    -------
    reached : (N, 3) int64, index of the node a branch ran into, -1 if none
        (ridge end without node, junction, or ``max_len`` reached), -2 if the
        branch does not exist.
    length : (N, 3) int64, steps walked along each branch.
    vec : (N, 3, 2) float64, (dy, dx) from the node to the branch point
        ``dir_len`` steps along (or its last point).
    """
    h, w = skeleton.shape
    n = ys.shape[0]
    reached = np.full((n, 3), -2, dtype=np.int64)
    length = np.zeros((n, 3), dtype=np.int64)
    vec = np.zeros((n, 3, 2), dtype=np.float64)
    stamp = np.zeros((h, w), dtype=np.int32)
    walk = 0
    for i in range(n):
        y0 = ys[i]
        x0 = xs[i]
        # branch starts: one per run of consecutive skeleton neighbours
        starts_y = np.empty(8, dtype=np.int64)
        starts_x = np.empty(8, dtype=np.int64)
        on = np.zeros(8, dtype=np.bool_)
        for k in range(8):
            yy = y0 + NEIGHBOUR_DY[k]
            xx = x0 + NEIGHBOUR_DX[k]
            if 0 <= yy < h and 0 <= xx < w and skeleton[yy, xx]:
                on[k] = True
        n_starts = 0
        run_of = np.full(8, -1, dtype=np.int64)  # branch index of each neighbour
        for k in range(8):
            if on[k] and not on[(k + 7) % 8]:
                # run starts at k; prefer its first 4-connected pixel (even k)
                best = k
                j = k
                while on[j % 8] and j < k + 8:
                    if (j % 8) % 2 == 0:
                        best = j % 8
                        break
                    j += 1
                if n_starts < 8:
                    starts_y[n_starts] = y0 + NEIGHBOUR_DY[best]
                    starts_x[n_starts] = x0 + NEIGHBOUR_DX[best]
                    j = k
                    while on[j % 8] and j < k + 8:
                        run_of[j % 8] = n_starts
                        j += 1
                    n_starts += 1
        if n_starts == 0 and on.any():
            # all 8 neighbours set: no run boundary; not a usable node
            n_starts = 0
        for b in range(min(n_starts, 3)):
            walk += 1
            # mark the node and the other branches' pixels around it as
            # visited; this branch's own run stays open, so a branch leaving
            # through a 4-neighbour can go on through the diagonal beside it
            stamp[y0, x0] = walk
            for k in range(8):
                if run_of[k] != b:
                    yy = y0 + NEIGHBOUR_DY[k]
                    xx = x0 + NEIGHBOUR_DX[k]
                    if 0 <= yy < h and 0 <= xx < w:
                        stamp[yy, xx] = walk
            cy = starts_y[b]
            cx = starts_x[b]
            stamp[cy, cx] = walk
            steps = 1
            hit = -1
            py = y0
            px = x0
            vy = float(cy - y0)
            vx = float(cx - x0)
            while True:
                if steps <= dir_len:
                    vy = float(cy - y0)
                    vx = float(cx - x0)
                nid = node_id[cy, cx]
                if nid != 0 and nid - 1 != i:
                    hit = nid - 1
                    break
                if steps >= max_len:
                    break
                # next pixel: the unvisited skeleton neighbour farthest from the
                # previous pixel (steps past staircase corners of the thinning);
                # a neighbouring node wins outright
                ny = -1
                nx = -1
                best_d = -1
                for k in range(8):
                    yy = cy + NEIGHBOUR_DY[k]
                    xx = cx + NEIGHBOUR_DX[k]
                    if 0 <= yy < h and 0 <= xx < w and skeleton[yy, xx] and stamp[yy, xx] != walk:
                        d = (yy - py) * (yy - py) + (xx - px) * (xx - px)
                        if node_id[yy, xx] != 0 and node_id[yy, xx] - 1 != i:
                            d = 1000
                        if d > best_d:
                            best_d = d
                            ny = yy
                            nx = xx
                if ny < 0:
                    break
                # every other neighbour of the current pixel is behind or beside
                # the walk: mark them so it cannot turn back
                for k in range(8):
                    yy = cy + NEIGHBOUR_DY[k]
                    xx = cx + NEIGHBOUR_DX[k]
                    if 0 <= yy < h and 0 <= xx < w:
                        stamp[yy, xx] = walk
                py = cy
                px = cx
                cy = ny
                cx = nx
                steps += 1
            reached[i, b] = hit
            length[i, b] = steps
            vec[i, b, 0] = vy
            vec[i, b, 1] = vx
    return reached, length, vec
