"""Minutia codes: a 16-byte summary of each minutia's cylinder, for 1:N search.

The cylinder comparison (:mod:`.comparison`) needs each template prepared
into 5-20 KiB of cylinders and distance tables, about 0.7 ms of work: too
big to keep for every finger of a national gallery and too slow to redo
for every shortlisted one. A gallery instead keeps, beside each stored
minutia (7 bytes, :data:`PACKED_MINUTIA_DTYPE`), a *code* of 127 bits: the
signs of the cylinder's first 127 principal components (the projection of
the protected MCC of Ferrara, Maltoni and Cappelli, IEEE TIFS 2012, here
with an integer projection so that every machine computes the same bits),
and one bit saying whether the cylinder is valid.

Comparison of a probe with a stored finger (:func:`code_similarity`, many
at once with :class:`CodedProbe`) works on that form alone, in about 10 µs:

1. code similarity ``1 - 2 hamming / 127`` of every pair of minutiae with
   valid cylinders whose directions differ by at most δ_θ; the best pairs
   are anchors;
2. under each anchor's rigid motion the stored minutiae that land within
   12 px and 0.3 rad of a free probe minutia mate with it;
3. the score is ``q² / (n_A n_B)``, q the summed code similarity of the
   mates and n_A, n_B the minutiae of each side that the other covers.

It separates genuine from impostor pairs less well than the cylinder
comparison (FVC2002 DB1-4_B mean EER about 3% against 1.7%, BENCHMARKS.md
§4) and is calibrated on its own scale (:data:`CODE_SCALE`).

The projection (``_code_projection.npz``) is fitted by
:func:`train_projection` on synthetic templates
(``benchmarks/train_minutia_codes.py`` writes it), never on the FVC data
the comparison is measured on.
"""

from __future__ import annotations

import functools
import hashlib
import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interop.fingerprints.matcher import _code_calibration_table as _table
from interop.fingerprints.matcher import _code_kernels as ck
from interop.fingerprints.matcher.calibration import ScoreScale
from interop.fingerprints.matcher.cylinders import (
    Cells,
    PreparedTemplate,
    build_cells,
    cell_offsets,
    prepare_cells,
)
from interop.fingerprints.matcher.parameters import DEFAULT_PARAMETERS, MatcherParameters
from interop.fingerprints.template import MINUTIA_DTYPE, Template

PACKED_MINUTIA_DTYPE = np.dtype(
    [("x", "<u2"), ("y", "<u2"), ("angle", "u1"), ("type", "u1"), ("quality", "u1")]
)
"""Stored minutia: whole pixels at 500 ppi, angle in 1/256 turns (ISO 2005)."""

MAX_MINUTIAE = 255
"""Most minutiae kept per finger (the highest-quality ones), as in ISO 19794-2."""

CODE_BITS = ck.CODE_BITS
"""Bits of a minutia code (127; the 128th says whether the cylinder is valid)."""

PROJECTION_FILE = Path(__file__).with_name("_code_projection.npz")

CODE_SCALE = ScoreScale(_table.RAW_KNOTS, _table.SCORE_KNOTS, _table.TAIL_SLOPE)
"""Calibration of the code comparison (written by ``benchmarks/calibrate_matcher.py``)."""


