"""The FVC verification protocol: find FVC-style databases and run them.

A **database** is a folder that directly holds images named ``NNN_K.<ext>``
(finger ``NNN``, impression ``K``; ``ext`` one of :data:`IMAGE_EXTENSIONS`,
any case), or a folder whose name ends in ``_B`` and directly holds image
files. Other files (the ``.iso`` templates beside the FVC2002 images, READMEs)
are ignored.

Protocol of :func:`run_fvc_database`, after Maio et al. (FVC2000/2002/2004):

* every image is loaded at its resolution, rescaled to 500 ppi by the loader,
  and extracted once; each template is prepared once;
* **genuine** pairs: every unordered pair of impressions of the same finger
  (28 per finger with 8 impressions, 280 for 10 fingers);
* **impostor, all pairs**: every unordered pair of images of different
  fingers (2,880 for 10 × 8), used for EER, FMR100, FMR1000 and ZeroFMR;
* **impostor, FVC**: the first impression of each finger against the first
  impression of every other finger (45 for 10 fingers), used for ``eer_fvc``;
  these pairs are a subset of the all-pairs set and reuse its scores;
* a pair ``(i, j)`` with ``i`` before ``j`` in (finger, impression) order is
  scored as ``compare(prepared[i], prepared[j])``;
* an image that cannot be loaded, extracted or prepared (any
  :class:`~interop.fingerprints.errors.FingerprintError`, e.g.
  ``FailureToEnrol``, ``ExtractionError``, ``ImageError``) **fails to enrol**:
  it is counted in ``fte`` and every comparison involving it scores
  :data:`LOWEST_SCORE` (``-inf``), so it is a false non-match at every
  threshold and never a false match; it is never skipped.

Resolution of each database, first found wins: an explicit ``ppi`` mapping
(keyed by the database label or folder name), then :data:`KNOWN_RESOLUTIONS`
keyed by the FVC year found in the folder's path (a folder named like
``fvc2002``/``FVC2002``/``FVC_2002``) and the DB number in its name
(``DB2_B`` → 2), else 500. The FVC TIFFs carry no usable DPI tag (1 × 1).
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from interop.evaluation.metrics import VerificationMetrics, verification_metrics
from interop.fingerprints.errors import FingerprintError

__all__ = [
    "IMAGE_EXTENSIONS",
    "KNOWN_RESOLUTIONS",
    "LOWEST_SCORE",
    "BenchmarkResult",
    "DatabaseResult",
    "Engine",
    "FvcError",
    "FvcImage",
    "default_engine",
    "find_databases",
    "list_images",
    "resolution_for",
    "run_fvc",
    "run_fvc_database",
]

IMAGE_EXTENSIONS: frozenset[str] = frozenset({"tif", "tiff", "png", "bmp", "jpg", "jpeg", "wsq"})
"""File extensions (lower case, no dot) taken as images. Headerless ``.raw``
files are left out: their size cannot be known from the file."""

LOWEST_SCORE: float = -math.inf
"""Score given to every comparison involving an image that failed to enrol."""

KNOWN_RESOLUTIONS: Mapping[tuple[int, int], int] = {
    # FVC2000 (Maio et al., IEEE TPAMI 24(3), 2002, table 1): Secure Desktop
    # Scanner, TouchChip, DF-90 at 500 dpi; DB4 synthetic (SFinGe) "about 500".
    (2000, 1): 500,
    (2000, 2): 500,
    (2000, 3): 500,
    (2000, 4): 500,
    # FVC2002 (Maio et al., ICPR 2002, table 1; also the data set's README):
    # TouchView II 500, FX2000 569, 100 SC 500, SFinGe v2.51 about 500.
    (2002, 1): 500,
    (2002, 2): 569,
    (2002, 3): 500,
    (2002, 4): 500,
    # FVC2004 (Maio et al., ICBA 2004, table 1): V300 500, U.are.U 4000 500,
    # FingerChip FCD4B14CB (thermal sweep) 512, SFinGe v3.0 about 500.
    (2004, 1): 500,
    (2004, 2): 500,
    (2004, 3): 512,
    (2004, 4): 500,
    # FVC2006 (Cappelli et al., IEEE Computer 40(1), 2007): AuthenTec electric
    # field 250, BiometriKa optical 569, Atmel thermal sweep 500, SFinGe v3.0 ~500.
    (2006, 1): 250,
    (2006, 2): 569,
    (2006, 3): 500,
    (2006, 4): 500,
}
"""Resolution in ppi of the FVC databases, keyed by ``(year, DB number)``."""

DEFAULT_RESOLUTION_PPI = 500

_IMAGE_NAME = re.compile(r"^(\d+)_(\d+)\.([A-Za-z]+)$")
_YEAR = re.compile(r"fvc[ _-]?(\d{4})", re.IGNORECASE)
_DB_NUMBER = re.compile(r"db[ _-]?(\d+)", re.IGNORECASE)
_PROGRESS_EVERY = 64

ExtractFn = Callable[[npt.NDArray[np.uint8]], Any]
"""``extract(pixels) -> Template``; raises ``ExtractionError`` (e.g. ``FailureToEnrol``)."""
PrepareFn = Callable[[Any], Any]
"""``prepare(template) -> PreparedTemplate``."""
CompareFn = Callable[[Any, Any], float]
"""``compare(a, b) -> float``, higher = more similar."""
LoadFn = Callable[..., npt.NDArray[np.uint8]]
"""``load(path, resolution_ppi=...) -> (H, W) uint8`` at 500 ppi; raises ``ImageError``."""
DatabaseProgressFn = Callable[[str, int, int], None]
"""``progress(phase, done, total)``, phase ``"extract"`` or ``"compare"``."""
ProgressFn = Callable[[str, str, int, int], None]
"""``progress(database_label, phase, done, total)``."""


class FvcError(Exception):
    """A folder is not a usable FVC-style database (or none was found)."""


class Engine(NamedTuple):
    """The four engine callables the protocol needs."""

    load: LoadFn
    extract: ExtractFn
    prepare: PrepareFn
    compare: CompareFn


def default_engine() -> Engine:
    """The real engine (:mod:`interop.fingerprints`), imported on first use."""
    from interop.fingerprints.extraction import extract
    from interop.fingerprints.image import load_fingerprint
    from interop.fingerprints.matcher import compare, prepare

    return Engine(load=load_fingerprint, extract=extract, prepare=prepare, compare=compare)


def _resolve_engine(
    *,
    load: LoadFn | None,
    extract: ExtractFn | None,
    prepare: PrepareFn | None,
    compare: CompareFn | None,
) -> Engine:
    """The given callables, the real engine's where ``None``."""
    if None not in (load, extract, prepare, compare):
        return Engine(load, extract, prepare, compare)  # type: ignore[arg-type]
    real = default_engine()
    return Engine(
        load=real.load if load is None else load,
        extract=real.extract if extract is None else extract,
        prepare=real.prepare if prepare is None else prepare,
        compare=real.compare if compare is None else compare,
    )


