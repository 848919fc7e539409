"""An identification gallery: enrolled subjects, up to ten fingers each, and search.

::

    gallery = Gallery()
    gallery.enrol("S-0001", {2: right_index, 7: left_index})   # position -> Template
    result = gallery.search({2: probe_right_index})
    result.candidates[0].subject_id, result.candidates[0].score, result.identified

Storage, per enrolled finger: its minutiae packed in 7 bytes each (x, y in
whole pixels, angle in 256ths of a turn, type, quality: the precision of
ISO/IEC 19794-2:2005) with a 16-byte minutia code each (the comparison
form, :mod:`interop.fingerprints.matcher.codes`), a row of finger
metadata, and its pre-filter keys (:mod:`.index`, one or two bytes each).

Search (:meth:`Gallery.search`), three stages:

1. *pre-filter*: each probe finger votes through the index of its own
   finger position (like positions only; position 0, unknown, forms its own
   group); votes become a pre-filter score per subject, summed over fingers;
2. *comparison*: every finger in common of the ``shortlist`` best subjects
   is compared from its stored form (the code comparison, about 10 µs, one
   compiled loop per finger position) and the per-finger scores fused
   (:func:`.fusion.fused_score`);
3. *verification*: the best candidates (30 finger comparisons' worth:
   :meth:`SearchParameters.verify_size`) are compared again,
   finger by finger, with the cylinder comparison of
   :func:`interop.fingerprints.compare` (more accurate, about 0.5 ms a
   finger as the stored finger has to be prepared), whose scores replace
   theirs.

Both comparisons are calibrated to the same false-match scale, so the
candidates of stages 2 and 3 rank on one scale.
Ties are broken by subject id, so that a sharded gallery returns exactly
what one gallery returns.

Concurrency: any number of searches run together; enrolment, replacement and
removal wait for them and exclude them, so a search sees a subject wholly
or not at all.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from interop.fingerprints.gallery._pairs import add_vote_scores
from interop.fingerprints.gallery.fusion import fused_score, threshold_for_fpir
from interop.fingerprints.gallery.index import (
    DEFAULT_INDEX_PARAMETERS,
    IndexParameters,
    PairIndex,
    enrolment_keys,
    search_keys,
)
from interop.fingerprints.matcher import PreparedTemplate, compare, prepare
from interop.fingerprints.matcher.codes import (
    MAX_MINUTIAE,
    PACKED_MINUTIA_DTYPE,
    CodedProbe,
    CodedTemplate,
    best_minutiae,
    encode,
    pack_minutiae,
    prepare_stored,
    unpack_minutiae,
)
from interop.fingerprints.template import Template

FINGER_POSITIONS = range(11)
"""ANSI/NIST finger positions: 0 unknown, 1-5 right thumb to little, 6-10 left."""

MAX_SUBJECT_ID_LENGTH = 64

_CODE_DTYPE = np.dtype([("words", "<u8", (2,))])
"""A stored minutia code (:mod:`interop.fingerprints.matcher.codes`)."""

_ROW_DTYPE = np.dtype(
    [
        ("subject", "<i4"),
        ("position", "u1"),
        ("alive", "?"),
        ("start", "<i8"),
        ("count", "<u2"),
        ("keys", "<u2"),
        ("width", "<u2"),
        ("height", "<u2"),
        ("local", "<i4"),
    ]
)
"""Metadata of a stored finger; ``local`` is its row in its position's group."""

_FORMAT = "interop-gallery-4"


class GalleryError(ValueError):
    """A gallery operation was given something it cannot take."""


class GalleryFileError(GalleryError):
    """A saved gallery cannot be read: missing, damaged or of another format."""


