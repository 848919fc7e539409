"""Compiled kernels of the pre-filter: minutia-pair keys and vote counting.

The pre-filter is an inverted index of *minutia pairs* (Germain, Califano &
Colville's FLASH idea, with pairs instead of triplets): each minutia and each
of its nearest neighbours give one key from three quantities that a rotation
and a shift of the finger leave unchanged,

* ``d``: the distance between the two minutiae, px at 500 ppi;
* ``r``: the direction of the segment from the first to the second,
  measured from the first minutia's direction, rad in [0, 2 pi);
* ``q``: the second minutia's direction minus the first's, rad in [0, 2 pi).

A gallery finger stores each key once, in the bin its values fall in; a probe
looks each of its pairs up in the bin it falls in and, along each of the four
axes where its value lies near a bin edge, the neighbouring bin across that
edge (up to ``2 x 2 x 2 x 2`` bins; :func:`probe_keys`' ``margin``), so that a
pair measured a little differently in two captures still meets itself. A
gallery finger's vote count is then the number of (probe lookup, gallery
key) coincidences.

Written with Numba because the work is a loop over a few hundred pairs per
finger and, at search time, over posting lists of millions of entries: no
library offers this inverted index, and NumPy would need temporaries as
large as the posting lists.

Nothing here validates its input; :mod:`.index` hands over arrays of the
documented shapes and dtypes.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

_TWO_PI = 2.0 * math.pi
ABS_BINS = 16


@njit(cache=True, nogil=True)
def pair_features(
    x: npt.NDArray[np.float32],
    y: npt.NDArray[np.float32],
    angle: npt.NDArray[np.float32],
    neighbours: int,
    max_distance_px: float,
) -> npt.NDArray[np.float64]:
    """The (d, r, q) of every minutia with each of its nearest neighbours.

    Parameters
    ----------
    x, y, angle : (N,) float32 ndarray
        Minutiae (pixels at 500 ppi, y down; ISO angles, CCW as seen).
    neighbours : int
        Nearest neighbours per minutia.
    max_distance_px : float
        Neighbours farther than this are left out.

    Returns
    -------
    (P, 3) float64 ndarray
        One row per ordered pair: d px, r rad, q rad (both in [0, 2 pi)).
    """
    n = x.shape[0]
    k = min(neighbours, n - 1) if n > 1 else 0
    out = np.empty((n * k, 4), dtype=np.float64)
    dist = np.empty(n, dtype=np.float64)
    count = 0
    for i in range(n):
        for j in range(n):
            dx = float(x[j]) - float(x[i])
            dy = float(y[j]) - float(y[i])
            dist[j] = math.sqrt(dx * dx + dy * dy)
        dist[i] = np.inf
        order = np.argsort(dist)
        for t in range(k):
            j = order[t]
            d = dist[j]
            if d > max_distance_px:
                break
            # direction of the segment i -> j in the ISO convention (y up)
            seg = math.atan2(float(y[i]) - float(y[j]), float(x[j]) - float(x[i]))
            r = (seg - float(angle[i])) % _TWO_PI
            q = (float(angle[j]) - float(angle[i])) % _TWO_PI
            out[count, 0] = d
            out[count, 1] = r
            out[count, 2] = q
            out[count, 3] = float(angle[i]) % _TWO_PI
            count += 1
    return out[:count]


@njit(cache=True, nogil=True, inline="always")
def _bin(value: float, width: float, bins: int, cyclic: bool) -> int:
    b = math.floor(value / width)
    if cyclic:
        return b % bins
    return min(max(b, 0), bins - 1)


@njit(cache=True, nogil=True)
def gallery_keys(
    features: npt.NDArray[np.float64],
    distance_bin_px: float,
    distance_bins: int,
    angle_bins: int,
) -> npt.NDArray[np.int32]:
    """The distinct keys of a gallery finger's pairs, sorted.

    Parameters
    ----------
    features : (P, 3) float64 ndarray
        From :func:`pair_features`.
    distance_bin_px : float
        Width of a distance bin.
    distance_bins, angle_bins : int
        Bins along d, and along each of r and q.

    Returns
    -------
    (K,) int32 ndarray
        Sorted distinct keys ``(d_bin * angle_bins + r_bin) * angle_bins + q_bin``.
    """
    width = _TWO_PI / angle_bins
    keys = np.empty(features.shape[0], dtype=np.int32)
    for p in range(features.shape[0]):
        bd = _bin(features[p, 0], distance_bin_px, distance_bins, False)
        br = _bin(features[p, 1], width, angle_bins, True)
        bq = _bin(features[p, 2], width, angle_bins, True)
        ba = _bin(features[p, 3], _TWO_PI / ABS_BINS, ABS_BINS, True)
        keys[p] = ((bd * angle_bins + br) * angle_bins + bq) * ABS_BINS + ba
    return np.unique(keys)


@njit(cache=True, nogil=True, inline="always")
def _near_bins(
    value: float, width: float, bins: int, cyclic: bool, margin: float
) -> tuple[int, int]:
    """The bin ``value`` falls in, and its neighbour on the nearer side if
    ``value`` lies within ``margin`` bin widths of that edge (else the same
    bin again)."""
    b = math.floor(value / width)
    frac = value / width - b
    other = b
    if frac < margin:
        other = b - 1
    elif frac >= 1.0 - margin:
        other = b + 1
    if cyclic:
        return b % bins, other % bins
    b = min(max(b, 0), bins - 1)
    other = min(max(other, 0), bins - 1)
    return b, other


@njit(cache=True, nogil=True)
def probe_keys(
    features: npt.NDArray[np.float64],
    distance_bin_px: float,
    distance_bins: int,
    angle_bins: int,
    margin: float,
) -> npt.NDArray[np.int32]:
    """The distinct keys a probe finger looks up, sorted.

    Each pair looks up the bin its values fall in and, along each of the four
    axes where a value lies within ``margin`` bin widths of a bin edge, the
    bin across that edge too: up to 16 keys a pair with ``margin = 0.5``
    (every axis expanded towards its nearer neighbour), about
    ``(1 + 2 margin)^4`` on average. Other parameters as :func:`gallery_keys`.
    """
    width = _TWO_PI / angle_bins
    keys = np.empty(features.shape[0] * 16, dtype=np.int32)
    count = 0
    for p in range(features.shape[0]):
        ds = _near_bins(features[p, 0], distance_bin_px, distance_bins, False, margin)
        rs = _near_bins(features[p, 1], width, angle_bins, True, margin)
        qs = _near_bins(features[p, 2], width, angle_bins, True, margin)
        As = _near_bins(features[p, 3], _TWO_PI / ABS_BINS, ABS_BINS, True, margin)
        for i in range(1 if ds[0] == ds[1] else 2):
            for j in range(1 if rs[0] == rs[1] else 2):
                for k in range(1 if qs[0] == qs[1] else 2):
                    for m in range(1 if As[0] == As[1] else 2):
                        keys[count] = (
                            (ds[i] * angle_bins + rs[j]) * angle_bins + qs[k]
                        ) * ABS_BINS + As[m]
                        count += 1
    return np.unique(keys[:count])


@njit(cache=True, nogil=True, inline="always")
def _read_varint(stream: npt.NDArray[np.uint8], at: int, end: int) -> tuple[int, int]:
    """The LEB128 varint at ``stream[at]`` (which must end before ``end``), and
    where the next one starts."""
    value = 0
    shift = 0
    while True:
        if at >= end or shift > 28:
            raise ValueError("malformed index stream")
        byte = stream[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


@njit(cache=True, nogil=True)
def count_votes(
    probe: npt.NDArray[np.int32],
    starts: npt.NDArray[np.int64],
    stream: npt.NDArray[np.uint8],
    votes: npt.NDArray[np.uint16],
) -> int:
    """Add one vote to each row listed under each probe key.

    Parameters
    ----------
    probe : (K,) int32 ndarray
        Distinct keys looked up (K < 65,536: a row gets at most one vote
        per key, so the counts cannot overflow).
    starts : (key_space + 1,) int64 ndarray
        Byte offsets: key ``k``'s row list is ``stream[starts[k]:starts[k + 1]]``.
    stream : (B,) uint8 ndarray
        Each key's rows, ascending, as LEB128 varints of the gaps between
        them (the first gap from 0): rows of one position are dense, so a
        gap takes one or two bytes instead of four.
    votes : (rows,) uint16 ndarray
        Accumulated in place (two bytes a row, so that it stays in cache).

    Returns
    -------
    int
        Postings scanned.
    """
    # The hot loop of every search: the varints are decoded without the
    # bounds checks of _read_varint, which is safe because every stream
    # searched was either built by merge_csr or checked whole by
    # stream_stats when loaded (PairIndex.from_state).
    scanned = 0
    for key in probe:
        e = starts[key]
        end = starts[key + 1]
        row = np.int64(0)
        while e < end:
            byte = np.int64(stream[e])
            e += 1
            if byte >= 0x80:  # a gap of two bytes or more
                gap = byte & 0x7F
                shift = 7
                while True:
                    byte = np.int64(stream[e])
                    e += 1
                    gap |= (byte & 0x7F) << shift
                    if byte < 0x80:
                        break
                    shift += 7
                byte = gap
            row += byte
            votes[row] += 1
            scanned += 1
    return scanned


@njit(cache=True, nogil=True)
def add_vote_scores(
    votes: npt.NDArray[np.uint16],
    weight: npt.NDArray[np.float32],
    owner: npt.NDArray[np.int32],
    scale: float,
    total: npt.NDArray[np.float64],
) -> None:
    """Add one position's pre-filter scores to ``total``, by subject.

    Row ``r`` scores ``votes[r] * weight[r] * scale`` in float32; each
    subject's scores of this position are summed in row order in float64,
    then added to ``total[subject]``: exactly ``total += np.bincount(owner,
    weights=votes * weight * np.float32(scale), minlength=total.size)``, in one
    pass and without the three temporaries of the rows' size.
    """
    partial = np.zeros(total.shape[0], dtype=np.float64)
    s = np.float32(scale)
    for r in range(votes.shape[0]):
        v = votes[r]
        if v:
            partial[owner[r]] += np.float64((np.float32(v) * weight[r]) * s)
    for i in range(total.shape[0]):
        total[i] += partial[i]


@njit(cache=True, nogil=True)
def count_votes_unsorted(
    lookup: npt.NDArray[np.bool_],
    keys: npt.NDArray[np.int32],
    rows: npt.NDArray[np.int32],
    votes: npt.NDArray[np.uint16],
) -> None:
    """:func:`count_votes` over an unsorted (key, row) list: the index's recent
    additions. ``lookup[k]`` is True for the probe's keys."""
    for e in range(keys.shape[0]):
        if lookup[keys[e]]:
            votes[rows[e]] += 1


