"""Compiled kernels of the minutia-code comparison (Numba, cached on disk).

Nothing here validates its input: :mod:`.codes` hands over arrays of the
documented shapes and dtypes. Coordinates are image pixels at 500 ppi (y
down), angles in 256ths of a turn counter-clockwise as seen (the stored
precision of :data:`~.codes.PACKED_MINUTIA_DTYPE`).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from interop.fingerprints.matcher._kernels import _popcount

# Slots of the float64 configuration vector of :func:`code_scores`.
CFG_ANCHORS = 0
CFG_COS_MAX_DIRECTION_DIFFERENCE = 1
CFG_MATE_DISTANCE = 2
CFG_MATE_ANGLE = 3
CFG_OVERLAP_DISTANCE = 4
CFG_MIN_OVERLAP_MINUTIAE = 5
CFG_SAME_MOTION_COS = 6
CFG_SAME_MOTION_PX = 7
CONFIG_SIZE = 8

#: Bit 63 of a code's second word says that the minutia's cylinder is valid.
VALID_BIT = np.uint64(1) << np.uint64(63)
#: Code bits compared (the valid flag excluded).
CODE_BITS = 127

_TURN = 2.0 * math.pi / 256.0
_MAX_ANCHORS = 64
# cos and sin of the 256 stored angles
_COS = np.cos(np.arange(256) * _TURN)
_SIN = np.sin(np.arange(256) * _TURN)


@njit(cache=True, nogil=True)
def probe_grid(
    x: npt.NDArray[np.uint16], y: npt.NDArray[np.uint16], cell_px: float
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float64]]:
    """Neighbour lists of the probe's minutiae on a grid of ``cell_px`` cells.

    Cell c lists every minutia in c or in one of its eight neighbours, so a
    point anywhere in c finds all the minutiae within ``cell_px`` of it in
    one list. The grid has a margin of one cell around the minutiae.

    Returns ``starts`` ``(cells + 1,)`` and ``items`` (cell c's list is
    ``items[starts[c]:starts[c + 1]]``, cells row by row) and ``frame`` =
    (x0, y0, columns, rows) of the grid, px and counts.
    """
    n = x.shape[0]
    x0 = -cell_px
    y0 = -cell_px
    x1 = 0.0
    y1 = 0.0
    if n > 0:
        x0 = float(x.min()) - cell_px
        y0 = float(y.min()) - cell_px
        x1 = float(x.max())
        y1 = float(y.max())
    cols = int((x1 - x0) / cell_px) + 2
    rows = int((y1 - y0) / cell_px) + 2
    counts = np.zeros(cols * rows + 1, dtype=np.int32)
    col = np.empty(n, dtype=np.int64)
    row = np.empty(n, dtype=np.int64)
    for i in range(n):
        col[i] = int((x[i] - x0) / cell_px)
        row[i] = int((y[i] - y0) / cell_px)
        for r in range(row[i] - 1, row[i] + 2):
            for c in range(col[i] - 1, col[i] + 2):
                counts[r * cols + c + 1] += 1
    starts = np.cumsum(counts).astype(np.int32)
    fill = starts[:-1].copy()
    items = np.empty(starts[-1], dtype=np.int32)
    for i in range(n):
        for r in range(row[i] - 1, row[i] + 2):
            for c in range(col[i] - 1, col[i] + 2):
                items[fill[r * cols + c]] = i
                fill[r * cols + c] += 1
    frame = np.array([x0, y0, float(cols), float(rows)])
    return starts, items, frame


@njit(cache=True, nogil=True, inline="always")
def _similarity(a0: np.uint64, a1: np.uint64, b0: np.uint64, b1: np.uint64) -> float:
    """1 - 2 (Hamming distance) / 127 of two codes: 1 alike, ~0 unrelated."""
    h: int = _popcount(a0 ^ b0) + _popcount(a1 ^ b1)  # type: ignore[call-arg]
    return 1.0 - 2.0 * float(h) / CODE_BITS


@njit(cache=True, nogil=True)
def code_scores(
    p_x: npt.NDArray[np.uint16],
    p_y: npt.NDArray[np.uint16],
    p_angle: npt.NDArray[np.uint8],
    p_codes: npt.NDArray[np.uint64],
    grid_starts: npt.NDArray[np.int32],
    grid_items: npt.NDArray[np.int32],
    grid_frame: npt.NDArray[np.float64],
    g_x: npt.NDArray[np.uint16],
    g_y: npt.NDArray[np.uint16],
    g_angle: npt.NDArray[np.uint8],
    g_codes: npt.NDArray[np.uint64],
    starts: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    cfg: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Raw similarity in [0, 1] of one probe to F gallery fingers.

    Gallery finger f is minutiae ``starts[f] : starts[f] + counts[f]`` of the
    ``g_*`` arrays. For each finger:

    1. every pair (probe minutia i, gallery minutia j) with valid codes and
       directions at most δ_θ apart gets the code similarity s_ij; the
       ``anchors`` best pairs are kept;
    2. each anchor's rigid motion (j onto i) brings the gallery minutiae
       onto the probe; each takes the nearest free probe minutia within
       ``mate distance`` and ``mate angle`` (greedy, gallery order), and the
       minutiae of either side within ``overlap distance`` of the other
       side count as overlapping (n_A, n_B, at least ``min overlap``);
    3. the score is the best over anchors of q² / (n_A n_B), q the sum of
       s_ij over the mated pairs (0 for a pair without valid codes).
    """
    n_fingers = starts.shape[0]
    out = np.zeros(n_fingers, dtype=np.float64)
    n_p = p_x.shape[0]
    if n_p == 0:
        return out
    anchors = min(int(cfg[CFG_ANCHORS]), _MAX_ANCHORS)
    cos_max = cfg[CFG_COS_MAX_DIRECTION_DIFFERENCE]
    mate_d2 = cfg[CFG_MATE_DISTANCE] ** 2
    cos_mate = math.cos(cfg[CFG_MATE_ANGLE])
    overlap_d2 = cfg[CFG_OVERLAP_DISTANCE] ** 2
    min_overlap = cfg[CFG_MIN_OVERLAP_MINUTIAE]
    same_cos = cfg[CFG_SAME_MOTION_COS]
    same_px2 = cfg[CFG_SAME_MOTION_PX] ** 2
    inv_cell = 1.0 / math.sqrt(max(mate_d2, overlap_d2))
    x0 = grid_frame[0]
    y0 = grid_frame[1]
    cols = int(grid_frame[2])
    rows = int(grid_frame[3])

    p_cos = np.empty(n_p, dtype=np.float64)
    p_sin = np.empty(n_p, dtype=np.float64)
    p_valid = np.empty(n_p, dtype=np.bool_)
    # the probe minutiae with valid codes, packed for the anchor search
    v_index = np.empty(n_p, dtype=np.int64)
    v_code = np.empty((n_p, 2), dtype=np.uint64)
    v_cos = np.empty(n_p, dtype=np.float64)
    v_sin = np.empty(n_p, dtype=np.float64)
    n_v = 0
    for i in range(n_p):
        p_cos[i] = _COS[p_angle[i]]
        p_sin[i] = _SIN[p_angle[i]]
        p_valid[i] = (p_codes[i, 1] & VALID_BIT) != 0
        if p_valid[i]:
            v_index[n_v] = i
            v_code[n_v, 0] = p_codes[i, 0]
            v_code[n_v, 1] = p_codes[i, 1]
            v_cos[n_v] = p_cos[i]
            v_sin[n_v] = p_sin[i]
            n_v += 1
    # covered[i] / mated[i] == the current round: probe minutia i is in the
    # overlap / taken, under the motion being tried (no reset between rounds)
    covered = np.full(n_p, -1, dtype=np.int64)
    mated = np.full(n_p, -1, dtype=np.int64)
    round_id = -1
    best = np.empty(anchors, dtype=np.int64)  # Hamming distances, best first
    best_i = np.empty(anchors, dtype=np.int64)
    best_j = np.empty(anchors, dtype=np.int64)
    motions = np.empty((anchors, 4), dtype=np.float64)
    g_cos = np.empty(256, dtype=np.float64)
    g_sin = np.empty(256, dtype=np.float64)

    for f in range(n_fingers):
        first = starts[f]
        n_g = counts[f]
        if n_g == 0 or anchors == 0:
            continue
        for j in range(n_g):
            g_cos[j] = _COS[g_angle[first + j]]
            g_sin[j] = _SIN[g_angle[first + j]]
        # 1. the best anchor pairs by code similarity (similarity > 0: Hamming
        # distance below half the bits); the distance is computed first and
        # the direction checked only for the rare pair that would enter
        for k in range(anchors):
            best[k] = CODE_BITS // 2 + 1
            best_i[k] = -1
            best_j[k] = -1
        for j in range(n_g):
            gc0 = g_codes[first + j, 0]
            gc1 = g_codes[first + j, 1]
            if (gc1 & VALID_BIT) == 0:
                continue
            for t in range(n_v):
                h: int = _popcount(v_code[t, 0] ^ gc0) + _popcount(v_code[t, 1] ^ gc1)  # type: ignore[call-arg]
                if h < best[anchors - 1] and v_cos[t] * g_cos[j] + v_sin[t] * g_sin[j] >= cos_max:
                    k = anchors - 1
                    while k > 0 and best[k - 1] > h:
                        best[k] = best[k - 1]
                        best_i[k] = best_i[k - 1]
                        best_j[k] = best_j[k - 1]
                        k -= 1
                    best[k] = h
                    best_i[k] = v_index[t]
                    best_j[k] = j
        # 2-3. consolidation under each anchor's motion
        top = 0.0
        tried = 0
        for a in range(anchors):
            if best_i[a] < 0:
                break
            i0 = best_i[a]
            j0 = best_j[a]
            # rotation r (CCW as seen) taking gallery directions to probe ones
            cr = p_cos[i0] * g_cos[j0] + p_sin[i0] * g_sin[j0]
            sr = p_sin[i0] * g_cos[j0] - p_cos[i0] * g_sin[j0]
            gx0 = float(g_x[first + j0])
            gy0 = float(g_y[first + j0])
            px0 = float(p_x[i0])
            py0 = float(p_y[i0])
            repeat = False
            for b in range(tried):
                dcos = cr * motions[b, 0] + sr * motions[b, 1]
                dx = px0 - (motions[b, 2] + (gx0 * motions[b, 0] + gy0 * motions[b, 1]))
                dy = py0 - (motions[b, 3] + (-gx0 * motions[b, 1] + gy0 * motions[b, 0]))
                if dcos >= same_cos and dx * dx + dy * dy <= same_px2:
                    repeat = True
                    break
            if repeat:
                continue
            # image frame, y down: a turn by r CCW as seen maps (dx, dy) to
            # (dx cos r + dy sin r, -dx sin r + dy cos r)
            motions[tried, 0] = cr
            motions[tried, 1] = sr
            motions[tried, 2] = px0 - (gx0 * cr + gy0 * sr)
            motions[tried, 3] = py0 - (-gx0 * sr + gy0 * cr)
            tried += 1
            round_id += 1
            q = 0.0
            n_a = 0
            n_b = 0
            for j in range(n_g):
                gx = float(g_x[first + j]) - gx0
                gy = float(g_y[first + j]) - gy0
                tx = px0 + gx * cr + gy * sr
                ty = py0 - gx * sr + gy * cr
                fx = (tx - x0) * inv_cell
                fy = (ty - y0) * inv_cell
                if not (0.0 <= fx < cols and 0.0 <= fy < rows):
                    continue  # no probe minutia within reach
                tc = g_cos[j] * cr - g_sin[j] * sr  # direction after the turn
                ts = g_sin[j] * cr + g_cos[j] * sr
                near = False
                mate = -1
                mate_d = mate_d2
                c = int(fy) * cols + int(fx)
                for t in range(grid_starts[c], grid_starts[c + 1]):
                    i = grid_items[t]
                    dx = tx - p_x[i]
                    dy = ty - p_y[i]
                    d2 = dx * dx + dy * dy
                    if d2 > overlap_d2:
                        continue
                    near = True
                    if covered[i] != round_id:
                        covered[i] = round_id
                        n_a += 1
                    if (
                        d2 <= mate_d
                        and mated[i] != round_id
                        and tc * p_cos[i] + ts * p_sin[i] >= cos_mate
                    ):
                        mate_d = d2
                        mate = i
                if near:
                    n_b += 1
                if mate >= 0:
                    mated[mate] = round_id
                    gc1 = g_codes[first + j, 1]
                    if p_valid[mate] and (gc1 & VALID_BIT) != 0:
                        s = _similarity(
                            p_codes[mate, 0], p_codes[mate, 1], g_codes[first + j, 0], gc1
                        )
                        if s > 0.0:
                            q += s
            score = q * q / (max(float(n_a), min_overlap) * max(float(n_b), min_overlap))
            if score > top:
                top = score
        out[f] = min(top, 1.0)
    return out