@dataclass(frozen=True)
class SearchParameters:
    """How a search runs.

    Attributes
    ----------
    shortlist : int
        Subjects compared in full after the pre-filter, for a single-finger
        probe; a probe of n fingers, whose pre-filter ranks far better,
        gets ``max(min_shortlist, ceil(shortlist / n))``
        (:meth:`shortlist_size`). A finger comparison costs about 10 µs,
        so the default shortlists cost a few milliseconds a search.
    min_shortlist : int
        Smallest shortlist, whatever the number of probe fingers.
    candidates : int
        Length of the returned candidate list.
    fpir : float
        Target false-positive identification rate of the decision.
    min_probe_minutiae : int
        Probe fingers with fewer minutiae are left out (failure to enrol).
    verify : int
        Finger comparisons of the verification stage: the
        ``ceil(verify / n)`` best candidates of the code comparison, for a
        probe of n fingers, are compared again with the cylinder comparison
        (:meth:`verify_size`; 0: no verification).
    prefilter_fingers : int
        At most this many probe fingers vote in the pre-filter: those with
        the most minutiae (:func:`prefilter_probe`). The pre-filter's cost
        grows with the fingers voting (about 11 ms a finger at 100,000
        subjects); the shortlist is sized for the voting fingers, and its
        subjects are compared on every probe finger.
    prefilter_margin : float
        Fraction of a bin width (0 to 0.5): a probe pair also looks up the
        neighbouring bin along each axis where its value lies this close to
        the bin's edge (:func:`~.index.search_keys`). Smaller margins read
        fewer index entries and tolerate less measurement noise.
    prefilter_common : float or None
        Probe keys whose index row list is longer than this many times the
        mean list are not looked up (:meth:`~.index.PairIndex.votes`): the
        commonest pair configurations, most of the reading for little
        separation. ``None`` looks up every key.
    verify_band : float or None
        Verify only candidates whose code-comparison score is within this
        many points (10·log10 of the false-match odds) of the decision
        threshold; ``None`` verifies the best candidates whatever their
        score. A candidate far below the threshold (most of a non-mated
        search) or far above it (a ten-print mate) keeps the decision the
        cylinder comparison would give it, and the search saves the
        verification's cylinder builds.
    """

    shortlist: int = 200
    min_shortlist: int = 20
    candidates: int = 10
    fpir: float = 0.001
    min_probe_minutiae: int = 5
    verify: int = 30
    prefilter_fingers: int = 10
    prefilter_margin: float = 0.5
    prefilter_common: float | None = None
    verify_band: float | None = None

    def __post_init__(self) -> None:
        if self.shortlist < 1 or self.candidates < 1 or self.min_shortlist < 1:
            raise ValueError("shortlist, min_shortlist and candidates must be at least 1")
        if not 0.0 < self.fpir < 1.0:
            raise ValueError(f"fpir must be in (0, 1), got {self.fpir!r}")
        if self.min_probe_minutiae < 0:
            raise ValueError("min_probe_minutiae must be non-negative")
        if self.verify < 0:
            raise ValueError("verify must be non-negative")
        if self.prefilter_fingers < 1:
            raise ValueError("prefilter_fingers must be at least 1")
        if not 0.0 <= self.prefilter_margin <= 0.5:
            raise ValueError(f"prefilter_margin must be in [0, 0.5], got {self.prefilter_margin!r}")
        if self.prefilter_common is not None and not self.prefilter_common > 0:
            raise ValueError("prefilter_common must be positive")
        if self.verify_band is not None and not self.verify_band >= 0:
            raise ValueError("verify_band must be non-negative")

    def shortlist_size(self, fingers: int) -> int:
        """Subjects compared in full for a probe of ``fingers`` usable fingers.

        Examples
        --------
        >>> [SearchParameters().shortlist_size(n) for n in (1, 2, 4, 10)]
        [200, 100, 50, 20]
        """
        return max(self.min_shortlist, -(-self.shortlist // max(fingers, 1)))

    def verify_size(self, fingers: int) -> int:
        """Candidates verified for a probe of ``fingers`` usable fingers.

        Examples
        --------
        >>> [SearchParameters().verify_size(n) for n in (1, 2, 4, 10)]
        [30, 15, 8, 3]
        """
        return -(-self.verify // max(fingers, 1))


DEFAULT_SEARCH_PARAMETERS = SearchParameters()


@dataclass(frozen=True)
class Candidate:
    """One subject of a candidate list.

    Attributes
    ----------
    subject_id : str
    score : float
        Fused score (:func:`.fusion.fused_score`), false-match scale.
    finger_scores : dict of int to float
        Calibrated score of each finger position compared.
    prefilter : float
        The pre-filter score that put it on the shortlist.
    verified : bool
        Whether the scores are the cylinder comparison's (verification
        stage) rather than the code comparison's.
    """

    subject_id: str
    score: float
    finger_scores: dict[int, float]
    prefilter: float
    verified: bool = False


@dataclass(frozen=True)
class SearchResult:
    """What a search returns.

    Attributes
    ----------
    candidates : list of Candidate
        Best first (score, then subject id).
    threshold : float
        Fused score at which a candidate is an identification, for the
        target FPIR and the number of subjects searched.
    searched : int
        Subjects searched (the gallery, or its filtered part).
    probe_fingers : tuple of int
        Probe finger positions used (after failures to enrol).
    scanned : int
        Index entries read by the pre-filter.
    compared : int
        Finger comparisons in full (code comparison).
    verified : int
        Finger comparisons of the verification stage.
    timings_s : dict of str to float
        Seconds spent in each stage: ``prefilter``, ``encode_probe``,
        ``compare``, ``verify``.
    shortlisted : tuple of str
        The subjects the pre-filter passed to full comparison, best first.
    """

    candidates: list[Candidate]
    threshold: float
    searched: int
    probe_fingers: tuple[int, ...]
    scanned: int = 0
    compared: int = 0
    shortlisted: tuple[str, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)
    verified: int = 0

    @property
    def identified(self) -> bool:
        """Whether the best candidate reaches the threshold."""
        return bool(self.candidates) and self.candidates[0].score >= self.threshold

    @property
    def identity(self) -> str | None:
        """The identified subject, or ``None``."""
        return self.candidates[0].subject_id if self.identified else None


class _ReadWriteLock:
    """Many readers or one writer (writers are not starved: they queue first)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class _Growable:
    """A 1-D NumPy array with amortised O(1) append."""

    def __init__(
        self, dtype: np.dtype[np.void] | type, data: npt.NDArray[np.generic] | None = None
    ) -> None:
        self.data: npt.NDArray[Any] = np.zeros(16, dtype=dtype) if data is None else data
        self.size = 0 if data is None else int(data.shape[0])

    def extend(self, values: npt.NDArray[np.generic]) -> int:
        start = self.size
        end = start + values.shape[0]
        if end > self.data.shape[0] or not self.data.flags.writeable:
            grown = np.zeros(max(end, 2 * self.data.shape[0]), dtype=self.data.dtype)
            grown[:start] = self.data[:start]
            self.data = grown
        self.data[start:end] = values
        self.size = end
        return start

    def view(self) -> npt.NDArray[Any]:
        return self.data[: self.size]


class _MinutiaStore:
    """The stored minutiae and their codes (minutia k and code k belong together).

    A loaded gallery's arrays (memory-mapped and read-only, or read into
    memory) stay as they are, the *base*; enrolments append to a *tail* in
    memory. Processes that map one saved gallery so share its pages even
    after they enrol: extending the base would copy all of it into each.
    A finger's minutiae lie wholly in one of the two.
    """

    def __init__(
        self,
        minutiae: npt.NDArray[np.void] | None = None,
        codes: npt.NDArray[np.void] | None = None,
    ) -> None:
        self.base_minutiae = (
            np.zeros(0, dtype=PACKED_MINUTIA_DTYPE) if minutiae is None else minutiae
        )
        self.base_codes = np.zeros(0, dtype=_CODE_DTYPE) if codes is None else codes
        self.minutiae = _Growable(PACKED_MINUTIA_DTYPE)
        self.codes = _Growable(_CODE_DTYPE)

    @property
    def size(self) -> int:
        """Minutiae stored."""
        return int(self.base_minutiae.shape[0]) + self.minutiae.size

    def extend(self, minutiae: npt.NDArray[np.void], codes: npt.NDArray[np.void]) -> int:
        """Append minutiae and their codes; returns the index of the first."""
        self.codes.extend(codes)
        return int(self.base_minutiae.shape[0]) + self.minutiae.extend(minutiae)

    def minutiae_at(self, start: int, count: int) -> npt.NDArray[np.void]:
        """Minutiae ``start .. start + count - 1`` (one finger's)."""
        first = int(self.base_minutiae.shape[0])
        if start >= first:
            return self.minutiae.data[start - first : start - first + count]
        return self.base_minutiae[start : start + count]

    def parts(self) -> list[tuple[int, npt.NDArray[np.void], npt.NDArray[np.uint64]]]:
        """(index of its first minutia, minutiae, (n, 2) code words) of the base
        and the tail, the empty ones left out."""
        out = []
        first = int(self.base_minutiae.shape[0])
        if first:
            out.append((0, self.base_minutiae, self.base_codes["words"]))
        if self.minutiae.size:
            out.append((first, self.minutiae.view(), self.codes.view()["words"]))
        return out

    def arrays(self) -> tuple[list[npt.NDArray[np.void]], list[npt.NDArray[np.void]]]:
        """The minutiae's and the codes' pieces, in order (to save them)."""
        return [self.base_minutiae, self.minutiae.view()], [self.base_codes, self.codes.view()]


def _save_pieces(path: Path, pieces: list[npt.NDArray[Any]]) -> None:
    """Write the concatenation of 1-D arrays as one ``.npy`` file, piece by piece
    (never the whole in memory)."""
    total = sum(int(p.shape[0]) for p in pieces)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=pieces[0].dtype, shape=(total,))
    at = 0
    for piece in pieces:
        out[at : at + piece.shape[0]] = piece
        at += int(piece.shape[0])
    out.flush()
    del out


def _normalise_fingers(
    fingers: Mapping[int, Template | None] | Iterable[Template],
) -> dict[int, Template]:
    """``{position: template}`` from a mapping or from templates' own positions."""
    if isinstance(fingers, Mapping):
        items = [(int(p), t) for p, t in fingers.items() if t is not None]
    else:
        items = []
        for t in fingers:
            if not isinstance(t, Template):
                raise GalleryError(f"expected Template, got {type(t).__name__}")
            items.append((int(t.finger_position), t))
    out: dict[int, Template] = {}
    for position, template in items:
        if position not in FINGER_POSITIONS:
            raise GalleryError(f"finger position must be 0..10, got {position}")
        if not isinstance(template, Template):
            kind = type(template).__name__
            raise GalleryError(f"finger {position}: expected Template, got {kind}")
        if position in out:
            raise GalleryError(f"finger position {position} given twice")
        if template.resolution_ppi != 500:
            raise GalleryError(
                f"finger {position}: templates must be at 500 ppi, got {template.resolution_ppi}"
            )
        out[position] = template
    if not out:
        raise GalleryError("no finger given")
    return out


def _check_subject_id(subject_id: object) -> str:
    if (
        not isinstance(subject_id, str)
        or not 0 < len(subject_id) <= MAX_SUBJECT_ID_LENGTH
        or not subject_id.isprintable()
    ):
        raise GalleryError(
            f"subject id must be a printable string of 1..{MAX_SUBJECT_ID_LENGTH} characters"
        )
    return subject_id


def usable_probe(
    probe: Mapping[int, Template | None] | Iterable[Template],
    params: SearchParameters = DEFAULT_SEARCH_PARAMETERS,
) -> dict[int, Template]:
    """A probe's fingers by position, without those with too few minutiae,
    and with at most :data:`MAX_MINUTIAE` (the best quality) each, as enrolled
    fingers have.

    Raises
    ------
    GalleryError
        If the probe is invalid (see :meth:`Gallery.enrol`).
    """
    out = {}
    for p, t in _normalise_fingers(probe).items():
        if t.minutiae.shape[0] < params.min_probe_minutiae:
            continue
        if t.minutiae.shape[0] > MAX_MINUTIAE:
            t = dataclasses.replace(t, minutiae=best_minutiae(t.minutiae))
        out[p] = t
    return out


def prefilter_probe(
    fingers: Mapping[int, Template], params: SearchParameters = DEFAULT_SEARCH_PARAMETERS
) -> dict[int, Template]:
    """The probe fingers that vote in the pre-filter: the
    ``params.prefilter_fingers`` with the most minutiae (ties: lower
    position first), by position.

    >>> import numpy as np
    >>> from interop.fingerprints.template import MINUTIA_DTYPE, Template
    >>> def t(n): return Template(np.zeros(n, MINUTIA_DTYPE), 400, 500)
    >>> probe = {1: t(30), 2: t(45), 7: t(45)}
    >>> sorted(prefilter_probe(probe, SearchParameters(prefilter_fingers=2)))
    [2, 7]
    """
    if len(fingers) <= params.prefilter_fingers:
        return dict(fingers)
    ranked = sorted(fingers, key=lambda p: (-fingers[p].minutiae.shape[0], p))
    return {p: fingers[p] for p in sorted(ranked[: params.prefilter_fingers])}


def merge_shortlists(
    lists: Iterable[list[tuple[str, float]]], size: int
) -> list[tuple[str, float]]:
    """The ``size`` best (subject id, score) entries of several lists: highest
    score first, ties by subject id (the order every search stage uses)."""
    merged = [entry for entries in lists for entry in entries]
    merged.sort(key=lambda e: (-e[1], e[0]))
    return merged[:size]


PREPARED_ROWS_CACHED = 2048
"""Stored fingers a gallery keeps prepared for verification (about 20 KB each)."""

PROBE_FORMS_CACHED = 1024
"""Probe fingers whose comparison forms :func:`probe_forms` keeps (a few KB each, about
20 KB more once verified):
enough for the 50 bookings a prefetch helper may prepare ahead of the FBI, and
IDENT's search of each after."""


class ProbeForms:
    """A probe finger ready for the search: its codes for the comparison
    stage (:attr:`coded`) and its cylinders for the verification stage
    (:attr:`prepared`, built on first use: most searches verify no
    candidate, see :attr:`SearchParameters.verify_band`).

    Pickled without the cylinders (a helper process that makes the forms
    sends the codes only; they are about a tenth of the size).
    """

    __slots__ = ("_prepared", "coded", "template")

    def __init__(self, coded: CodedProbe, template: Template) -> None:
        self.coded = coded
        self.template = template
        self._prepared: PreparedTemplate | None = None

    @property
    def prepared(self) -> PreparedTemplate:
        """The verification form (:func:`~interop.fingerprints.matcher.codes.prepare_stored`)."""
        made = self._prepared
        if made is None:  # two threads may both build it: equal results
            made = self._prepared = prepare_stored(self.template)
        return made

    def __getstate__(self) -> tuple[CodedProbe, Template]:
        return self.coded, self.template

    def __setstate__(self, state: tuple[CodedProbe, Template]) -> None:
        self.coded, self.template = state
        self._prepared = None


class PreparedProbe(Mapping[int, PreparedTemplate]):
    """A probe's verification forms by position, each built when first read."""

    def __init__(self, forms: Mapping[int, ProbeForms]) -> None:
        self._forms = dict(forms)

    def __getitem__(self, position: int) -> PreparedTemplate:
        return self._forms[position].prepared

    def __iter__(self) -> Iterator[int]:
        return iter(self._forms)

    def __len__(self) -> int:
        return len(self._forms)


_probe_forms_cache: OrderedDict[bytes, ProbeForms] = OrderedDict()
_probe_forms_lock = threading.Lock()


def probe_key(template: Template) -> bytes:
    """What a probe finger's comparison forms are made from, as bytes: its
    minutiae at the stored precision, image size, resolution and position."""
    head = np.array(
        [template.width, template.height, template.resolution_ppi, template.finger_position],
        dtype=np.int64,
    )
    return head.tobytes() + pack_minutiae(template).tobytes()


def make_probe_forms(template: Template) -> ProbeForms:
    """The comparison forms of a probe finger (its cylinders built only if
    it is verified)."""
    return ProbeForms(CodedProbe.of(encode(template)), template)


def remember_probe_forms(key: bytes, forms: ProbeForms) -> None:
    """Keep ``forms`` (of the finger whose :func:`probe_key` is ``key``) for
    :func:`probe_forms`: e.g. made ahead of the search in another process."""
    with _probe_forms_lock:
        _probe_forms_cache[key] = forms
        _probe_forms_cache.move_to_end(key)
        while len(_probe_forms_cache) > PROBE_FORMS_CACHED:
            _probe_forms_cache.popitem(last=False)


def coded_form(template: Template) -> CodedTemplate:
    """The stored form of a finger (:func:`~interop.fingerprints.matcher.codes.encode`),
    taken from the probe forms kept by :func:`probe_forms` when this finger
    was searched lately (a subject enrolled after a search that found no
    one), else built: equal content gives equal codes either way."""
    forms = None
    if _probe_forms_cache:  # empty while a gallery is filled from the store: no key to make
        key = probe_key(template)
        with _probe_forms_lock:
            forms = _probe_forms_cache.get(key)
    return forms.coded.coded if forms is not None else encode(template)


def probe_forms(
    fingers: Mapping[int, Template],
) -> tuple[dict[int, CodedProbe], PreparedProbe]:
    """The probe fingers ready for the comparison stage (codes) and for the
    verification stage (cylinders, built when first read), at the stored
    precision (:func:`make_probe_forms`).

    The forms of the last :data:`PROBE_FORMS_CACHED` fingers are kept by
    content (:func:`probe_key`), which is all the forms are made from: a
    booking's fingers searched again in another gallery of this process
    (the FBI's, then IDENT's) are built once. The forms are read-only, and
    equal content gives equal forms, so a kept one is what a new build
    would give.
    """
    found = {}
    for position, template in fingers.items():
        key = probe_key(template)
        with _probe_forms_lock:
            forms = _probe_forms_cache.get(key)
            if forms is not None:
                _probe_forms_cache.move_to_end(key)
        if forms is None:
            forms = make_probe_forms(template)
            remember_probe_forms(key, forms)
        found[position] = forms
    return {p: f.coded for p, f in found.items()}, PreparedProbe(found)


def to_verify(
    candidates: Iterable[Candidate], params: SearchParameters, fingers: int, searched: int
) -> list[Candidate]:
    """The candidates the verification stage compares again: the
    ``params.verify_size(fingers)`` best (score, then subject id), and with
    ``params.verify_band`` only those that close to the threshold of a search
    over ``searched`` subjects."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.subject_id))
    chosen = ranked[: params.verify_size(fingers)]
    if params.verify_band is None:
        return chosen
    threshold = threshold_for_fpir(max(searched, 1), params.fpir)
    return [c for c in chosen if abs(c.score - threshold) <= params.verify_band]


def with_verified(
    candidates: Iterable[Candidate], verified: Iterable[Candidate]
) -> list[Candidate]:
    """``candidates`` with those of the same subject in ``verified`` replaced."""
    by_id = {c.subject_id: c for c in verified}
    return [by_id.get(c.subject_id, c) for c in candidates]


def assemble_result(
    candidates: list[Candidate],
    *,
    searched: int,
    probe_fingers: tuple[int, ...],
    params: SearchParameters,
    scanned: int = 0,
    compared: int = 0,
    verified: int = 0,
    shortlisted: tuple[str, ...] = (),
    timings_s: dict[str, float] | None = None,
) -> SearchResult:
    """The :class:`SearchResult` of fully compared candidates (any order)."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.subject_id))
    return SearchResult(
        candidates=ranked[: params.candidates],
        threshold=threshold_for_fpir(max(searched, 1), params.fpir),
        searched=searched,
        probe_fingers=probe_fingers,
        scanned=scanned,
        compared=compared,
        verified=verified,
        shortlisted=shortlisted,
        timings_s=dict(timings_s or {}),
    )


@dataclass(frozen=True)
class EnrolmentBatch:
    """Subjects ready to enrol: packed minutiae, codes and pre-filter keys, no objects.

    Made by :func:`pack_enrolments` (in any process: it is picklable and
    the costly part of enrolment) and taken by :meth:`Gallery.enrol_batch`.
    F fingers in all, each belonging to one of the subjects.

    Attributes
    ----------
    subject_ids : tuple of str
    finger_subject : (F,) int32 ndarray
        Index into ``subject_ids`` of each finger; a subject's fingers are
        consecutive.
    positions : (F,) uint8 ndarray
    minutiae : (M,) ndarray of :data:`PACKED_MINUTIA_DTYPE`
    codes : (M, 2) uint64 ndarray
        The minutiae's codes (:func:`interop.fingerprints.matcher.codes.encode`).
    minutia_offsets : (F + 1,) int64 ndarray
        Finger f's minutiae are ``minutiae[minutia_offsets[f]:minutia_offsets[f + 1]]``.
    sizes : (F, 2) uint16 ndarray
        Image width and height of each finger, px.
    keys : (K,) int32 ndarray
    key_offsets : (F + 1,) int64 ndarray
        Finger f's pre-filter keys, as for the minutiae.
    index_params : IndexParameters
        The parameters the keys were made with.
    """

    subject_ids: tuple[str, ...]
    finger_subject: npt.NDArray[np.int32]
    positions: npt.NDArray[np.uint8]
    minutiae: npt.NDArray[np.void]
    codes: npt.NDArray[np.uint64]
    minutia_offsets: npt.NDArray[np.int64]
    sizes: npt.NDArray[np.uint16]
    keys: npt.NDArray[np.int32]
    key_offsets: npt.NDArray[np.int64]
    index_params: IndexParameters


def pack_enrolments(
    subjects: Iterable[tuple[str, Mapping[int, Template | None] | Iterable[Template]]],
    index_params: IndexParameters = DEFAULT_INDEX_PARAMETERS,
    stored: Mapping[tuple[str, int], CodedTemplate] | None = None,
) -> EnrolmentBatch:
    """Validate and pack subjects for :meth:`Gallery.enrol_batch`.

    ``stored`` holds comparison forms already made, by (subject id,
    position), e.g. read back from the store
    (:func:`~interop.fingerprints.matcher.codes.coded_from_bytes`): one is
    used when its minutiae are the template's at the stored precision, and
    the finger is encoded otherwise (:func:`coded_form`).

    Raises
    ------
    GalleryError
        For an invalid subject id or finger set (see :meth:`Gallery.enrol`),
        or a subject id given twice.
    """
    ids: list[str] = []
    seen: set[str] = set()
    owner: list[int] = []
    positions: list[int] = []
    packed: list[npt.NDArray[np.void]] = []
    codes: list[npt.NDArray[np.uint64]] = []
    sizes: list[tuple[int, int]] = []
    keys: list[npt.NDArray[np.int32]] = []
    for subject_id, fingers in subjects:
        sid = _check_subject_id(subject_id)
        if sid in seen:
            raise GalleryError(f"subject {sid!r} given twice")
        seen.add(sid)
        for position, template in sorted(_normalise_fingers(fingers).items()):
            given = None if stored is None else stored.get((sid, position))
            if given is not None and np.array_equal(given.minutiae, pack_minutiae(template)):
                coded = given
            else:
                coded = coded_form(template)
            owner.append(len(ids))
            positions.append(position)
            packed.append(coded.minutiae)
            codes.append(coded.codes)
            sizes.append((min(template.width, 65535), min(template.height, 65535)))
            keys.append(enrolment_keys(unpack_minutiae(coded.minutiae), index_params))
        ids.append(sid)

    def offsets(parts: list[npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
        out = np.zeros(len(parts) + 1, dtype=np.int64)
        out[1:] = np.cumsum([part.shape[0] for part in parts])
        return out

    return EnrolmentBatch(
        subject_ids=tuple(ids),
        finger_subject=np.asarray(owner, dtype=np.int32),
        positions=np.asarray(positions, dtype=np.uint8),
        minutiae=np.concatenate(packed) if packed else np.zeros(0, PACKED_MINUTIA_DTYPE),
        codes=np.concatenate(codes) if codes else np.zeros((0, 2), np.uint64),
        minutia_offsets=offsets(packed),
        sizes=np.asarray(sizes, dtype=np.uint16).reshape(-1, 2),
        keys=np.concatenate(keys) if keys else np.zeros(0, np.int32),
        key_offsets=offsets(keys),
        index_params=index_params,
    )


class _PositionGroup:
    """The fingers of one finger position: pre-filter index and per-finger weights.

    Fingers get consecutive *local* ids in enrolment order; ``rows`` maps
    them to gallery rows, ``owner`` to subject indexes, and ``weight`` holds
    ``1 / sqrt(keys)`` (0 once removed), the share of one coincidence in the
    finger's pre-filter score.
    """

    def __init__(self, params: IndexParameters) -> None:
        self.index = PairIndex(params)
        self.rows = _Growable(np.int32)
        self.owner = _Growable(np.int32)
        self.weight = _Growable(np.float32)

    @property
    def nbytes(self) -> int:
        return self.index.nbytes + 12 * self.rows.size

    def add(
        self,
        rows: npt.NDArray[np.int32],
        owners: npt.NDArray[np.int32],
        key_counts: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int32]:
        """Give fingers local ids (returned); their keys are filed separately."""
        first = self.rows.extend(rows)
        self.owner.extend(owners)
        self.weight.extend((1.0 / np.sqrt(np.maximum(key_counts, 1))).astype(np.float32))
        return np.arange(first, first + rows.shape[0], dtype=np.int32)

    def remove(self, local: int) -> None:
        self.weight.data[local] = 0.0
        self.index.remove(local)

    @classmethod
    def restore(cls, index: PairIndex, rows: npt.NDArray[np.void], position: int) -> _PositionGroup:
        """Rebuild from a loaded index and the gallery's rows."""
        group = cls(index.params)
        group.index = index
        mine = np.flatnonzero(rows["position"] == position)
        mine = mine[np.argsort(rows["local"][mine], kind="stable")]
        if not np.array_equal(rows["local"][mine], np.arange(mine.size)):
            raise GalleryFileError(f"finger rows of position {position} are inconsistent")
        if index.row_bound > mine.size:  # the vote kernel writes a count per row listed
            raise GalleryFileError(f"the index of position {position} lists unknown fingers")
        group.add(
            mine.astype(np.int32),
            rows["subject"][mine].astype(np.int32),
            rows["keys"][mine].astype(np.int64),
        )
        dead = ~rows["alive"][mine]
        group.weight.data[: mine.size][dead] = 0.0
        return group


class Gallery:
    """Enrolled subjects with up to ten fingers each; 1:N search.

    Parameters
    ----------
    index_params : IndexParameters
        Pre-filter key parameters (fixed for the gallery's life).
    """

    def __init__(self, index_params: IndexParameters = DEFAULT_INDEX_PARAMETERS) -> None:
        self.index_params = index_params
        self._lock = _ReadWriteLock()
        self._subject_ids: list[str] = []
        self._subject_index: dict[str, int] = {}
        self._subject_rows: dict[int, list[int]] = {}
        self._rows = _Growable(_ROW_DTYPE)
        self._minutiae = _MinutiaStore()
        self._groups: dict[int, _PositionGroup] = {}
        self._enrolled = _Growable(np.bool_)  # by subject index
        # verification prepares stored fingers (about 1 ms each); the same
        # candidates come up again and again (a gallery's "hubs" near the
        # threshold, people booked again), so the last ones are kept. Rows
        # are never rewritten (a removed subject's rows are left unused),
        # so a row's prepared form never goes stale.
        self._prepared: OrderedDict[int, PreparedTemplate] = OrderedDict()
        self._prepared_lock = threading.Lock()

    # --- contents ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._subject_rows)

    def __contains__(self, subject_id: object) -> bool:
        index = self._subject_index.get(subject_id) if isinstance(subject_id, str) else None
        return index is not None and index in self._subject_rows

    def subject_ids(self) -> list[str]:
        """Enrolled subjects, in enrolment order."""
        with self._lock.read():
            return [self._subject_ids[i] for i in self._subject_rows]

    @property
    def finger_count(self) -> int:
        """Enrolled fingers."""
        with self._lock.read():
            return sum(len(rows) for rows in self._subject_rows.values())

    def fingers(self, subject_id: str) -> dict[int, Template]:
        """The stored fingers of a subject (as stored: packed precision).

        Raises
        ------
        KeyError
            If the subject is not enrolled.
        """
        with self._lock.read():
            index = self._subject_index.get(subject_id)
            if index is None or index not in self._subject_rows:
                raise KeyError(subject_id)
            return {
                int(self._rows.data[r]["position"]): self._template(r)
                for r in self._subject_rows[index]
            }

    def memory_bytes(self) -> int:
        """Bytes held by stored minutiae and their codes, finger rows and the
        indexes."""
        with self._lock.read():
            return int(
                self._rows.size * _ROW_DTYPE.itemsize
                + self._minutiae.size * (PACKED_MINUTIA_DTYPE.itemsize + _CODE_DTYPE.itemsize)
                + sum(g.nbytes for g in self._groups.values())
            )

    # --- enrolment ----------------------------------------------------------------
    def enrol(
        self, subject_id: str, fingers: Mapping[int, Template | None] | Iterable[Template]
    ) -> None:
        """Add a subject.

        Raises
        ------
        GalleryError
            If the subject is already enrolled, or the fingers are invalid
            (positions outside 0..10 or repeated, not 500 ppi, none given).
        """
        self.enrol_batch(pack_enrolments([(subject_id, fingers)], self.index_params))

    def replace(
        self, subject_id: str, fingers: Mapping[int, Template | None] | Iterable[Template]
    ) -> None:
        """Replace a subject's fingers (or add the subject), atomically."""
        batch = pack_enrolments([(subject_id, fingers)], self.index_params)
        with self._lock.write():
            if batch.subject_ids[0] in self:
                self._delete(self._subject_index[batch.subject_ids[0]])
            self._insert(batch)

    def remove(self, subject_id: str) -> None:
        """Remove a subject.

        Raises
        ------
        KeyError
            If the subject is not enrolled.
        """
        with self._lock.write():
            if subject_id not in self:
                raise KeyError(subject_id)
            self._delete(self._subject_index[subject_id])

    def enrol_batch(self, batch: EnrolmentBatch) -> None:
        """Add the subjects of a batch (:func:`pack_enrolments`), all or none.

        Raises
        ------
        GalleryError
            If a subject is already enrolled, or the batch was packed with
            other index parameters.
        """
        if batch.index_params != self.index_params:
            raise GalleryError("the batch was packed with other index parameters")
        with self._lock.write():
            present = [sid for sid in batch.subject_ids if sid in self]
            if present:
                raise GalleryError(f"subject {present[0]!r} is already enrolled")
            self._insert(batch)

    def _insert(self, batch: EnrolmentBatch) -> None:
        """Append a batch's fingers (writer lock held, ids checked)."""
        subjects = np.empty(len(batch.subject_ids), dtype=np.int32)
        for k, sid in enumerate(batch.subject_ids):
            index = self._subject_index.get(sid)
            if index is None:
                index = len(self._subject_ids)
                self._subject_ids.append(sid)
                self._subject_index[sid] = index
                self._enrolled.extend(np.zeros(1, dtype=np.bool_))
            self._enrolled.data[index] = True
            subjects[k] = index
        n = batch.positions.shape[0]
        start = self._minutiae.extend(batch.minutiae, batch.codes.view(_CODE_DTYPE).reshape(-1))
        rows = np.zeros(n, dtype=_ROW_DTYPE)
        rows["subject"] = subjects[batch.finger_subject]
        rows["position"] = batch.positions
        rows["alive"] = True
        rows["start"] = start + batch.minutia_offsets[:-1]
        rows["count"] = np.diff(batch.minutia_offsets)
        rows["keys"] = np.minimum(np.diff(batch.key_offsets), 65535)
        rows["width"] = batch.sizes[:, 0]
        rows["height"] = batch.sizes[:, 1]
        first = self._rows.size
        row_ids = np.arange(first, first + n, dtype=np.int32)
        key_counts = np.diff(batch.key_offsets)
        for position in np.unique(batch.positions).tolist():
            fingers = np.flatnonzero(batch.positions == position)
            if position not in self._groups:
                self._groups[position] = _PositionGroup(self.index_params)
            group = self._groups[position]
            local = group.add(row_ids[fingers], rows["subject"][fingers], key_counts[fingers])
            rows["local"][fingers] = local
            group.index.add_many(local, batch.keys, batch.key_offsets, fingers)
        self._rows.extend(rows)
        for k, r in zip(batch.finger_subject.tolist(), row_ids.tolist(), strict=True):
            self._subject_rows.setdefault(int(subjects[k]), []).append(r)

    def _delete(self, index: int) -> None:
        self._enrolled.data[index] = False
        for r in self._subject_rows.pop(index):
            meta = self._rows.data[r]
            meta["alive"] = False
            self._groups[int(meta["position"])].remove(int(meta["local"]))

    # --- search -------------------------------------------------------------------
    def _template(self, row: int) -> Template:
        meta = self._rows.data[row]
        start, count = int(meta["start"]), int(meta["count"])
        return Template(
            minutiae=unpack_minutiae(self._minutiae.minutiae_at(start, count)),
            width=int(meta["width"]),
            height=int(meta["height"]),
            resolution_ppi=500,
            finger_position=int(meta["position"]),
        )

    def _prefilter(
        self,
        probe: Mapping[int, Template],
        subset: Collection[str] | None,
        margin: float,
        common: float | None,
    ) -> tuple[npt.NDArray[np.float64], int]:
        n_subjects = len(self._subject_ids)
        total = np.zeros(n_subjects, dtype=np.float64)
        scanned = 0
        for position, template in probe.items():
            group = self._groups.get(position)
            if group is None:
                continue
            keys = search_keys(template.minutiae, self.index_params, margin)
            if keys.size == 0:
                continue
            votes, n = group.index.votes(keys, group.rows.size, common)
            scanned += n
            # cosine of the two key sets: coincidences / sqrt(gallery keys * probe keys)
            add_vote_scores(
                votes, group.weight.view(), group.owner.view(), 1.0 / math.sqrt(keys.size), total
            )
        searched = self._enrolled.view().copy()
        if subset is not None:
            wanted = np.zeros(n_subjects, dtype=bool)
            ids = [self._subject_index[s] for s in subset if s in self._subject_index]
            wanted[ids] = True
            searched &= wanted
        total[~searched] = -np.inf
        return total, scanned

    def search(
        self,
        probe: Mapping[int, Template | None] | Iterable[Template],
        *,
        params: SearchParameters = DEFAULT_SEARCH_PARAMETERS,
        subset: Collection[str] | None = None,
    ) -> SearchResult:
        """Search a probe of one to ten fingers.

        Parameters
        ----------
        probe : mapping of position to Template (``None`` for a missing
            finger), or templates carrying their positions
        params : SearchParameters, keyword-only
        subset : collection of str, optional, keyword-only
            Search only these subjects (a gallery filter); unknown ids are
            ignored.

        Returns
        -------
        SearchResult

        Raises
        ------
        GalleryError
            If the probe is invalid (see :meth:`enrol`).
        """
        fingers = usable_probe(probe, params)
        voters = prefilter_probe(fingers, params)
        with self._lock.read():
            t0 = time.perf_counter()
            size = params.shortlist_size(len(voters))
            entries, searched, scanned = self._shortlist(
                voters, size, subset, params.prefilter_margin, params.prefilter_common
            )
            t1 = time.perf_counter()
            coded, prepared = probe_forms(fingers)
            t2 = time.perf_counter()
            candidates, compared = self._compare(coded, entries)
            t3 = time.perf_counter()
            chosen = to_verify(candidates, params, len(fingers), searched)
            verified, n_verified = self._verify(prepared, chosen)
            candidates = with_verified(candidates, verified)
            t4 = time.perf_counter()
        return assemble_result(
            candidates,
            searched=searched,
            probe_fingers=tuple(sorted(fingers)),
            params=params,
            scanned=scanned,
            compared=compared,
            verified=n_verified,
            shortlisted=tuple(subject for subject, _ in entries),
            timings_s={
                "prefilter": t1 - t0,
                "encode_probe": t2 - t1,
                "compare": t3 - t2,
                "verify": t4 - t3,
            },
        )

    def shortlist(
        self,
        fingers: Mapping[int, Template],
        size: int,
        subset: Collection[str] | None = None,
        *,
        margin: float = DEFAULT_SEARCH_PARAMETERS.prefilter_margin,
        common: float | None = DEFAULT_SEARCH_PARAMETERS.prefilter_common,
    ) -> tuple[list[tuple[str, float]], int, int]:
        """The pre-filter stage of :meth:`search`, on its own.

        Parameters
        ----------
        fingers : mapping of position to Template
            Usable probe fingers (:func:`usable_probe`).
        size : int
            Subjects to keep.
        subset : collection of str, optional
        margin, common : keyword-only
            :attr:`SearchParameters.prefilter_margin` and
            :attr:`SearchParameters.prefilter_common`.

        Returns
        -------
        entries : list of (subject id, pre-filter score)
            Best first, ties by subject id (:func:`merge_shortlists` order).
        searched : int
            Subjects searched.
        scanned : int
            Index entries read.
        """
        with self._lock.read():
            return self._shortlist(fingers, size, subset, margin, common)

    def compare_subjects(
        self, probe: Mapping[int, CodedProbe], entries: Iterable[tuple[str, float]]
    ) -> tuple[list[Candidate], int]:
        """The full-comparison stage of :meth:`search`, on its own.

        ``probe`` holds the probe fingers by position
        (``CodedProbe.of(encode(template))``); ``entries`` are (subject id,
        pre-filter score) pairs; subjects not enrolled here are skipped.
        Returns the candidates (unsorted) and the number of finger
        comparisons made.
        """
        with self._lock.read():
            return self._compare(probe, entries)

    def verify_subjects(
        self, probe: Mapping[int, PreparedTemplate], candidates: Iterable[Candidate]
    ) -> tuple[list[Candidate], int]:
        """The verification stage of :meth:`search`, on its own.

        ``probe`` holds the prepared probe fingers by position; each
        candidate enrolled here is compared again on the positions it was
        compared on. Returns the verified candidates and the number of
        finger comparisons made.
        """
        with self._lock.read():
            return self._verify(probe, candidates)

    def _verify(
        self, probe: Mapping[int, PreparedTemplate], candidates: Iterable[Candidate]
    ) -> tuple[list[Candidate], int]:
        out = []
        compared = 0
        for c in candidates:
            s = self._subject_index.get(c.subject_id, -1)
            if s not in self._subject_rows:
                continue
            rows = {int(self._rows.data[r]["position"]): r for r in self._subject_rows[s]}
            scores = {p: compare(probe[p], self._prepared_row(rows[p])) for p in c.finger_scores}
            compared += len(scores)
            out.append(
                Candidate(
                    subject_id=c.subject_id,
                    score=fused_score(list(scores.values())),
                    finger_scores=scores,
                    prefilter=c.prefilter,
                    verified=True,
                )
            )
        return out, compared

    def _prepared_row(self, row: int) -> PreparedTemplate:
        """The stored finger ``row`` prepared for verification (kept for the
        last :data:`PREPARED_ROWS_CACHED` rows)."""
        with self._prepared_lock:
            found = self._prepared.get(row)
            if found is not None:
                self._prepared.move_to_end(row)
                return found
        made = prepare(self._template(row))
        with self._prepared_lock:
            self._prepared[row] = made
            while len(self._prepared) > PREPARED_ROWS_CACHED:
                self._prepared.popitem(last=False)
        return made

    def _shortlist(
        self,
        fingers: Mapping[int, Template],
        size: int,
        subset: Collection[str] | None,
        margin: float,
        common: float | None,
    ) -> tuple[list[tuple[str, float]], int, int]:
        scores, scanned = self._prefilter(fingers, subset, margin, common)
        finite = np.flatnonzero(np.isfinite(scores))
        searched = int(finite.size)
        if finite.size > size:
            kth = np.partition(scores[finite], finite.size - size)[finite.size - size]
            finite = finite[scores[finite] >= kth]
        entries = [(self._subject_ids[i], float(scores[i])) for i in finite.tolist()]
        return merge_shortlists([entries], size), searched, scanned

    def _compare(
        self, probe: Mapping[int, CodedProbe], entries: Iterable[tuple[str, float]]
    ) -> tuple[list[Candidate], int]:
        subjects = []
        for subject_id, prefilter in entries:
            s = self._subject_index.get(subject_id, -1)
            if s in self._subject_rows:
                subjects.append((subject_id, prefilter, self._subject_rows[s]))
        rows = np.array([r for *_, rs in subjects for r in rs], dtype=np.int64)
        owner = np.repeat(np.arange(len(subjects)), [len(rs) for *_, rs in subjects])
        meta = self._rows.data[rows]
        scores: list[dict[int, float]] = [{} for _ in subjects]
        compared = 0
        parts = self._minutiae.parts()
        for position, coded in probe.items():
            mine = np.flatnonzero(meta["position"] == position)
            if mine.size == 0:
                continue
            starts = meta["start"][mine].astype(np.int64)
            counts = meta["count"][mine].astype(np.int64)
            calibrated = np.empty(mine.size, dtype=np.float64)
            for first, minutiae, codes in parts:
                inside = (starts >= first) & (starts < first + minutiae.shape[0])
                if inside.any():
                    calibrated[inside] = coded.scores(
                        minutiae, codes, starts[inside] - first, counts[inside]
                    )
            for k, score in zip(owner[mine].tolist(), calibrated.tolist(), strict=True):
                scores[k][position] = score
            compared += int(mine.size)
        out = [
            Candidate(
                subject_id=subject_id,
                score=fused_score(list(finger_scores.values())),
                finger_scores=dict(sorted(finger_scores.items())),
                prefilter=prefilter,
            )
            for (subject_id, prefilter, _), finger_scores in zip(subjects, scores, strict=True)
            if finger_scores  # else no finger position in common
        ]
        return out, compared

    # --- persistence --------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the gallery to folder ``path``, replacing it atomically.

        Removed subjects are dropped; the folder holds NumPy arrays and a
        JSON manifest (:meth:`load` memory-maps the arrays).
        """
        target = Path(path)
        with self._lock.write():
            arrays, manifest = self._snapshot()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            for name, array in arrays.items():
                if isinstance(array, list):
                    _save_pieces(tmp / f"{name}.npy", array)
                else:
                    np.save(tmp / f"{name}.npy", array, allow_pickle=False)
            (tmp / "manifest.json").write_text(json.dumps(manifest))
            old = target.with_name(f".{target.name}.old")
            if target.exists():
                os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _snapshot(
        self,
    ) -> tuple[dict[str, npt.NDArray[Any] | list[npt.NDArray[Any]]], dict[str, object]]:
        minutiae, codes = self._minutiae.arrays()
        arrays: dict[str, npt.NDArray[Any] | list[npt.NDArray[Any]]] = {
            "rows": self._rows.view().copy(),
            "minutiae": minutiae,
            "codes": codes,
        }
        for position, group in self._groups.items():
            state = group.index.state()
            arrays[f"index{position}_starts"] = state["starts"]
            arrays[f"index{position}_postings"] = state["postings"]
        manifest: dict[str, object] = {
            "format": _FORMAT,
            "index": {
                "neighbours": self.index_params.neighbours,
                "max_distance_px": self.index_params.max_distance_px,
                "distance_bin_px": self.index_params.distance_bin_px,
                "angle_bins": self.index_params.angle_bins,
            },
            "subjects": self._subject_ids,
            "enrolled": sorted(self._subject_rows),
            "positions": sorted(self._groups),
        }
        return arrays, manifest

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, mmap: bool = True) -> Gallery:
        """Read a gallery written by :meth:`save`.

        ``mmap`` memory-maps the minutiae, code and index arrays.

        Raises
        ------
        GalleryFileError
            If the folder is missing, incomplete, or not a gallery.
        """
        folder = Path(path)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest.get("format") != _FORMAT:
                raise GalleryFileError(f"{folder}: not an {_FORMAT} folder")
            params = IndexParameters(**manifest["index"])
            mode: Literal["r"] | None = "r" if mmap else None
            rows = np.load(folder / "rows.npy", allow_pickle=False)
            minutiae = np.load(folder / "minutiae.npy", mmap_mode=mode, allow_pickle=False)
            codes = np.load(folder / "codes.npy", mmap_mode=mode, allow_pickle=False)
            indexes = {
                int(p): PairIndex.from_state(
                    params,
                    np.load(folder / f"index{p}_starts.npy", mmap_mode=mode, allow_pickle=False),
                    np.load(folder / f"index{p}_postings.npy", mmap_mode=mode, allow_pickle=False),
                )
                for p in manifest["positions"]
            }
            subjects = [str(s) for s in manifest["subjects"]]
            enrolled = [int(i) for i in manifest["enrolled"]]
        except GalleryFileError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise GalleryFileError(f"{folder}: cannot read gallery: {exc}") from exc
        if (
            rows.dtype != _ROW_DTYPE
            or minutiae.dtype != PACKED_MINUTIA_DTYPE
            or codes.dtype != _CODE_DTYPE
        ):
            raise GalleryFileError(f"{folder}: arrays of the wrong type")
        if codes.shape != minutiae.shape or minutiae.ndim != 1:
            raise GalleryFileError(f"{folder}: minutiae and codes do not correspond")
        ends = rows["start"].astype(np.int64) + rows["count"]
        if rows.size and (rows["start"].min() < 0 or ends.max() > minutiae.shape[0]):
            raise GalleryFileError(f"{folder}: finger rows point outside the minutiae")
        gallery = cls(params)
        gallery._subject_ids = subjects
        gallery._subject_index = {s: i for i, s in enumerate(subjects)}
        gallery._rows = _Growable(_ROW_DTYPE, rows)
        gallery._minutiae = _MinutiaStore(minutiae, codes)
        gallery._groups = {p: _PositionGroup.restore(ix, rows, p) for p, ix in indexes.items()}
        alive = np.flatnonzero(rows["alive"])
        by_subject: dict[int, list[int]] = {i: [] for i in enrolled}
        for r in alive.tolist():
            by_subject.setdefault(int(rows[r]["subject"]), []).append(r)
        gallery._subject_rows = by_subject
        flags = np.zeros(len(subjects), dtype=np.bool_)
        flags[list(by_subject)] = True
        gallery._enrolled = _Growable(np.bool_, flags)
        return gallery
