"""Stages 6-8: skeleton, minutiae detection, direction and false-minutiae removal.

Detection uses the crossing number (Rutovitz 1966) of each skeleton pixel,
computed as a table lookup on the 8-bit code of its neighbourhood (the
scikit-image way: correlate with powers of two, then index a 256-entry
table). False minutiae are removed with the classical structural rules
(Ratha et al. 1995; Maltoni et al., Handbook of Fingerprint Recognition,
3.8): spurs, bridges, islands, broken ridges, border minutiae and clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage
from skimage.morphology import skeletonize

from interop.fingerprints.extraction._skeleton_kernels import (
    NEIGHBOUR_DX,
    NEIGHBOUR_DY,
    trace_all,
)

ENDING = 1
BIFURCATION = 2


def crossing_number_lut() -> npt.NDArray[np.uint8]:
    """256-entry table: neighbourhood code -> crossing number.

    Bit ``k`` of the code is neighbour ``k`` in the circular order
    E, NE, N, NW, W, SW, S, SE; the crossing number is half the number of
    0/1 transitions around the circle.
    """
    lut = np.zeros(256, dtype=np.uint8)
    for code in range(256):
        bits = [(code >> k) & 1 for k in range(8)]
        lut[code] = sum(abs(bits[k] - bits[(k + 1) % 8]) for k in range(8)) // 2
    return lut


_CN_LUT = crossing_number_lut()
# weights placing neighbour k at bit k (for correlation over a 3x3 window)
_CODE_WEIGHTS = np.zeros((3, 3), dtype=np.int32)
for _k in range(8):
    _CODE_WEIGHTS[1 + NEIGHBOUR_DY[_k], 1 + NEIGHBOUR_DX[_k]] = 1 << _k


def ridge_skeleton(
    enhanced: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """One-pixel-wide ridge skeleton, (H, W) bool.

    Ridges are where the enhanced image is negative (dark) inside ``mask``.
    """
    ridges = (enhanced < 0) & mask
    # remove specks and fill pinholes that would become tiny islands and lakes
    ridges = ndimage.binary_opening(ridges, structure=np.ones((2, 2), bool))
    ridges = ndimage.binary_closing(ridges, structure=np.ones((2, 2), bool))
    return np.asarray(skeletonize(ridges & mask), dtype=np.bool_)  # type: ignore[no-untyped-call]


def crossing_numbers(skeleton: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint8]:
    """Crossing number at each skeleton pixel (0 elsewhere), (H, W) uint8."""
    code = ndimage.correlate(skeleton.astype(np.int32), _CODE_WEIGHTS, mode="constant")
    return np.where(skeleton, _CN_LUT[code], 0).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class MinutiaeCandidates:
    """Minutiae in image coordinates, before conversion to a template.

    Attributes
    ----------
    y, x : (N,) int64, pixel row and column.
    angle : (N,) float64, direction in image coordinates (from +x towards +y), radians.
    kind : (N,) uint8, ``ENDING`` or ``BIFURCATION``.
    """

    y: npt.NDArray[np.int64]
    x: npt.NDArray[np.int64]
    angle: npt.NDArray[np.float64]
    kind: npt.NDArray[np.uint8]

    def take(self, keep: npt.NDArray[np.bool_] | npt.NDArray[np.int64]) -> MinutiaeCandidates:
        return MinutiaeCandidates(self.y[keep], self.x[keep], self.angle[keep], self.kind[keep])

    def __len__(self) -> int:
        return int(self.y.shape[0])


def detect_minutiae(
    skeleton: npt.NDArray[np.bool_],
    mask: npt.NDArray[np.bool_],
    inner: npt.NDArray[np.bool_],
    theta: npt.NDArray[np.float32],
    *,
    trace_px: int,
    spur_max_px: int,
    bridge_max_px: int,
    island_max_px: int,
    break_max_px: float,
    break_max_angle_rad: float,
    cluster_radius_px: float,
) -> MinutiaeCandidates:
    """Minutiae of a skeleton with false ones removed.

    Parameters
    ----------
    skeleton : (H, W) bool, ridge skeleton.
    mask : (H, W) bool, foreground; candidates outside it are ignored.
    inner : (H, W) bool, the eroded foreground; minutiae outside it are dropped
        after the structural rules (they still help remove their partners).
    theta : (H, W) float32, ridge orientation in [0, pi), image coordinates;
        gives each minutia a smooth direction, disambiguated by the traced ridge.
    trace_px, spur_max_px, ... : see :class:`ExtractionParameters`.

    Returns
    -------
    MinutiaeCandidates
    """
    cn = crossing_numbers(skeleton)
    kind_map = np.zeros(skeleton.shape, dtype=np.uint8)
    kind_map[cn == 1] = ENDING
    kind_map[cn == 3] = BIFURCATION
    kind_map[~mask] = 0
    ys, xs = np.nonzero(kind_map)
    kinds = kind_map[ys, xs]
    n = ys.size
    if n == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        return MinutiaeCandidates(empty_i, empty_i, np.zeros(0), np.zeros(0, dtype=np.uint8))
    node_id = np.zeros(skeleton.shape, dtype=np.int32)
    node_id[ys, xs] = np.arange(1, n + 1, dtype=np.int32)
    max_len = max(spur_max_px, bridge_max_px, island_max_px, trace_px)
    reached, length, vec = trace_all(
        skeleton.astype(np.uint8),
        node_id,
        ys.astype(np.int64),
        xs.astype(np.int64),
        max_len,
        trace_px,
    )

    remove = np.zeros(n, dtype=bool)
    is_end = kinds == ENDING
    is_bif = kinds == BIFURCATION
    for i in range(n):
        for b in range(3):
            j = reached[i, b]
            if j < 0:
                continue
            ell = length[i, b]
            if is_end[i] and is_end[j] and ell <= island_max_px:
                remove[i] = remove[j] = True  # short isolated ridge (island / dot)
            elif (is_end[i] and is_bif[j]) or (is_bif[i] and is_end[j]):
                if ell <= spur_max_px:
                    remove[i] = remove[j] = True  # spur
            elif is_bif[i] and is_bif[j] and ell <= bridge_max_px:
                remove[i] = remove[j] = True  # bridge, or a small lake
    # a bifurcation needs three real branches; an ending needs its ridge
    n_branches = (reached != -2).sum(axis=1)
    remove |= is_bif & (n_branches < 3)
    remove |= is_end & (n_branches != 1)

    # direction from the traced ridge(s), image coordinates
    traced = np.zeros(n)
    for i in range(n):
        if is_end[i]:
            traced[i] = np.arctan2(vec[i, 0, 0], vec[i, 0, 1])
        else:
            v = vec[i]
            units = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
            best = (0, 1)
            best_dot = -2.0
            for a, c in ((0, 1), (0, 2), (1, 2)):
                dot = float(units[a] @ units[c])
                if dot > best_dot:
                    best_dot, best = dot, (a, c)
            s = units[best[0]] + units[best[1]]
            traced[i] = np.arctan2(s[0], s[1])
    # the smooth orientation field gives the line; the traced ridge, the sense
    orient = theta[ys, xs].astype(np.float64)
    diff = np.angle(np.exp(1j * (traced - orient)))
    angle = np.where(np.abs(diff) <= np.pi / 2, orient, orient + np.pi)
    angle = np.mod(angle, 2 * np.pi)

    # broken ridges: two endings facing each other across a small gap
    ends = np.flatnonzero(is_end & ~remove)
    if ends.size > 1:
        p = np.stack([ys[ends], xs[ends]], axis=1).astype(np.float64)
        d = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(axis=2))
        ang = angle[ends]
        gap = np.arctan2(p[None, :, 0] - p[:, None, 0], p[None, :, 1] - p[:, None, 1])  # i -> j
        # i's ridge points away from j, and the two directions are opposite
        away_i = np.cos(gap - ang[:, None]) < -np.cos(break_max_angle_rad)
        opposite = np.cos(ang[:, None] - ang[None, :]) < -np.cos(break_max_angle_rad)
        pair = (d <= break_max_px) & away_i & away_i.T & opposite
        np.fill_diagonal(pair, False)
        remove[ends[pair.any(axis=1)]] = True

    keep = ~remove & inner[ys, xs]
    cand = MinutiaeCandidates(
        ys[keep].astype(np.int64), xs[keep].astype(np.int64), angle[keep], kinds[keep]
    )

    # clusters: minutiae packed closer than a ridge period are noise
    if len(cand) > 1:
        p = np.stack([cand.y, cand.x], axis=1).astype(np.float64)
        d2 = ((p[:, None, :] - p[None, :, :]) ** 2).sum(axis=2)
        np.fill_diagonal(d2, np.inf)
        cand = cand.take(d2.min(axis=1) > cluster_radius_px**2)
    return cand