@dataclass(frozen=True)
class CodeParameters:
    """Tuned numbers of the code comparison, units in the names."""

    #: Best code-similar pairs whose motions are tried.
    anchors: int = 5
    #: Minutiae paired when their directions differ by at most this.
    max_direction_difference_rad: float = math.pi / 2
    #: Aligned minutiae mate within this distance and direction difference.
    mate_max_distance_px: float = 12.0
    mate_max_angle_rad: float = 0.3
    #: A minutia is in the overlap when one of the other side lies this close...
    overlap_distance_px: float = 15.0
    #: ... and n_A, n_B count at least this many.
    min_overlap_minutiae: float = 15.0
    #: Anchors whose motions differ by less than this are tried once.
    same_motion_rad: float = 0.1
    same_motion_px: float = 6.0

    def __post_init__(self) -> None:
        if not 1 <= self.anchors <= 64:
            raise ValueError(f"anchors must be in 1..64, got {self.anchors!r}")
        for name in (
            "mate_max_distance_px",
            "mate_max_angle_rad",
            "overlap_distance_px",
            "min_overlap_minutiae",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")

    def config(self) -> npt.NDArray[np.float64]:
        """The kernel's configuration vector."""
        cfg = np.zeros(ck.CONFIG_SIZE, dtype=np.float64)
        cfg[ck.CFG_ANCHORS] = self.anchors
        cfg[ck.CFG_COS_MAX_DIRECTION_DIFFERENCE] = math.cos(self.max_direction_difference_rad)
        cfg[ck.CFG_MATE_DISTANCE] = self.mate_max_distance_px
        cfg[ck.CFG_MATE_ANGLE] = self.mate_max_angle_rad
        cfg[ck.CFG_OVERLAP_DISTANCE] = self.overlap_distance_px
        cfg[ck.CFG_MIN_OVERLAP_MINUTIAE] = self.min_overlap_minutiae
        cfg[ck.CFG_SAME_MOTION_COS] = math.cos(self.same_motion_rad)
        cfg[ck.CFG_SAME_MOTION_PX] = self.same_motion_px
        cfg.setflags(write=False)
        return cfg


DEFAULT_CODE_PARAMETERS = CodeParameters()


# --- stored precision ---------------------------------------------------------
def best_minutiae(m: npt.NDArray[np.void]) -> npt.NDArray[np.void]:
    """At most :data:`MAX_MINUTIAE` minutiae: the best quality ones (stable)."""
    if m.shape[0] <= MAX_MINUTIAE:
        return m
    return m[np.argsort(-m["quality"].astype(np.int16), kind="stable")[:MAX_MINUTIAE]]


def pack_minutiae(template: Template) -> npt.NDArray[np.void]:
    """A template's minutiae in :data:`PACKED_MINUTIA_DTYPE` (best quality first
    when there are more than :data:`MAX_MINUTIAE`)."""
    m = best_minutiae(template.minutiae)
    out = np.zeros(m.shape[0], dtype=PACKED_MINUTIA_DTYPE)
    out["x"] = np.clip(np.rint(m["x"]), 0, 65535)
    out["y"] = np.clip(np.rint(m["y"]), 0, 65535)
    out["angle"] = np.rint(m["angle"] * (256 / (2 * math.pi))).astype(np.int64) % 256
    out["type"] = m["type"]
    out["quality"] = m["quality"]
    return out


def unpack_minutiae(packed: npt.NDArray[np.void]) -> npt.NDArray[np.void]:
    """Inverse of :func:`pack_minutiae`, as :data:`MINUTIA_DTYPE`."""
    out = np.zeros(packed.shape[0], dtype=MINUTIA_DTYPE)
    out["x"] = packed["x"]
    out["y"] = packed["y"]
    out["angle"] = packed["angle"].astype(np.float32) * np.float32(2 * math.pi / 256)
    out["type"] = packed["type"]
    out["quality"] = packed["quality"]
    return out


# --- projection ---------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CodeProjection:
    """Integer projection of ternary cylinders onto code bits.

    Attributes
    ----------
    weights : (C, 127) ndarray of int8
        C the cylinder's value bits (cells within R times direction cells).
    thresholds : (127,) ndarray of int32
        Bit b of a code is set when the cylinder's projection exceeds it.
    """

    weights: npt.NDArray[np.int8]
    thresholds: npt.NDArray[np.int32]

    def project(self, cells: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """Code bits ``(n, 127)`` of ``(n, 2, W)`` cylinders (integer sums:
        every machine gets the same bits)."""
        out: npt.NDArray[np.bool_] = ck.project_cylinders(
            np.ascontiguousarray(cells),
            self._weights32,
            self.thresholds,
            self.weights.shape[0],
        )
        return out

    @functools.cached_property
    def _weights32(self) -> npt.NDArray[np.int32]:
        return self.weights.astype(np.int32)


def ternary(cells: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.float32]:
    """``(n, bits)`` cylinder cells as +1 (set), -1 (clear) or 0 (invalid cell)."""
    n, _, words = cells.shape
    b = np.unpackbits(
        np.ascontiguousarray(cells).view(np.uint8).reshape(n, 2, words * 8),
        axis=2,
        bitorder="little",
    )[:, :, :bits]
    return np.where(b[:, 1] == 1, 2.0 * b[:, 0].astype(np.float32) - 1.0, 0.0).astype(np.float32)


def cylinder_bits(params: MatcherParameters = DEFAULT_PARAMETERS) -> int:
    """C, the value bits of one cylinder."""
    return int(cell_offsets(params).shape[0]) * params.direction_cells


def train_projection(
    templates: Iterable[Template], params: MatcherParameters = DEFAULT_PARAMETERS
) -> CodeProjection:
    """Fit a :class:`CodeProjection` to the valid cylinders of ``templates``.

    The weights are the first 127 principal axes of the ternary cylinders
    (each turned so that its largest component is positive, then scaled
    to int8 with one common factor); the thresholds are the medians of the
    projections, so that each bit is set for half of the training cylinders.
    """
    bits = cylinder_bits(params)
    rows = []
    for template in templates:
        _, stored = _checked_stored(template, params)
        _, _, _, _, cells, valid = build_cells(stored, params)
        if valid.any():
            rows.append(ternary(cells[valid], bits))
    if not rows:
        raise ValueError("no valid cylinder in the training templates")
    x = np.concatenate(rows).astype(np.float64)
    if x.shape[0] <= CODE_BITS:
        raise ValueError(f"need more than {CODE_BITS} valid cylinders, got {x.shape[0]}")
    _, vectors = np.linalg.eigh(np.cov(x.T))
    axes = vectors[:, ::-1][:, :CODE_BITS]
    axes *= np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(CODE_BITS)])
    weights = np.rint(axes * (127.0 / np.abs(axes).max())).astype(np.int8)
    z = x.astype(np.float32) @ weights.astype(np.float32)
    thresholds = np.floor(np.median(z, axis=0)).astype(np.int32)
    return CodeProjection(weights, thresholds)