@njit(cache=True, nogil=True)
def project_cylinders(
    cells: npt.NDArray[np.uint64],
    weights: npt.NDArray[np.int32],
    thresholds: npt.NDArray[np.int32],
    bits: int,
) -> npt.NDArray[np.bool_]:
    """Code bits ``(n, K)`` of ``(n, 2, W)`` cylinders: bit k is set when the
    sum over the cylinder's first ``bits`` cells of ``weights[c, k]`` times
    +1 (value bit set), -1 (clear) or 0 (cell invalid) exceeds
    ``thresholds[k]``. Integer arithmetic: exact, on every machine."""
    n = cells.shape[0]
    k_bits = weights.shape[1]
    out = np.zeros((n, k_bits), dtype=np.bool_)
    acc = np.empty(k_bits, dtype=np.int32)
    for i in range(n):
        acc[:] = 0
        for c in range(bits):
            word = c >> 6
            mask = np.uint64(1) << np.uint64(c & 63)
            if (cells[i, 1, word] & mask) == 0:
                continue
            if (cells[i, 0, word] & mask) != 0:
                for k in range(k_bits):
                    acc[k] += weights[c, k]
            else:
                for k in range(k_bits):
                    acc[k] -= weights[c, k]
        for k in range(k_bits):
            out[i, k] = acc[k] > thresholds[k]
    return out


@njit(cache=True, nogil=True)
def pack_codes(bits: npt.NDArray[np.bool_], valid: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    """``(N, 127)`` code bits and ``(N,)`` validity as ``(N, 2)`` uint64 words."""
    n = bits.shape[0]
    out = np.zeros((n, 2), dtype=np.uint64)
    for i in range(n):
        if not valid[i]:
            continue
        w0 = np.uint64(0)
        w1 = VALID_BIT
        for b in range(64):
            if bits[i, b]:
                w0 |= np.uint64(1) << np.uint64(b)
        for b in range(64, CODE_BITS):
            if bits[i, b]:
                w1 |= np.uint64(1) << np.uint64(b - 64)
        out[i, 0] = w0
        out[i, 1] = w1
    return out