@njit(cache=True, nogil=True, inline="always")
def _varint_size(value: int) -> int:
    size = 1
    while value >= 0x80:
        value >>= 7
        size += 1
    return size


@njit(cache=True, nogil=True, inline="always")
def _put_varint(stream: npt.NDArray[np.uint8], at: int, value: int) -> int:
    while value >= 0x80:
        stream[at] = (value & 0x7F) | 0x80
        value >>= 7
        at += 1
    stream[at] = value
    return at + 1


@njit(cache=True, nogil=True)
def merge_csr(
    starts: npt.NDArray[np.int64],
    stream: npt.NDArray[np.uint8],
    keys: npt.NDArray[np.int32],
    rows: npt.NDArray[np.int32],
    removed: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], int]:
    """An index (:func:`count_votes`'s form) with unsorted (key, row) entries
    merged in and removed rows dropped.

    The new entries' rows must all be above the index's (rows only grow);
    ``removed[r]`` is True for rows to drop (at least as long as the largest
    row + 1). Returns the new offsets, stream and number of entries.
    """
    key_space = starts.shape[0] - 1
    # the new entries grouped by key (a stable counting sort keeps them ascending)
    fresh_starts = np.zeros(key_space + 1, dtype=np.int64)
    for k in keys:
        fresh_starts[k + 1] += 1
    for k in range(key_space):
        fresh_starts[k + 1] += fresh_starts[k]
    fill = fresh_starts[:-1].copy()
    fresh = np.empty(keys.shape[0], dtype=np.int32)
    for e in range(keys.shape[0]):
        fresh[fill[keys[e]]] = rows[e]
        fill[keys[e]] += 1
    # two passes over every list: sizes, then bytes
    merged_starts = np.zeros(key_space + 1, dtype=np.int64)
    entries = 0
    for phase in range(2):
        out = np.empty(merged_starts[key_space] if phase else 0, dtype=np.uint8)
        for k in range(key_space):
            at = merged_starts[k]
            size = 0
            previous = 0
            e = starts[k]
            end = starts[k + 1]
            row = 0
            f = fresh_starts[k]
            while e < end or f < fresh_starts[k + 1]:
                if e < end:
                    gap, e = _read_varint(stream, e, end)
                    row += gap
                    r = row
                else:
                    r = fresh[f]
                    f += 1
                if removed[r]:
                    continue
                if phase:
                    at = _put_varint(out, at, r - previous)
                else:
                    size += _varint_size(r - previous)
                    entries += 1
                previous = r
            if not phase:
                merged_starts[k + 1] = merged_starts[k] + size
        if phase:
            return merged_starts, out, entries
    return merged_starts, np.empty(0, dtype=np.uint8), entries


@njit(cache=True, nogil=True)
def stream_stats(starts: npt.NDArray[np.int64], stream: npt.NDArray[np.uint8]) -> tuple[int, int]:
    """(entries, largest row + 1) of an index stream; raises on a malformed one."""
    entries = 0
    bound = 0
    for k in range(starts.shape[0] - 1):
        e = starts[k]
        end = starts[k + 1]
        row = 0
        while e < end:
            gap, e = _read_varint(stream, e, end)
            row += gap
            entries += 1
        if row + 1 > bound and end > starts[k]:
            bound = row + 1
    return entries, bound