@dataclass(frozen=True)
class FvcImage:
    """One image of a database: ``<finger>_<impression>.<ext>``."""

    path: Path
    finger: int
    impression: int

    @property
    def name(self) -> str:
        """File name."""
        return self.path.name


def _parse_image_name(name: str) -> tuple[int, int] | None:
    m = _IMAGE_NAME.match(name)
    if m is None or m.group(3).lower() not in IMAGE_EXTENSIONS:
        return None
    return int(m.group(1)), int(m.group(2))


def list_images(folder: str | os.PathLike[str]) -> list[FvcImage]:
    """The ``NNN_K.<ext>`` images directly in ``folder``, by (finger, impression).

    Raises
    ------
    FvcError
        If two files claim the same finger and impression (``101_1.tif`` and
        ``101_1.png``).
    """
    folder = Path(folder)
    images: dict[tuple[int, int], FvcImage] = {}
    for entry in sorted(folder.iterdir()):
        parsed = _parse_image_name(entry.name)
        if parsed is None or not entry.is_file():
            continue
        if parsed in images:
            raise FvcError(
                f"{folder}: {images[parsed].name} and {entry.name} are both "
                f"finger {parsed[0]} impression {parsed[1]}"
            )
        images[parsed] = FvcImage(entry, *parsed)
    return [images[k] for k in sorted(images)]


