"""The pre-filter: an inverted index of minutia pairs, one per finger position.

A search compares a probe finger in full (:func:`interop.fingerprints.compare`)
only with the gallery fingers this index ranks high. Each gallery finger is
reduced to a set of integer *pair keys* (:mod:`._pairs`: distance, relative
directions and the first minutia's direction of every minutia with its
nearest neighbours, quantised); the index maps each key to the finger rows
holding it. A probe finger looks up its keys (with the neighbouring bins, to
tolerate measurement noise) and every gallery finger gets as many votes as
coincidences; :meth:`PairIndex.scores` normalises them by the two key counts
(a cosine similarity of the key sets).

The first minutia's own direction is part of the key: fingers are captured
roughly upright (within about 30 degrees), and this alone removes most chance
coincidences (measured: rank-1 on template-level synthesis from 9% to 66%).

Storage: recent additions sit in an unsorted list and are scanned key by key;
:meth:`PairIndex.compact` merges them into the per-key row lists (one
linear pass) once the list grows past a share of the index, and drops removed
rows. Each key's rows are kept ascending as varint gaps: one or two bytes
per entry; about 400 keys per finger with the defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interop.fingerprints.gallery import _pairs

COMMON_FLOOR_BYTES = 64
"""A row list this short (about 40 fingers) is always read, however common
its key looks: in a small gallery most keys have no list at all, and a cap
relative to the mean list would skip every list there is. In the pipeline's
100,000-subject galleries the cap (four times a mean of about 160 bytes)
is well above it."""


@dataclass(frozen=True)
class IndexParameters:
    """How minutia pairs become keys.

    Attributes
    ----------
    neighbours : int
        Nearest neighbours paired with each minutia.
    max_distance_px : float
        Pairs farther apart are left out (px at 500 ppi).
    distance_bin_px : float
        Width of a distance bin.
    angle_bins : int
        Bins over 360 degrees for each relative direction.
    """

    neighbours: int = 12
    max_distance_px: float = 180.0
    distance_bin_px: float = 7.0
    angle_bins: int = 32

    def __post_init__(self) -> None:
        if not 1 <= self.neighbours <= 64:
            raise ValueError(f"neighbours must be in 1..64, got {self.neighbours!r}")
        if not 0 < self.distance_bin_px <= self.max_distance_px:
            raise ValueError("distance_bin_px must be in (0, max_distance_px]")
        if not 4 <= self.angle_bins <= 64:
            raise ValueError(f"angle_bins must be in 4..64, got {self.angle_bins!r}")
        if self.key_space >= 2**31:
            raise ValueError("too many bins: keys must fit in 31 bits")

    @property
    def distance_bins(self) -> int:
        """Bins along the distance (the last one open-ended)."""
        return math.ceil(self.max_distance_px / self.distance_bin_px)

    @property
    def key_space(self) -> int:
        """Number of distinct keys."""
        return self.distance_bins * self.angle_bins**2 * _pairs.ABS_BINS


DEFAULT_INDEX_PARAMETERS = IndexParameters()


def _features(minutiae: npt.NDArray[np.void], params: IndexParameters) -> npt.NDArray[np.float64]:
    x = np.ascontiguousarray(minutiae["x"], dtype=np.float32)
    y = np.ascontiguousarray(minutiae["y"], dtype=np.float32)
    a = np.ascontiguousarray(minutiae["angle"], dtype=np.float32)
    out: npt.NDArray[np.float64] = _pairs.pair_features(
        x, y, a, params.neighbours, params.max_distance_px
    )
    return out


def enrolment_keys(
    minutiae: npt.NDArray[np.void], params: IndexParameters = DEFAULT_INDEX_PARAMETERS
) -> npt.NDArray[np.int32]:
    """Sorted distinct keys a gallery finger is filed under.

    ``minutiae`` is a structured array with fields ``x``, ``y`` (px at 500
    ppi) and ``angle`` (rad, ISO convention), e.g. ``Template.minutiae``.
    """
    keys: npt.NDArray[np.int32] = _pairs.gallery_keys(
        _features(minutiae, params), params.distance_bin_px, params.distance_bins, params.angle_bins
    )
    return keys


def search_keys(
    minutiae: npt.NDArray[np.void],
    params: IndexParameters = DEFAULT_INDEX_PARAMETERS,
    margin: float = 0.5,
) -> npt.NDArray[np.int32]:
    """Sorted distinct keys a probe finger looks up: each pair's own bin and,
    along every axis where its value lies within ``margin`` bin widths of a
    bin edge, the bin across it (``margin = 0.5``: always the nearer one)."""
    if not 0.0 <= margin <= 0.5:
        raise ValueError(f"margin must be in [0, 0.5], got {margin!r}")
    keys: npt.NDArray[np.int32] = _pairs.probe_keys(
        _features(minutiae, params),
        params.distance_bin_px,
        params.distance_bins,
        params.angle_bins,
        margin,
    )
    return keys


class PairIndex:
    """Pair keys of the gallery fingers of one finger position.

    Rows are the gallery's finger rows (non-negative int32, not necessarily
    dense). Not thread-safe: :class:`~interop.fingerprints.gallery.Gallery`
    serialises writers and readers.

    Parameters
    ----------
    params : IndexParameters
    compact_share : float
        :meth:`add` compacts once the unsorted additions exceed this share of
        the sorted entries (and 65,536 entries).
    """

    def __init__(
        self, params: IndexParameters = DEFAULT_INDEX_PARAMETERS, *, compact_share: float = 0.1
    ) -> None:
        self.params = params
        self.compact_share = compact_share
        self._starts = np.zeros(params.key_space + 1, dtype=np.int64)
        self._stream = np.zeros(0, dtype=np.uint8)
        self._entries = 0  # in the stream
        self._recent_keys: list[npt.NDArray[np.int32]] = []
        self._recent_rows: list[npt.NDArray[np.int32]] = []
        self._recent_size = 0
        self._removed: set[int] = set()
        self._row_bound = 0  # every filed row is below this

    @property
    def entries(self) -> int:
        """Keys filed, removed rows' included until the next compaction."""
        return self._entries + self._recent_size

    @property
    def row_bound(self) -> int:
        """Every row filed is below this."""
        return self._row_bound

    @property
    def nbytes(self) -> int:
        """Memory held by the index arrays."""
        return int(self._starts.nbytes + self._stream.nbytes + 8 * self._recent_size)

    def add(self, row: int, keys: npt.NDArray[np.int32]) -> None:
        """File finger ``row`` under ``keys`` (from :func:`enrolment_keys`)."""
        keys = np.asarray(keys, dtype=np.int32)
        self.add_many(
            np.array([row], dtype=np.int32),
            keys,
            np.array([0, keys.size], dtype=np.int64),
            np.zeros(1, dtype=np.intp),
        )

    def add_many(
        self,
        rows: npt.NDArray[np.int32],
        keys: npt.NDArray[np.int32],
        key_offsets: npt.NDArray[np.int64],
        fingers: npt.NDArray[np.intp],
    ) -> None:
        """File several fingers at once: ``rows[i]`` under the keys of finger
        ``fingers[i]`` of a batch (``keys[key_offsets[f]:key_offsets[f + 1]]``)."""
        counts = (key_offsets[fingers + 1] - key_offsets[fingers]).astype(np.int64)
        if counts.sum() == 0:
            return
        take = np.concatenate(
            [np.arange(key_offsets[f], key_offsets[f + 1]) for f in fingers.tolist()]
        )
        chosen = keys[take]
        if int(chosen.min()) < 0 or int(chosen.max()) >= self.params.key_space:
            raise ValueError("key out of range for these index parameters")
        self._recent_keys.append(np.ascontiguousarray(chosen, dtype=np.int32))
        self._recent_rows.append(np.repeat(rows.astype(np.int32), counts))
        self._row_bound = max(self._row_bound, int(rows.max()) + 1)
        self._recent_size += int(chosen.size)
        if self._recent_size > max(65_536, self.compact_share * self._entries):
            self.compact()

    def remove(self, row: int) -> None:
        """Forget finger ``row`` (its entries go at the next compaction; votes
        for it are the caller's to ignore meanwhile)."""
        self._removed.add(int(row))

    def compact(self) -> None:
        """Merge the recent additions into the CSR form and drop removed rows."""
        keys = np.concatenate([np.zeros(0, np.int32), *self._recent_keys])
        rows = np.concatenate([np.zeros(0, np.int32), *self._recent_rows])
        removed = np.zeros(max(self._row_bound, max(self._removed, default=-1) + 1), np.bool_)
        if self._removed:
            removed[np.fromiter(self._removed, dtype=np.int64)] = True
        self._starts, self._stream, self._entries = _pairs.merge_csr(
            self._starts, self._stream, keys.astype(np.int32), rows.astype(np.int32), removed
        )
        self._recent_keys, self._recent_rows, self._recent_size = [], [], 0
        self._removed = set()

    def votes(
        self, probe_keys: npt.NDArray[np.int32], rows: int, common: float | None = None
    ) -> tuple[npt.NDArray[np.uint16], int]:
        """Votes (coincidences of keys) of a probe for every row ``< rows``,
        and the index entries read.

        Parameters
        ----------
        probe_keys : (K,) int32 ndarray
            From :func:`search_keys`.
        rows : int
        common : float, optional
            Keys whose row list is longer than this many times the mean
            list (in bytes of the sorted lists), and than
            :data:`COMMON_FLOOR_BYTES`, are not looked up: pair
            configurations that most fingers share, which cost most of the
            reading and separate least (stop words, in text retrieval's terms).

        Raises
        ------
        ValueError
            If the probe has 65,536 keys or more (the counts are 16-bit).
        """
        if probe_keys.size >= 65_536:
            raise ValueError("too many probe keys")
        if common is not None and probe_keys.size:
            lengths = self._starts[probe_keys + 1] - self._starts[probe_keys]
            mean = self._starts[-1] / (self._starts.size - 1)
            probe_keys = probe_keys[lengths <= max(common * mean, COMMON_FLOOR_BYTES)]
        votes = np.zeros(rows, dtype=np.uint16)
        scanned = int(_pairs.count_votes(probe_keys, self._starts, self._stream, votes))
        if self._recent_size:
            lookup = np.zeros(self.params.key_space, dtype=np.bool_)
            lookup[probe_keys] = True
            for keys, owners in zip(self._recent_keys, self._recent_rows, strict=True):
                _pairs.count_votes_unsorted(lookup, keys, owners, votes)
            scanned += self._recent_size
        return votes, scanned

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        """Arrays to persist (compacts first)."""
        self.compact()
        return {"starts": self._starts, "postings": self._stream}

    @classmethod
    def from_state(
        cls, params: IndexParameters, starts: npt.NDArray[np.int64], postings: npt.NDArray[np.uint8]
    ) -> PairIndex:
        """Inverse of :meth:`state` (arrays may be memory-mapped, read-only).

        Raises
        ------
        ValueError
            If the arrays do not fit the parameters or each other.
        """
        if (
            starts.shape != (params.key_space + 1,)
            or starts.dtype != np.int64
            or postings.dtype != np.uint8
            or int(starts[0]) != 0
            or int(starts[-1]) != postings.size
            or bool(np.any(np.diff(starts) < 0))
        ):
            raise ValueError("index arrays do not match the index parameters")
        index = cls(params)
        index._starts, index._stream = starts, postings
        index._entries, index._row_bound = _pairs.stream_stats(starts, postings)
        return index
