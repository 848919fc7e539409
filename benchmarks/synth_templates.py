"""Template-level synthesis: generation speed, and scores against image-level synthesis.

Three parts (BENCHMARKS.md, "Template-level synthesis"):

1. **Speed.** Generates ``--time-fingers`` fingers x 2 impressions in the
   compact form (:func:`synthetic_template_arrays`) and as :class:`Template`
   objects, on one core, and extrapolates to 10^6 templates; reports the
   memory per template of both forms.
2. **Scores.** Builds FVC-shaped sets (10 fingers x 8 impressions) three
   ways: template-level (:mod:`interop.fingerprints.synth.templates`),
   image-level (``master_fingerprint`` -> ``impression`` -> ``extract``) and,
   for reference, the FVC2002 databases found under ``--data`` (DB1-3 real
   sensors, DB4 SFinGe). Template-level sets are cheap: ``--template-sets``
   of them (default 25) are scored, with the default parameters and with
   each ``--flow-shares`` value. Each set is run through the FVC protocol
   (280 genuine pairs; all 2,880 cross-finger impostor pairs; FVC's 45
   first-impression impostor pairs) with the engine's calibrated
   ``compare`` (t = -10 log10 FMR). Prints EER, FMR100, FMR1000 (pooled over
   the sets, and their range over sets), impostor score quantiles and the
   observed FMR at t = 10, 20, 30, genuine quantiles and minutiae counts. An
   image-level template that fails to enrol scores ``-inf`` against
   everything, as in :mod:`interop.evaluation.fvc`.
3. **Noise** (``--noise``). What extraction does to a finger's minutiae,
   measured on both kinds: true minutiae (for image level, those extracted
   from a clean rendering of the master's ridges), placed with the
   impression's known rotation, shift and contact ellipse (template-level
   impressions draw these exactly as image-level ones do), matched within
   12 px to the found ones. The source of the defaults of
   :class:`TemplateSynthesisParameters`.

Usage::

    .venv/bin/python benchmarks/synth_templates.py [--sets 4] [--template-sets 25]
        [--time-fingers 100000] [--flow-shares 0.9] [--noise] [--cache FILE]
        [--data DIR] [--fvc DB1_B DB2_B DB3_B DB4_B]

Image-level sets take about 20 s each (``--cache FILE`` keeps their
templates between runs; delete it when synthesis or extraction change).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import pickle
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree
from threadpoolctl import threadpool_limits

from interop.evaluation.datasets import shared_data_dir
from interop.evaluation.fvc import list_images, resolution_for
from interop.evaluation.metrics import verification_metrics
from interop.fingerprints.errors import FingerprintError
from interop.fingerprints.extraction import extract
from interop.fingerprints.image import load_fingerprint
from interop.fingerprints.matcher import compare, prepare
from interop.fingerprints.synth import (
    DEFAULT_IMPRESSION_PARAMETERS,
    impression,
    master_fingerprint,
)
from interop.fingerprints.synth.templates import (
    DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS,
    TemplateSynthesisParameters,
    master_minutiae,
    minutiae_impression,
    synthetic_template_arrays,
    synthetic_templates,
)
from interop.fingerprints.template import Template

FINGERS, IMPRESSIONS = 10, 8
FIRST_SEED = 5000
"""Set ``j`` uses masters ``FIRST_SEED + 10 j ...`` at both levels."""

FingerSet = list[list[Template | None]]
"""One FVC-shaped set: fingers x impressions (None: failed to enrol)."""


# --- 1. speed ----------------------------------------------------------------------


def time_generation(n_fingers: int) -> None:
    """Time and size both output forms; print the extrapolation to 10^6 templates."""
    synthetic_template_arrays(2, 2)  # compile the kernels
    t0 = time.perf_counter()
    minutiae, offsets = synthetic_template_arrays(n_fingers, 2, first_seed=10**6)
    arrays_s = time.perf_counter() - t0
    n_templates = offsets.size - 1
    t0 = time.perf_counter()
    for _ in synthetic_templates(n_fingers, 2, first_seed=10**6):
        pass
    objects_s = time.perf_counter() - t0
    # masters alone, and impressions alone (one master, many impressions)
    n_part = min(n_fingers, 20_000)
    t0 = time.perf_counter()
    for s in range(n_part):
        master_minutiae(10**6 + s)
    master_us = (time.perf_counter() - t0) / n_part * 1e6
    master = master_minutiae(10**6)
    t0 = time.perf_counter()
    for k in range(n_part):
        minutiae_impression(master, k)
    impression_us = (time.perf_counter() - t0) / n_part * 1e6
    tracemalloc.start()
    kept = [t for finger in synthetic_templates(2000, 1, first_seed=10**6) for t in finger]
    object_bytes = tracemalloc.get_traced_memory()[0] / len(kept)
    tracemalloc.stop()
    array_bytes = (minutiae.nbytes + offsets.nbytes) / n_templates
    print(f"\n## Speed (one core; {n_fingers:,} fingers x 2 impressions)\n")
    print("| form | µs per template | 10^6 templates | memory per template |")
    print("|---|---|---|---|")
    for name, seconds, size in (
        ("compact arrays", arrays_s, array_bytes),
        ("Template objects", objects_s, object_bytes),
    ):
        per = seconds / n_templates
        print(f"| {name} | {per * 1e6:.0f} | {per * 1e6 / 60:.1f} min | {size:.0f} B |")
    print(
        f"\nmaster_minutiae: {master_us:.0f} µs; minutiae_impression: {impression_us:.0f} µs; "
        f"{minutiae.size / n_templates:.1f} minutiae per template"
    )


# --- 2. scores -----------------------------------------------------------------------


def template_set(
    first_seed: int, params: TemplateSynthesisParameters = DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS
) -> FingerSet:
    """A set of template-level synthetic templates."""
    return [
        list(f)
        for f in synthetic_templates(FINGERS, IMPRESSIONS, first_seed=first_seed, params=params)
    ]


def _extract_or_none(image: npt.NDArray[np.uint8]) -> Template | None:
    try:
        return extract(image)
    except FingerprintError:
        return None


def image_set(first_seed: int) -> FingerSet:
    """A set of image-level synthetic templates (master -> impression -> extract)."""
    out: FingerSet = []
    for s in range(first_seed, first_seed + FINGERS):
        master = master_fingerprint(s)
        out.append([_extract_or_none(impression(master, k)) for k in range(IMPRESSIONS)])
    return out


def fvc_set(folder: Path) -> FingerSet:
    """The templates of an FVC-style folder, by finger and impression."""
    ppi = resolution_for(folder)
    by_finger: dict[int, list[Template | None]] = {}
    for im in list_images(folder):
        try:
            template: Template | None = extract(load_fingerprint(im.path, resolution_ppi=ppi))
        except FingerprintError:
            template = None
        by_finger.setdefault(im.finger, []).append(template)
    return [by_finger[f] for f in sorted(by_finger)]


@dataclass
class Scores:
    """Protocol scores of one or more sets (calibrated, -inf for failures)."""

    genuine: npt.NDArray[np.float64]
    impostor: npt.NDArray[np.float64]
    impostor_fvc: npt.NDArray[np.float64]
    counts: npt.NDArray[np.int64]
    failures: int


def set_scores(fingers: FingerSet) -> Scores:
    """FVC protocol scores of one set."""
    flat = [(f, k, t) for f, finger in enumerate(fingers) for k, t in enumerate(finger)]
    prepared = [None if t is None else prepare(t) for _, _, t in flat]
    genuine, impostor, impostor_fvc = [], [], []
    for i, j in itertools.combinations(range(len(flat)), 2):
        a, b = prepared[i], prepared[j]
        score = -np.inf if a is None or b is None else compare(a, b)
        (fi, ki, _), (fj, kj, _) = flat[i], flat[j]
        if fi == fj:
            genuine.append(score)
        else:
            impostor.append(score)
            if ki == 0 and kj == 0:
                impostor_fvc.append(score)
    counts = np.array([len(t) for _, _, t in flat if t is not None], dtype=np.int64)
    return Scores(
        np.array(genuine),
        np.array(impostor),
        np.array(impostor_fvc),
        counts,
        sum(t is None for _, _, t in flat),
    )


def pooled(scores: Sequence[Scores]) -> Scores:
    """Scores of several sets together (impostors stay within their own set)."""
    return Scores(
        np.concatenate([s.genuine for s in scores]),
        np.concatenate([s.impostor for s in scores]),
        np.concatenate([s.impostor_fvc for s in scores]),
        np.concatenate([s.counts for s in scores]),
        sum(s.failures for s in scores),
    )


def summary_rows(name: str, scores: Sequence[Scores]) -> tuple[str, str]:
    """Markdown rows: error rates, then score distributions."""
    all_ = pooled(scores)
    m = verification_metrics(all_.genuine, all_.impostor, all_.impostor_fvc)
    per = [verification_metrics(s.genuine, s.impostor, s.impostor_fvc) for s in scores]
    eers = [100 * x.eer for x in per]
    fmr1000 = [100 * x.fmr1000 for x in per]
    spread = (
        f"{min(eers):.1f}–{max(eers):.1f}" if len(per) > 1 else "",
        f"{min(fmr1000):.1f}–{max(fmr1000):.1f}" if len(per) > 1 else "",
    )
    rates = (
        f"| {name} | {len(scores)} | {100 * m.eer:.2f} | {spread[0]} | {100 * m.eer_fvc:.2f} "
        f"| {100 * m.fmr100:.2f} | {100 * m.fmr1000:.2f} | {spread[1]} | {all_.failures} |"
    )
    imp = all_.impostor[np.isfinite(all_.impostor)]
    gen = all_.genuine[np.isfinite(all_.genuine)]
    q = np.percentile(imp, [50, 90, 99])
    fmr_at = [100 * float(np.mean(imp >= t)) for t in (10, 20, 30)]
    g = np.percentile(gen, [5, 50])
    c = all_.counts
    dist = (
        f"| {name} | {c.mean():.1f} ± {c.std():.1f} | {q[0]:.1f} / {q[1]:.1f} / {q[2]:.1f} "
        f"| {fmr_at[0]:.1f} / {fmr_at[1]:.2f} / {fmr_at[2]:.2f} | {g[0]:.1f} / {g[1]:.1f} |"
    )
    return rates, dist


def print_score_tables(rows: list[tuple[str, str]]) -> None:
    """The two markdown tables of part 2."""
    print("\n## Error rates (%; pooled over the sets, range over sets)\n")
    print("| source | sets | EER | EER range | EER FVC | FMR100 | FMR1000 | FMR1000 range | FTE |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rates, _ in rows:
        print(rates)
    print("\n## Score distributions (calibrated scores t; FMR in %)\n")
    print(
        "| source | minutiae per template | impostor t 50/90/99% "
        "| FMR at t=10/20/30 | genuine t 5/50% |"
    )
    print("|---|---|---|---|---|")
    for _, dist in rows:
        print(dist)


# --- 3. noise ------------------------------------------------------------------------


def _placement(master_seed: int, k: int) -> tuple[float, npt.NDArray[np.float64], float, float]:
    """Rotation, frame centre, contact semi-axes ... of impression ``k`` (impression()'s draws)."""
    ip = DEFAULT_IMPRESSION_PARAMETERS
    rng = np.random.default_rng(np.random.SeedSequence([k, master_seed]))
    phi = float(rng.uniform(-ip.max_rotation_rad, ip.max_rotation_rad))
    shift = rng.uniform(-ip.max_translation_px, ip.max_translation_px, size=2)
    ccx, ccy = rng.normal(0.0, ip.contact_centre_sd_px, size=2)
    ax = float(rng.uniform(*ip.contact_half_width_px))
    ay = float(rng.uniform(*ip.contact_half_height_px))
    centre = np.array([(ip.width_px - 1) / 2, (ip.height_px - 1) / 2]) + shift
    return phi, np.array([centre[0], centre[1], ccx, ccy]), ax, ay


@dataclass
class NoiseRecord:
    """Per-minutia observations of one kind of synthesis."""

    truth_rho: list[float]
    truth_found: list[bool]
    found_rho: list[float]
    found_dist: list[float]
    found_dxy: list[tuple[float, float]]
    found_dangle: list[float]
    found_flip: list[bool]
    counts: list[int]
    truth_counts: list[int]


def record_noise(
    record: NoiseRecord,
    truth: Template,
    centre_xy: tuple[float, float],
    master_seed: int,
    k: int,
    found: Template,
    match_px: float = 12.0,
) -> None:
    """Add one impression's observations (see module docstring, part 3)."""
    phi, g, ax, ay = _placement(master_seed, k)
    off = truth.xy.astype(np.float64) - np.array(centre_xy)
    c, s = np.cos(phi), np.sin(phi)
    proj = np.stack([g[0] + c * off[:, 0] - s * off[:, 1], g[1] + s * off[:, 0] + c * off[:, 1]], 1)
    rho = np.hypot((off[:, 0] - g[2]) / ax, (off[:, 1] - g[3]) / ay)
    record.counts.append(len(found))
    record.truth_counts.append(len(truth))
    if len(found) == 0:
        record.truth_rho.extend(rho.tolist())
        record.truth_found.extend([False] * len(truth))
        return
    d_truth, _ = cKDTree(found.xy).query(proj)
    record.truth_rho.extend(rho.tolist())
    record.truth_found.extend((d_truth < match_px).tolist())
    d, i = cKDTree(proj).query(found.xy)
    p = found.xy - g[:2]
    fx, fy = c * p[:, 0] + s * p[:, 1], -s * p[:, 0] + c * p[:, 1]
    record.found_rho.extend(np.hypot((fx - g[2]) / ax, (fy - g[3]) / ay).tolist())
    record.found_dist.extend(d.tolist())
    record.found_dxy.extend((found.xy - proj[i]).tolist())
    expected = truth.minutiae["angle"][i].astype(np.float64) - phi
    da = np.angle(np.exp(1j * (found.minutiae["angle"] - expected)))
    record.found_dangle.extend(da.tolist())
    record.found_flip.extend((found.minutiae["type"] != truth.minutiae["type"][i]).tolist())


def noise_table(records: dict[str, NoiseRecord], match_px: float = 12.0) -> None:
    """Print the noise comparison of part 3."""
    print(f"\n## Extraction noise (true minutiae matched within {match_px:.0f} px)\n")
    names = list(records)
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))

    def row(label: str, fn: Callable[[NoiseRecord], str]) -> None:
        print(f"| {label} | " + " | ".join(fn(records[n]) for n in names) + " |")

    def found_at(r: NoiseRecord, lo: float, hi: float) -> str:
        rho = np.array(r.truth_rho)
        sel = (rho >= lo) & (rho < hi)
        return f"{np.mean(np.array(r.truth_found)[sel]):.2f}" if sel.any() else "-"

    def spurious(r: NoiseRecord, lo: float, hi: float) -> str:
        rho = np.array(r.found_rho)
        sel = (rho >= lo) & (rho < hi)
        per = np.sum(np.array(r.found_dist)[sel] >= match_px) / len(r.counts)
        return f"{per:.2f}"

    row("true minutiae per finger", lambda r: f"{np.mean(r.truth_counts):.1f}")
    row("minutiae per impression", lambda r: f"{np.mean(r.counts):.1f} ± {np.std(r.counts):.1f}")
    for lo, hi in ((0.0, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.1), (1.1, 1.3)):
        row(f"share found, rho {lo:.1f}–{hi:.1f}", functools.partial(found_at, lo=lo, hi=hi))
    for lo, hi in ((0.0, 0.8), (0.8, 2.0)):
        row(
            f"spurious per impression, rho {lo:.1f}–{hi:.1f}",
            functools.partial(spurious, lo=lo, hi=hi),
        )

    def matched(r: NoiseRecord) -> npt.NDArray[np.bool_]:
        return np.array(r.found_dist) < match_px

    def pos_sd(r: NoiseRecord) -> str:
        sel = matched(r) & (np.array(r.found_rho) < 0.5)
        dxy = np.array(r.found_dxy)[sel]
        return f"{dxy[:, 0].std():.2f}, {dxy[:, 1].std():.2f}"

    def angle(r: NoiseRecord) -> str:
        da = np.abs(np.array(r.found_dangle)[matched(r)])
        small = da[da < 0.8]
        return f"{np.sqrt(np.mean(small**2)):.3f} / {np.mean(da > np.pi / 2):.3f}"

    row("position error sd x, y (px, rho < 0.5)", pos_sd)
    row("angle error rms (rad) / share reversed", angle)
    row("type flips", lambda r: f"{np.mean(np.array(r.found_flip)[matched(r)]):.3f}")