def save_projection(projection: CodeProjection, path: Path = PROJECTION_FILE) -> None:
    """Write a projection where :func:`load_projection` reads it."""
    np.savez_compressed(path, weights=projection.weights, thresholds=projection.thresholds)


@functools.lru_cache(maxsize=4)
def load_projection(path: Path = PROJECTION_FILE) -> CodeProjection:
    """The projection the gallery codes are made with."""
    with np.load(path, allow_pickle=False) as f:
        weights = f["weights"]
        thresholds = f["thresholds"]
    if weights.dtype != np.int8 or weights.shape[1:] != (CODE_BITS,):
        raise ValueError(f"{path}: weights must be int8 (C, {CODE_BITS})")
    if thresholds.dtype != np.int32 or thresholds.shape != (CODE_BITS,):
        raise ValueError(f"{path}: thresholds must be int32 ({CODE_BITS},)")
    weights.setflags(write=False)
    thresholds.setflags(write=False)
    return CodeProjection(weights, thresholds)


# --- coded templates ------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CodedTemplate:
    """A template in the gallery's stored form.

    Attributes
    ----------
    minutiae : (N,) ndarray of :data:`PACKED_MINUTIA_DTYPE`
        At most :data:`MAX_MINUTIAE`, in template order.
    codes : (N, 2) ndarray of uint64
        Each minutia's code; bit 63 of word 1 is set when its cylinder is
        valid (the other bits are then the code, else all clear).
    """

    minutiae: npt.NDArray[np.void]
    codes: npt.NDArray[np.uint64]

    @property
    def nbytes(self) -> int:
        """Bytes of the stored form (16 + 7 per minutia)."""
        return int(self.minutiae.nbytes + self.codes.nbytes)


# --- stored codes, as bytes ----------------------------------------------------
CODED_VERSION_BYTES = 8
"""Length of :func:`codes_version`, the head of :func:`coded_bytes`."""


