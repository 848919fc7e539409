"""The fingerprint-engine demonstration behind ``interop engine-demo``.

Everything is synthetic (:mod:`interop.fingerprints.synth`), so the demo runs
on a fresh machine with no data: make a few fingers, take a few impressions
of each, enrol the first impression of every finger, and compare every other
impression with every enrolled finger. This module computes; the CLI renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interop.fingerprints.errors import ExtractionError
from interop.fingerprints.extraction import extract
from interop.fingerprints.matcher import PreparedTemplate, compare, prepare
from interop.fingerprints.synth import PatternClass, impression, master_fingerprint
from interop.fingerprints.template import Template

MAX_FINGERS = 100
MAX_IMPRESSIONS = 8

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases ``"synthesise"``, ``"extract"``, ``"compare"``."""


@dataclass(frozen=True)
class Capture:
    """One impression and what extraction made of it.

    Attributes
    ----------
    finger : int
        Index of the finger, 0-based.
    impression : int
        Index of the impression, 0-based (0 is the enrolment impression).
    image : (H, W) uint8 ndarray
        The 500-ppi image.
    template : Template or None
        None when extraction failed (``failure`` says why).
    failure : str
        Empty, or the extraction error's message.
    """

    finger: int
    impression: int
    image: npt.NDArray[np.uint8]
    template: Template | None
    failure: str = ""


@dataclass(frozen=True)
class DemoResult:
    """Outcome of :func:`run_demo`.

    Attributes
    ----------
    patterns : list of PatternClass
        Pattern class of each finger.
    master_seeds : list of int
        The :func:`~interop.fingerprints.synth.master_fingerprint` seed of each finger.
    captures : list of list of Capture
        ``captures[f][k]``: impression ``k`` of finger ``f``.
    probes : list of Capture
        Every impression but the first of each finger, finger by finger.
    scores : (P, F) float64 ndarray
        ``scores[p, f]``: calibrated score of probe ``p`` against the
        enrolled finger ``f``; 0 where either template is missing.
    """

    patterns: list[PatternClass]
    master_seeds: list[int]
    captures: list[list[Capture]]
    probes: list[Capture]
    scores: npt.NDArray[np.float64]

    @property
    def enrolled(self) -> list[Capture]:
        """The first impression of every finger."""
        return [c[0] for c in self.captures]


def finger_seeds(seed: int, fingers: int) -> list[int]:
    """Master seeds of the demo's fingers: distinct for distinct ``seed``."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(fingers)]


def _capture(finger: int, k: int, image: npt.NDArray[np.uint8]) -> Capture:
    try:
        return Capture(finger, k, image, extract(image))
    except ExtractionError as exc:  # FailureToEnrol included
        return Capture(finger, k, image, None, str(exc))


def run_demo(
    *,
    fingers: int,
    impressions: int,
    seed: int,
    progress: Progress | None = None,
) -> DemoResult:
    """Synthesise, extract, enrol and compare; see the module docstring.

    Parameters
    ----------
    fingers : int
        1..:data:`MAX_FINGERS`.
    impressions : int
        Impressions per finger, 2..:data:`MAX_IMPRESSIONS`.
    seed : int
        Non-negative; the whole result is a function of it.
    progress : callable, optional
        Called as ``progress(phase, done, total)`` after each step.

    Raises
    ------
    ValueError
        If an argument is out of range.
    """
    if not 1 <= fingers <= MAX_FINGERS:
        raise ValueError(f"fingers must be in 1..{MAX_FINGERS}, got {fingers}")
    if not 2 <= impressions <= MAX_IMPRESSIONS:
        raise ValueError(f"impressions must be in 2..{MAX_IMPRESSIONS}, got {impressions}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")

    def tick(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    seeds = finger_seeds(seed, fingers)
    masters = []
    images: list[list[npt.NDArray[np.uint8]]] = []
    for f, s in enumerate(seeds):
        master = master_fingerprint(s)
        masters.append(master)
        images.append([impression(master, k) for k in range(impressions)])
        tick("synthesise", f + 1, fingers)

    total = fingers * impressions
    captures: list[list[Capture]] = []
    for f, row in enumerate(images):
        captures.append([])
        for k, image in enumerate(row):
            captures[f].append(_capture(f, k, image))
            tick("extract", f * impressions + k + 1, total)

    def prepared(c: Capture) -> PreparedTemplate | None:
        return None if c.template is None else prepare(c.template)

    gallery = [prepared(row[0]) for row in captures]
    probes = [c for row in captures for c in row[1:]]
    scores = np.zeros((len(probes), fingers), dtype=np.float64)
    for p, probe in enumerate(probes):
        prepared_probe = prepared(probe)
        if prepared_probe is not None:
            for f, enrolled in enumerate(gallery):
                if enrolled is not None:
                    scores[p, f] = compare(prepared_probe, enrolled)
        tick("compare", p + 1, len(probes))
    return DemoResult(
        patterns=[m.pattern for m in masters],
        master_seeds=seeds,
        captures=captures,
        probes=probes,
        scores=scores,
    )