def _is_database(folder: Path) -> bool:
    has_image = False
    for entry in folder.iterdir():
        if _parse_image_name(entry.name) is not None and entry.is_file():
            return True
        ext = entry.suffix[1:].lower()
        has_image = has_image or (ext in IMAGE_EXTENSIONS and entry.is_file())
    return has_image and folder.name.upper().endswith("_B")


def find_databases(root: str | os.PathLike[str]) -> list[Path]:
    """FVC-style databases at or below ``root``, sorted by relative path.

    ``root`` itself is a database when it qualifies (see the module
    docstring); its sub-folders are searched recursively either way. Hidden
    folders (``.name``) are skipped.
    """
    root = Path(root)
    if not root.is_dir():
        raise FvcError(f"{root} is not a folder")
    found: list[Path] = []
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        if _is_database(here):
            found.append(here)
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def _labels(root: Path, folders: Sequence[Path]) -> list[str]:
    """Folder names, or paths relative to ``root`` where names collide."""
    names = [f.name for f in folders]
    labels = []
    for folder, name in zip(folders, names, strict=True):
        if names.count(name) == 1:
            labels.append(name)
        else:
            rel = folder.relative_to(root)
            labels.append(rel.as_posix() if rel.parts else folder.name)
    return labels


def _year_and_db(folder: Path) -> tuple[int, int] | None:
    db = _DB_NUMBER.search(folder.name)
    if db is None:
        return None
    # The path as given first, then with symbolic links resolved.
    for path in (folder.absolute(), folder.resolve()):
        for part in reversed(path.parts):
            year = _YEAR.search(part)
            if year is not None:
                return int(year.group(1)), int(db.group(1))
    return None


def resolution_for(
    folder: str | os.PathLike[str],
    *,
    label: str | None = None,
    ppi: Mapping[str, float] | None = None,
) -> float:
    """Resolution (ppi) of the images of a database folder.

    Parameters
    ----------
    folder : path
        The database folder.
    label : str, optional
        Its label in a multi-database run (defaults to the folder name).
    ppi : mapping of str to float, optional
        Explicit resolutions keyed by label or folder name; wins over the table.

    Returns
    -------
    float
        ``ppi[label]`` or ``ppi[folder name]`` if given, else
        :data:`KNOWN_RESOLUTIONS` for the FVC year and DB number found in the
        path, else 500.

    Examples
    --------
    >>> resolution_for("data/FVC2002/DB2_B")
    569
    >>> resolution_for("data/FVC2002/DB2_B", ppi={"DB2_B": 500})
    500
    >>> resolution_for("elsewhere/DB2_B")
    500
    """
    folder = Path(folder)
    if ppi:
        for key in (label, folder.name):
            if key is not None and key in ppi:
                return ppi[key]
    key2 = _year_and_db(folder)
    if key2 is not None and key2 in KNOWN_RESOLUTIONS:
        return KNOWN_RESOLUTIONS[key2]
    return DEFAULT_RESOLUTION_PPI