@functools.lru_cache(maxsize=1)
def codes_version() -> bytes:
    """What codes made now depend on, as 8 bytes: the projection, the
    cylinder parameters and the stored minutia format. Codes stored under
    another version are made again (:func:`coded_from_bytes` gives None)."""
    projection = load_projection()
    digest = hashlib.sha256(b"interop-codes-1")
    digest.update(projection.weights.tobytes())
    digest.update(projection.thresholds.tobytes())
    digest.update(repr(DEFAULT_PARAMETERS).encode())
    digest.update(repr(PACKED_MINUTIA_DTYPE.descr).encode())
    return digest.digest()[:CODED_VERSION_BYTES]


def coded_bytes(coded: CodedTemplate) -> bytes:
    """``coded`` as bytes to store beside its template: :func:`codes_version`,
    the number of minutiae (uint16, little-endian), the packed minutiae (7
    bytes each), then their codes (two little-endian uint64 each)."""
    n = coded.minutiae.shape[0]
    return b"".join(
        (
            codes_version(),
            struct.pack("<H", n),
            np.ascontiguousarray(coded.minutiae, dtype=PACKED_MINUTIA_DTYPE).tobytes(),
            np.ascontiguousarray(coded.codes, dtype="<u8").tobytes(),
        )
    )


def coded_from_bytes(blob: bytes) -> CodedTemplate | None:
    """Inverse of :func:`coded_bytes`; None when the codes were made under
    another :func:`codes_version` (they must be made again).

    Raises
    ------
    ValueError
        If ``blob`` is not in :func:`coded_bytes`'s form.
    """
    head = CODED_VERSION_BYTES + 2
    if len(blob) < head:
        raise ValueError(f"stored codes: {len(blob)} bytes, shorter than their head")
    if blob[:CODED_VERSION_BYTES] != codes_version():
        return None
    (n,) = struct.unpack_from("<H", blob, CODED_VERSION_BYTES)
    size = PACKED_MINUTIA_DTYPE.itemsize
    if n > MAX_MINUTIAE or len(blob) != head + n * (size + 16):
        raise ValueError(f"stored codes: {len(blob)} bytes do not hold {n} minutiae")
    minutiae = np.frombuffer(blob, dtype=PACKED_MINUTIA_DTYPE, count=n, offset=head).copy()
    codes = np.frombuffer(blob, dtype="<u8", count=2 * n, offset=head + n * size)
    return CodedTemplate(minutiae, codes.astype(np.uint64).reshape(n, 2))


def _checked_stored(
    template: Template, params: MatcherParameters
) -> tuple[npt.NDArray[np.void], Template]:
    if template.resolution_ppi != params.resolution_ppi:
        raise ValueError(
            f"codes are made at {params.resolution_ppi} ppi, got {template.resolution_ppi} ppi"
        )
    packed = pack_minutiae(template)
    stored = Template(
        minutiae=unpack_minutiae(packed),
        width=template.width,
        height=template.height,
        resolution_ppi=template.resolution_ppi,
        finger_position=template.finger_position,
    )
    return packed, stored


def _coded(packed: npt.NDArray[np.void], built: Cells) -> CodedTemplate:
    _, _, _, _, cells, valid = built
    if packed.shape[0] == 0:
        return CodedTemplate(packed, np.zeros((0, 2), dtype=np.uint64))
    return CodedTemplate(packed, ck.pack_codes(load_projection().project(cells), valid))


def encode(template: Template, params: MatcherParameters = DEFAULT_PARAMETERS) -> CodedTemplate:
    """The stored form of a 500 ppi ``template``: packed minutiae and their codes.

    The codes are made from the packed minutiae, so that encoding a stored
    template again gives the same codes.

    Raises
    ------
    ValueError
        If the template is not at ``params.resolution_ppi``.
    """
    packed, stored = _checked_stored(template, params)
    return _coded(packed, build_cells(stored, params))


def prepare_stored(
    template: Template, params: MatcherParameters = DEFAULT_PARAMETERS
) -> PreparedTemplate:
    """The prepared template (:func:`.prepare`) of ``template`` at the stored
    precision: what :func:`encode_and_prepare` gives beside the codes.

    Raises
    ------
    ValueError
        If the template is not at ``params.resolution_ppi``.
    """
    _, stored = _checked_stored(template, params)
    return prepare_cells(stored, build_cells(stored, params), params)