def measure_noise(n_masters: int, n_impressions: int) -> None:
    """Part 3, on both kinds of synthesis."""
    image_rec = NoiseRecord([], [], [], [], [], [], [], [], [])
    template_rec = NoiseRecord([], [], [], [], [], [], [], [], [])
    for s in range(FIRST_SEED, FIRST_SEED + n_masters):
        master = master_fingerprint(s)
        rendering = np.where(master.mask, 128 - 90 * master.ridges, 235).astype(np.uint8)
        truth = extract(rendering)
        tm = master_minutiae(s)
        # as on the image-level master, nothing within the extractor's margin of the outline
        off_x = tm.minutiae["x"] - tm.centre_xy[0]
        off_y = tm.minutiae["y"] - tm.centre_xy[1]
        u = np.abs(off_x) / (tm.half_width_px - 12.0)
        v = off_y / (tm.half_height_px - 12.0)
        e = np.where(v < 0, 2.0, tm.bottom_exponent)
        t_truth = Template(tm.minutiae[u**e + np.abs(v) ** e <= 1.0], width=336, height=432)
        for k in range(n_impressions):
            found = _extract_or_none(impression(master, k))
            if found is not None:
                record_noise(image_rec, truth, master.centre_xy, s, k, found)
            record_noise(template_rec, t_truth, tm.centre_xy, s, k, minutiae_impression(tm, k))
    noise_table({"image level": image_rec, "template level": template_rec})