@dataclass
class DatabaseResult:
    """Outcome of the protocol on one database.

    Score arrays are float64, ``-inf`` for comparisons involving an image that
    failed to enrol; pair arrays are ``(K, 2)`` int indices into ``images``.
    Times are medians of ``time.perf_counter_ns`` wall-clock measurements.
    """

    label: str
    folder: Path
    resolution_ppi: float
    images: list[FvcImage]
    failures: dict[str, str]
    """File name → error message, for each image that failed to enrol."""
    genuine: npt.NDArray[np.float64]
    impostor: npt.NDArray[np.float64]
    """All cross-finger pairs."""
    impostor_fvc: npt.NDArray[np.float64]
    """First impressions of different fingers (FVC's set)."""
    genuine_pairs: npt.NDArray[np.intp]
    impostor_pairs: npt.NDArray[np.intp]
    impostor_fvc_pairs: npt.NDArray[np.intp]
    metrics: VerificationMetrics
    extract_ms_median: float
    """Per ``extract`` call, every image but the first one processed."""
    prepare_us_median: float
    compare_us_median: float
    """Per ``compare`` call on prepared templates (not counting prepare)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fte(self) -> int:
        """Number of images that failed to enrol."""
        return len(self.failures)

    def summary(self) -> dict[str, float | int | None]:
        """The per-database JSON object of ``interop bench verify`` (exact keys).

        A non-finite time (no measurement) is written as ``None``.
        """
        m = self.metrics
        return {
            "eer": m.eer,
            "eer_fvc": m.eer_fvc,
            "fmr100": m.fmr100,
            "fmr1000": m.fmr1000,
            "zero_fmr": m.zero_fmr,
            "fte": self.fte,
            "genuine": int(self.genuine.size),
            "impostor": int(self.impostor.size),
            "extract_ms_median": _finite_or_none(self.extract_ms_median),
            "compare_us_median": _finite_or_none(self.compare_us_median),
        }


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass
class BenchmarkResult:
    """Outcome of the protocol on every database found under a folder."""

    databases: list[DatabaseResult]

    @property
    def mean_eer(self) -> float:
        """Mean of the per-database (all-pairs) EERs."""
        return float(np.mean([d.metrics.eer for d in self.databases]))

    def to_json(self) -> dict[str, Any]:
        """``{"databases": {label: summary}, "mean_eer": float}``."""
        return {
            "databases": {d.label: d.summary() for d in self.databases},
            "mean_eer": self.mean_eer,
        }

    def save_scores(self, path: str | os.PathLike[str]) -> None:
        """Write every score and pair array to an ``.npz`` file.

        Keys are ``<label>/genuine``, ``<label>/impostor``,
        ``<label>/impostor_fvc``, the matching ``..._pairs`` ``(K, 2)`` index
        arrays, ``<label>/files`` (image file names, the indices' target) and
        ``<label>/failed`` (bool per image).
        """
        arrays: dict[str, npt.NDArray[Any]] = {}
        for d in self.databases:
            names = [im.name for im in d.images]
            arrays[f"{d.label}/genuine"] = d.genuine
            arrays[f"{d.label}/impostor"] = d.impostor
            arrays[f"{d.label}/impostor_fvc"] = d.impostor_fvc
            arrays[f"{d.label}/genuine_pairs"] = d.genuine_pairs
            arrays[f"{d.label}/impostor_pairs"] = d.impostor_pairs
            arrays[f"{d.label}/impostor_fvc_pairs"] = d.impostor_fvc_pairs
            arrays[f"{d.label}/files"] = np.array(names, dtype=str)
            arrays[f"{d.label}/failed"] = np.array([n in d.failures for n in names], dtype=bool)
        np.savez(Path(path), allow_pickle=False, **arrays)


def _protocol_pairs(
    images: Sequence[FvcImage],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Index pairs (genuine, all-pairs impostor, FVC impostor), ``i < j``."""
    fingers = np.array([im.finger for im in images], dtype=np.int64)
    i, j = np.triu_indices(len(images), k=1)
    same = fingers[i] == fingers[j]
    genuine = np.stack([i[same], j[same]], axis=1).astype(np.intp)
    impostor = np.stack([i[~same], j[~same]], axis=1).astype(np.intp)
    first: dict[int, int] = {}
    for k, im in enumerate(images):  # sorted by (finger, impression)
        first.setdefault(im.finger, k)
    firsts = np.array(sorted(first.values()), dtype=np.intp)
    fi, fj = np.triu_indices(firsts.size, k=1)
    fvc = np.stack([firsts[fi], firsts[fj]], axis=1).astype(np.intp)
    return genuine.reshape(-1, 2), impostor.reshape(-1, 2), fvc.reshape(-1, 2)


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if values else math.nan


def _ns() -> int:
    return time.perf_counter_ns()


def run_fvc_database(
    folder: str | os.PathLike[str],
    *,
    resolution_ppi: float,
    label: str | None = None,
    extract: ExtractFn | None = None,
    prepare: PrepareFn | None = None,
    compare: CompareFn | None = None,
    load: LoadFn | None = None,
    progress: DatabaseProgressFn | None = None,
) -> DatabaseResult:
    """Run the FVC protocol on one database folder.

    Parameters
    ----------
    folder : path
        Folder of ``NNN_K.<ext>`` images.
    resolution_ppi : float
        Resolution of its images, passed to ``load``.
    label : str, optional
        Name in results (defaults to the folder name).
    extract, prepare, compare, load : callable, optional
        Engine functions (see :class:`Engine`); each ``None`` takes the
        real engine's, imported only then.
    progress : callable, optional
        ``progress(phase, done, total)``, called during ``"extract"`` (per
        image) and ``"compare"`` (every few comparisons, and at the end).

    Returns
    -------
    DatabaseResult

    Raises
    ------
    FvcError
        If the folder holds no ``NNN_K`` image, or fewer than two fingers, or
        no finger with two impressions.

    Notes
    -----
    ``extract_ms_median`` times the ``extract`` call alone (not file decoding),
    over every image except the first one processed (warm-up: imports, JIT,
    caches); with a single image that one counts. ``compare_us_median`` times
    each ``compare`` call of the protocol individually; comparisons involving
    a failed image are not calls and are not timed. No measurement gives NaN.
    """
    folder = Path(folder)
    label = folder.name if label is None else label
    engine = _resolve_engine(load=load, extract=extract, prepare=prepare, compare=compare)
    images = list_images(folder)
    if not images:
        raise FvcError(f"{folder}: no image named like NNN_K.tif")
    genuine_pairs, impostor_pairs, fvc_pairs = _protocol_pairs(images)
    if genuine_pairs.shape[0] == 0 or impostor_pairs.shape[0] == 0:
        raise FvcError(
            f"{folder}: the protocol needs two fingers and a finger with two impressions"
        )

    prepared: list[Any] = [None] * len(images)
    failures: dict[str, str] = {}
    extract_ns: list[int] = []
    prepare_ns: list[int] = []
    for k, im in enumerate(images):
        try:
            pixels = engine.load(im.path, resolution_ppi=resolution_ppi)
            t0 = _ns()
            try:
                template = engine.extract(pixels)
            finally:
                extract_ns.append(_ns() - t0)
            t0 = _ns()
            prepared[k] = engine.prepare(template)
            prepare_ns.append(_ns() - t0)
        except FingerprintError as exc:
            failures[im.name] = f"{type(exc).__name__}: {exc}"
        if progress is not None:
            progress("extract", k + 1, len(images))

    ok = np.array([p is not None for p in prepared], dtype=bool)
    scores = np.full(impostor_pairs.shape[0] + genuine_pairs.shape[0], LOWEST_SCORE)
    all_pairs = np.concatenate([genuine_pairs, impostor_pairs])
    compare_ns: list[int] = []
    total = all_pairs.shape[0]
    for n, (a, b) in enumerate(all_pairs.tolist()):
        if ok[a] and ok[b]:
            pa, pb = prepared[a], prepared[b]
            t0 = _ns()
            s = engine.compare(pa, pb)
            compare_ns.append(_ns() - t0)
            scores[n] = s
        if progress is not None and ((n + 1) % _PROGRESS_EVERY == 0 or n + 1 == total):
            progress("compare", n + 1, total)
    if np.isnan(scores).any():
        raise ValueError(f"{folder}: compare returned NaN")

    genuine = scores[: genuine_pairs.shape[0]].copy()
    impostor = scores[genuine_pairs.shape[0] :].copy()
    # FVC pairs are all-pairs impostor pairs: look their scores up.
    index = {(int(a), int(b)): n for n, (a, b) in enumerate(impostor_pairs.tolist())}
    impostor_fvc = np.array(
        [impostor[index[(int(a), int(b))]] for a, b in fvc_pairs.tolist()], dtype=np.float64
    )

    warm = extract_ns[1:] if len(extract_ns) > 1 else extract_ns
    return DatabaseResult(
        label=label,
        folder=folder,
        resolution_ppi=resolution_ppi,
        images=images,
        failures=failures,
        genuine=genuine,
        impostor=impostor,
        impostor_fvc=impostor_fvc,
        genuine_pairs=genuine_pairs,
        impostor_pairs=impostor_pairs,
        impostor_fvc_pairs=fvc_pairs,
        metrics=verification_metrics(genuine, impostor, impostor_fvc),
        extract_ms_median=_median(warm) / 1e6,
        prepare_us_median=_median(prepare_ns) / 1e3,
        compare_us_median=_median(compare_ns) / 1e3,
    )


def iter_databases(
    root: str | os.PathLike[str], *, ppi: Mapping[str, float] | None = None
) -> Iterator[tuple[str, Path, float]]:
    """``(label, folder, resolution_ppi)`` of each database under ``root``."""
    root = Path(root)
    folders = find_databases(root)
    for label, folder in zip(_labels(root, folders), folders, strict=True):
        yield label, folder, resolution_for(folder, label=label, ppi=ppi)


def run_fvc(
    root: str | os.PathLike[str],
    *,
    ppi: Mapping[str, float] | None = None,
    extract: ExtractFn | None = None,
    prepare: PrepareFn | None = None,
    compare: CompareFn | None = None,
    load: LoadFn | None = None,
    progress: ProgressFn | None = None,
) -> BenchmarkResult:
    """Run the protocol on every database at or below ``root``.

    Parameters
    ----------
    root : path
        A database folder, or a folder holding several (searched recursively;
        see :func:`find_databases`). Each is labelled by its folder name, or
        by its path relative to ``root`` where two share a name.
    ppi : mapping of str to float, optional
        Resolutions by label or folder name (see :func:`resolution_for`).
    extract, prepare, compare, load : callable, optional
        Engine functions, as in :func:`run_fvc_database`.
    progress : callable, optional
        ``progress(label, phase, done, total)``.

    Raises
    ------
    FvcError
        If no database is found, or one is unusable.
    """
    found = list(iter_databases(root, ppi=ppi))
    if not found:
        raise FvcError(f"no FVC-style database (NNN_K.tif images) at or below {root}")
    engine = _resolve_engine(load=load, extract=extract, prepare=prepare, compare=compare)
    results = []
    for label, folder, resolution in found:

        def report(phase: str, done: int, total: int, _label: str = label) -> None:
            if progress is not None:
                progress(_label, phase, done, total)

        results.append(
            run_fvc_database(
                folder,
                resolution_ppi=resolution,
                label=label,
                extract=engine.extract,
                prepare=engine.prepare,
                compare=engine.compare,
                load=engine.load,
                progress=report,
            )
        )
    return BenchmarkResult(results)


def markdown_rows(result: BenchmarkResult, *, matcher: str = "interop") -> str:
    """Markdown tables of a run, for ``BENCHMARKS.md``.

    First a per-database table (rates in percent), then one row in the form
    of the reference table of ``docs/benchmarks.md`` §1
    (``| matcher | DB1 | DB2 | DB3 | DB4 | mean EER | notes |``).
    """

    def pct(x: float) -> str:
        return f"{100 * x:.2f}%"

    def num(x: float, fmt: str) -> str:
        return format(x, fmt) if math.isfinite(x) else "n/a"

    lines = [
        "| DB | ppi | EER | EER (FVC impostors) | FMR100 | FMR1000 | ZeroFMR | FTE "
        "| genuine | impostor | extract ms | compare µs |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for d in result.databases:
        m = d.metrics
        lines.append(
            f"| {d.label} | {d.resolution_ppi:g} | {pct(m.eer)} | {pct(m.eer_fvc)} "
            f"| {pct(m.fmr100)} | {pct(m.fmr1000)} | {pct(m.zero_fmr)} | {d.fte} "
            f"| {d.genuine.size} | {d.impostor.size} | {num(d.extract_ms_median, '.1f')} "
            f"| {num(d.compare_us_median, '.1f')} |"
        )
    lines.append(f"| mean | | {pct(result.mean_eer)} | | | | | | | | | |")
    lines.append("")
    eers = " | ".join(pct(d.metrics.eer) for d in result.databases)
    fmr1000 = " / ".join(f"{100 * d.metrics.fmr1000:.1f}" for d in result.databases)
    ftes = sum(d.fte for d in result.databases)
    lines.append(
        f"| {matcher} | {eers} | {pct(result.mean_eer)} | EER with all-pairs impostors; "
        f"FMR1000 {fmr1000}%; FTE {ftes} |"
    )
    return "\n".join(lines)