def encode_and_prepare(
    template: Template, params: MatcherParameters = DEFAULT_PARAMETERS
) -> tuple[CodedTemplate, PreparedTemplate]:
    """Both comparison forms of a probe from one cylinder build: the codes
    (:func:`encode`) and the prepared template (:func:`.prepare`) of the
    template at the stored precision.

    Raises
    ------
    ValueError
        If the template is not at ``params.resolution_ppi``.
    """
    packed, stored = _checked_stored(template, params)
    built = build_cells(stored, params)
    return _coded(packed, built), prepare_cells(stored, built, params)


@dataclass(frozen=True, eq=False)
class CodedProbe:
    """A coded template made ready to be compared with many stored ones.

    Build it once per search with :meth:`of`; :meth:`scores` then compares
    it with any number of stored fingers in one compiled loop.
    """

    coded: CodedTemplate
    grid_starts: npt.NDArray[np.int32]
    grid_items: npt.NDArray[np.int32]
    grid_frame: npt.NDArray[np.float64]
    params: CodeParameters
    config: npt.NDArray[np.float64]

    @classmethod
    def of(
        cls, coded: CodedTemplate, params: CodeParameters = DEFAULT_CODE_PARAMETERS
    ) -> CodedProbe:
        m = coded.minutiae
        cell = max(params.mate_max_distance_px, params.overlap_distance_px)
        starts, items, frame = ck.probe_grid(
            np.ascontiguousarray(m["x"]), np.ascontiguousarray(m["y"]), cell
        )
        return cls(coded, starts, items, frame, params, params.config())

    def raw_scores(
        self,
        minutiae: npt.NDArray[np.void],
        codes: npt.NDArray[np.uint64],
        starts: npt.NDArray[np.int64],
        counts: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.float64]:
        """Raw similarities in [0, 1] with F stored fingers.

        Finger f is ``minutiae[starts[f] : starts[f] + counts[f]]`` with the
        codes of the same rows (``minutiae`` :data:`PACKED_MINUTIA_DTYPE`,
        ``codes`` ``(M, 2)`` uint64; ``starts``, ``counts`` ``(F,)``).
        """
        p = self.coded.minutiae
        out: npt.NDArray[np.float64] = ck.code_scores(
            p["x"],
            p["y"],
            p["angle"],
            self.coded.codes,
            self.grid_starts,
            self.grid_items,
            self.grid_frame,
            minutiae["x"],
            minutiae["y"],
            minutiae["angle"],
            codes,
            np.asarray(starts, dtype=np.int64),
            np.asarray(counts, dtype=np.int64),
            self.config,
        )
        return out

    def scores(
        self,
        minutiae: npt.NDArray[np.void],
        codes: npt.NDArray[np.uint64],
        starts: npt.NDArray[np.int64],
        counts: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.float64]:
        """:meth:`raw_scores` calibrated to the FMR scale (:data:`CODE_SCALE`)."""
        return CODE_SCALE.many(self.raw_scores(minutiae, codes, starts, counts))


def code_similarity(
    probe: CodedTemplate,
    reference: CodedTemplate,
    params: CodeParameters = DEFAULT_CODE_PARAMETERS,
) -> float:
    """Raw code similarity in [0, 1] of a probe to a stored reference.

    Not exactly symmetric: the reference's minutiae pick their mates
    among the probe's.
    """
    n = reference.minutiae.shape[0]
    return float(
        CodedProbe.of(probe, params).raw_scores(
            reference.minutiae,
            reference.codes,
            np.zeros(1, dtype=np.int64),
            np.full(1, n, dtype=np.int64),
        )[0]
    )


def compare_coded(
    probe: CodedTemplate,
    reference: CodedTemplate,
    params: CodeParameters = DEFAULT_CODE_PARAMETERS,
) -> float:
    """:func:`code_similarity` on the calibrated scale: accepting scores
    ``>= t`` admits impostors at a rate of about ``10**(-t/10)``."""
    return CODE_SCALE(code_similarity(probe, reference, params))