def score_comparison(args: argparse.Namespace, seeds: list[int]) -> None:
    """Part 2."""
    rows = []
    t0 = time.perf_counter()
    t_scores = [set_scores(template_set(s)) for s in seeds[: args.template_sets]]
    t_seconds = time.perf_counter() - t0
    if t_scores:
        rows.append(summary_rows("template level", t_scores[: max(args.sets, 1)]))
    if args.template_sets > args.sets > 0:
        rows.append(summary_rows("template level, all sets", t_scores))
    for share in args.flow_shares:
        params = dataclasses.replace(DEFAULT_TEMPLATE_SYNTHESIS_PARAMETERS, flow_share=share)
        scores = [set_scores(template_set(s, params)) for s in seeds[: args.template_sets]]
        rows.append(summary_rows(f"template level, flow_share {share:g}, all sets", scores))
    cached: dict[int, FingerSet] = {}
    if args.cache is not None and args.cache.is_file():
        cached = pickle.loads(args.cache.read_bytes())
    reused = sum(s in cached for s in seeds[: args.sets])
    t0 = time.perf_counter()
    image_sets = [cached[s] if s in cached else image_set(s) for s in seeds[: args.sets]]
    i_seconds = time.perf_counter() - t0
    if args.cache is not None and image_sets:
        cached.update(zip(seeds[: args.sets], image_sets, strict=True))
        args.cache.write_bytes(pickle.dumps(cached))
    if image_sets:
        rows.append(summary_rows("image level", [set_scores(s) for s in image_sets]))
    for name in args.fvc:
        folder = args.data / name
        if folder.is_dir():
            rows.append(summary_rows(f"FVC2002 {name}", [set_scores(fvc_set(folder))]))
    print_score_tables(rows)
    print(
        f"\n(template-level sets built and scored in {t_seconds:.1f} s; image-level sets "
        f"built in {i_seconds:.1f} s, {reused} of them from the cache)"
    )


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=4, help="image-level sets (10 x 8)")
    ap.add_argument("--template-sets", type=int, default=25, help="template-level sets")
    ap.add_argument("--time-fingers", type=int, default=100_000)
    ap.add_argument("--noise", action="store_true", help="also measure extraction noise")
    ap.add_argument("--noise-masters", type=int, default=16)
    ap.add_argument("--cache", type=Path, help="pickle of the image-level sets")
    ap.add_argument(
        "--flow-shares",
        type=float,
        nargs="*",
        default=[0.9],
        help="also template-level sets with these flow_share values",
    )
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "fvc2002")
    ap.add_argument(
        "--fvc",
        nargs="*",
        default=["DB1_B", "DB2_B", "DB3_B", "DB4_B"],
        help="FVC2002 databases under --data to score too (where present)",
    )
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    threadpool_limits(1)

    if args.time_fingers > 0:
        time_generation(args.time_fingers)

    seeds = [FIRST_SEED + FINGERS * j for j in range(max(args.sets, args.template_sets))]
    if seeds:
        score_comparison(args, seeds)
    if args.noise:
        measure_noise(args.noise_masters, IMPRESSIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
