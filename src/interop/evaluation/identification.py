"""1:N identification benchmarks: synthetic ten-print galleries and FVC folders.

Synthetic mode (:func:`run_synthetic`): subject ``s`` has ten fingers, finger
position ``p`` being template-level master ``first_seed + 10 s + p - 1``
(:mod:`interop.fingerprints.synth.templates`); impression 0 is enrolled,
impression 1 searched. Subjects ``0 .. subjects-1`` are enrolled; mated
searches probe some of them, non-mated searches probe subjects beyond.

Real mode (:func:`run_fvc`): in an FVC folder each finger's first impression
is enrolled (as finger position 0) and each other impression searched; a
non-mated search is the same probe against the gallery without its finger
(a gallery filter), which gives the non-mated score distribution.

Reported: rank-1 rate, FNIR at the thresholds the gallery sets for FPIR 1%
and 0.1% (:func:`interop.fingerprints.gallery.threshold_for_fpir`) together
with the FPIR those thresholds really give on the non-mated searches, search
latency percentiles, per-core rates of the pre-filter and comparison
stages, the time of each stage and the verification stage's work per
search, memory per finger.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from interop.fingerprints.gallery import (
    EnrolmentBatch,
    Gallery,
    GalleryFileError,
    SearchParameters,
    SearchResult,
    pack_enrolments,
    threshold_for_fpir,
)
from interop.fingerprints.template import Template

ProgressFn = Callable[[str, int, int], None]
"""``progress(phase, done, total)``."""

FPIR_TARGETS = (0.01, 0.001)


@dataclass
class IdentificationReport:
    """Figures of one identification benchmark (JSON-ready via :meth:`as_dict`)."""

    mode: str
    subjects: int
    fingers_enrolled: int
    probe_fingers: int
    mated_searches: int
    non_mated_searches: int
    shortlist: int
    rank1: float
    fnir: dict[str, float]
    """FNIR at the threshold for each target FPIR (keys like ``"0.001"``)."""
    fpir_measured: dict[str, float]
    """Share of non-mated searches that reached that threshold."""
    prefilter_misses: float
    """Share of mated searches whose subject the pre-filter left out."""
    latency_s: dict[str, float]
    """Search latency p50 / p99 (wall clock, one thread)."""
    effective_comparisons_per_s: float
    """Gallery fingers searched per CPU second, pre-filter included."""
    full_comparisons_per_s: float
    """Finger comparisons per second of the comparison stage (code comparison
    from the stored form; the verification stage is reported in ``extra``)."""
    memory_bytes_per_finger: float
    enrol_s_per_subject: float
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return asdict(self)


def _measure(
    gallery: Gallery,
    mated: Sequence[tuple[str, dict[int, Template]]],
    non_mated: Sequence[tuple[dict[int, Template], list[str] | None]],
    params: SearchParameters,
    progress: ProgressFn | None,
) -> tuple[list[SearchResult], list[str], list[SearchResult], list[float], float, float]:
    """Run the searches; returns results, truths, non-mated results, latencies,
    CPU seconds of the mated searches, and the pre-filter miss rate."""
    results, truths, others, latencies = [], [], [], []
    missed = 0
    cpu = 0.0
    # One unrecorded search first: it loads the compiled kernels (a one-time
    # cost of each process, about a second) and would count in its timings.
    if mated:
        gallery.search(mated[0][1], params=params)
    total = len(mated) + len(non_mated)
    for k, (truth, probe) in enumerate(mated):
        w0, c0 = time.perf_counter(), time.process_time()
        results.append(gallery.search(probe, params=params))
        cpu += time.process_time() - c0
        latencies.append(time.perf_counter() - w0)
        truths.append(truth)
        missed += truth not in results[-1].shortlisted
        if progress:
            progress("search", k + 1, total)
    for k, (probe, subset) in enumerate(non_mated):
        others.append(gallery.search(probe, params=params, subset=subset))
        if progress:
            progress("search", len(mated) + k + 1, total)
    return results, truths, others, latencies, cpu, missed / max(len(mated), 1)


def _report(
    mode: str,
    gallery: Gallery,
    results: list[SearchResult],
    truths: list[str],
    others: list[SearchResult],
    latencies: list[float],
    cpu_s: float,
    misses: float,
    params: SearchParameters,
    enrol_s: float,
) -> IdentificationReport:
    pairs = list(zip(results, truths, strict=True))
    rank1 = float(
        np.mean([bool(r.candidates) and r.candidates[0].subject_id == t for r, t in pairs])
    )
    fnir, fpir = {}, {}
    for target in FPIR_TARGETS:
        hits = [
            any(c.subject_id == t and c.score >= _threshold(r, target) for c in r.candidates)
            for r, t in pairs
        ]
        fnir[str(target)] = 1.0 - float(np.mean(hits))
        false = [
            bool(r.candidates) and r.candidates[0].score >= _threshold(r, target) for r in others
        ]
        fpir[str(target)] = float(np.mean(false)) if others else float("nan")
    fingers_scanned = sum(r.searched * len(r.probe_fingers) for r in results)
    compare_s = sum(r.timings_s.get("compare", 0.0) for r in results)
    compared = sum(r.compared for r in results)
    return IdentificationReport(
        mode=mode,
        subjects=len(gallery),
        fingers_enrolled=gallery.finger_count,
        probe_fingers=int(np.median([len(r.probe_fingers) for r in results])) if results else 0,
        mated_searches=len(results),
        non_mated_searches=len(others),
        shortlist=params.shortlist,
        rank1=rank1,
        fnir=fnir,
        fpir_measured=fpir,
        prefilter_misses=misses,
        latency_s={
            "p50": float(np.percentile(latencies, 50)),
            "p99": float(np.percentile(latencies, 99)),
        },
        effective_comparisons_per_s=fingers_scanned / cpu_s if cpu_s > 0 else float("nan"),
        full_comparisons_per_s=compared / compare_s if compare_s > 0 else float("nan"),
        memory_bytes_per_finger=gallery.memory_bytes() / max(gallery.finger_count, 1),
        enrol_s_per_subject=enrol_s / max(len(gallery), 1),
        extra={
            "comparisons_per_search": compared / max(len(results), 1),
            "verified_comparisons_per_search": sum(r.verified for r in results)
            / max(len(results), 1),
            "stage_s_per_search": {
                stage: sum(r.timings_s.get(stage, 0.0) for r in results) / max(len(results), 1)
                for stage in ("prefilter", "encode_probe", "compare", "verify")
            },
        },
    )


def markdown_table(reports: Sequence[IdentificationReport]) -> str:
    """The reports as the Markdown table of BENCHMARKS.md §4."""
    lines = [
        "| gallery | subjects | probe fingers | mated / non-mated searches | rank-1 "
        "| FNIR @ FPIR 1% / 0.1% | measured FPIR 1% / 0.1% | pre-filter misses "
        "| latency p50 / p99 | effective cmp/s/core | full cmp/s/core | bytes/finger |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.mode} | {r.subjects:,} | {r.probe_fingers} "
            f"| {r.mated_searches} / {r.non_mated_searches} | {100 * r.rank1:.2f}% "
            f"| {100 * r.fnir['0.01']:.2f}% / {100 * r.fnir['0.001']:.2f}% "
            f"| {100 * r.fpir_measured['0.01']:.2f}% / {100 * r.fpir_measured['0.001']:.2f}% "
            f"| {100 * r.prefilter_misses:.2f}% "
            f"| {r.latency_s['p50']:.3f} / {r.latency_s['p99']:.3f} s "
            f"| {r.effective_comparisons_per_s:,.0f} | {r.full_comparisons_per_s:,.0f} "
            f"| {r.memory_bytes_per_finger:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def _threshold(result: SearchResult, fpir: float) -> float:
    return threshold_for_fpir(max(result.searched, 1), fpir)


def synthetic_subject(
    s: int, impression: int, fingers: int, first_seed: int
) -> dict[int, Template]:
    """Synthetic subject ``s``: finger position p is master ``first_seed + 10 s + p - 1``."""
    from interop.fingerprints.synth.templates import master_minutiae, minutiae_impression

    return {
        p: minutiae_impression(master_minutiae(first_seed + 10 * s + p - 1), impression)
        for p in range(1, fingers + 1)
    }


def _synthetic_batch(first: int, count: int, fingers: int, first_seed: int) -> EnrolmentBatch:
    """Enrolment batch of synthetic subjects ``first .. first + count - 1`` (a
    module-level function, so that worker processes can run it)."""
    return pack_enrolments(
        (f"S{s:08d}", synthetic_subject(s, 0, fingers, first_seed))
        for s in range(first, first + count)
    )


def build_synthetic_gallery(
    subjects: int,
    *,
    fingers: int = 10,
    first_seed: int = 1_000_000,
    workers: int = 1,
    batch: int = 500,
    progress: ProgressFn | None = None,
) -> Gallery:
    """Gallery of synthetic subjects ``0 .. subjects-1`` (impression 0 of each finger).

    ``workers`` > 1 synthesises and packs batches in that many processes
    while this one enrols them.
    """
    gallery = Gallery()
    starts = list(range(0, subjects, batch))
    sizes = [min(batch, subjects - s) for s in starts]
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            batches = pool.map(
                _synthetic_batch,
                starts,
                sizes,
                [fingers] * len(starts),
                [first_seed] * len(starts),
            )
            for done, b in enumerate(batches):
                gallery.enrol_batch(b)
                if progress:
                    progress("enrol", starts[done] + sizes[done], subjects)
    else:
        for first, count in zip(starts, sizes, strict=True):
            gallery.enrol_batch(_synthetic_batch(first, count, fingers, first_seed))
            if progress:
                progress("enrol", first + count, subjects)
    return gallery


def run_synthetic(
    subjects: int,
    *,
    mated: int = 200,
    non_mated: int = 200,
    fingers: int = 10,
    first_seed: int = 1_000_000,
    params: SearchParameters | None = None,
    workers: int = 1,
    cache: str | os.PathLike[str] | None = None,
    progress: ProgressFn | None = None,
) -> IdentificationReport:
    """Synthetic ten-print benchmark (see module docstring).

    ``fingers`` (1..10) fingers per subject, positions 1 .. fingers.
    ``workers`` processes build the gallery; ``cache`` is a folder where the
    gallery is saved, and loaded from on a later run with the same
    ``subjects``, ``fingers`` and ``first_seed`` (enrolment time is then the
    load time, reported in ``extra``). A cached gallery is read into memory,
    not memory-mapped: the first touch of each mapped page would count in
    the first searches' timings (it triples the comparison stage's time on a
    cold 10⁶-subject gallery).
    """
    if not 1 <= fingers <= 10:
        raise ValueError(f"fingers must be in 1..10, got {fingers!r}")
    params = params or SearchParameters()
    recipe = {"subjects": subjects, "fingers": fingers, "first_seed": first_seed}
    folder = Path(cache) if cache is not None else None
    stamp = folder / "synthetic.json" if folder is not None else None
    t0 = time.perf_counter()
    loaded = False
    if stamp is not None and stamp.is_file() and json.loads(stamp.read_text()) == recipe:
        try:
            gallery = Gallery.load(stamp.parent, mmap=False)
            loaded = True
        except GalleryFileError:
            pass  # an older format: build it again
    if not loaded:
        gallery = build_synthetic_gallery(
            subjects, fingers=fingers, first_seed=first_seed, workers=workers, progress=progress
        )
    enrol_s = time.perf_counter() - t0
    if folder is not None and stamp is not None and not loaded:
        gallery.save(folder)
        stamp.write_text(json.dumps(recipe))
    rng = np.random.default_rng(first_seed)
    chosen = rng.choice(subjects, size=min(mated, subjects), replace=False)
    mated_probes = [
        (f"S{s:08d}", synthetic_subject(int(s), 1, fingers, first_seed))
        for s in sorted(chosen.tolist())
    ]
    non_mated_probes: list[tuple[dict[int, Template], list[str] | None]] = [
        (synthetic_subject(subjects + k, 1, fingers, first_seed), None) for k in range(non_mated)
    ]
    measured = _measure(gallery, mated_probes, non_mated_probes, params, progress)
    report = _report("synthetic", gallery, *measured, params, enrol_s)
    report.extra.update(
        {"gallery_loaded_from_cache": loaded, "build_or_load_s": enrol_s, "workers": workers}
    )
    return report


_NAME = re.compile(r"^(\d+)_(\d+)\.(tif|tiff|png|bmp|jpg|jpeg|wsq)$", re.IGNORECASE)


def run_fvc(
    folder: str | os.PathLike[str],
    *,
    resolution_ppi: float,
    params: SearchParameters | None = None,
    progress: ProgressFn | None = None,
) -> IdentificationReport:
    """Real-image benchmark on one FVC folder (see module docstring)."""
    from interop.fingerprints import extract, load_fingerprint

    params = params or SearchParameters()
    files: dict[str, dict[int, Path]] = {}
    for path in sorted(Path(folder).iterdir()):
        m = _NAME.match(path.name)
        if m:
            files.setdefault(m.group(1), {})[int(m.group(2))] = path
    templates: dict[str, dict[int, Template]] = {}
    total = sum(len(v) for v in files.values())
    done = 0
    for finger, impressions in files.items():
        for k, path in sorted(impressions.items()):
            templates.setdefault(finger, {})[k] = extract(
                load_fingerprint(path, resolution_ppi=resolution_ppi)
            )
            done += 1
            if progress:
                progress("extract", done, total)
    gallery = Gallery()
    t0 = time.perf_counter()
    for finger, prints in templates.items():
        first = min(prints)
        gallery.enrol(finger, {0: prints[first]})
    enrol_s = time.perf_counter() - t0
    everyone = list(templates)
    mated_probes = []
    non_mated_probes: list[tuple[dict[int, Template], list[str] | None]] = []
    for finger, prints in templates.items():
        others = [f for f in everyone if f != finger]
        for k in sorted(prints)[1:]:
            mated_probes.append((finger, {0: prints[k]}))
            non_mated_probes.append(({0: prints[k]}, others))
    measured = _measure(gallery, mated_probes, non_mated_probes, params, progress)
    return _report(f"fvc:{Path(folder).name}", gallery, *measured, params, enrol_s)
