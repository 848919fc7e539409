"""Synthetic databases laid out like FVC's, for ``interop bench verify``.

A database is a folder of ``NNN_K.png`` images (finger ``NNN`` from 101,
impression ``K`` from 1), 8-bit grey at 500 ppi, like FVC2002's. As in
FVC2002 (forefingers and middle fingers of volunteers), finger ``i`` is the
right or left index or middle finger of synthetic person ``i``; its class
follows :func:`~interop.fingerprints.synth.person.ten_print_classes`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from interop.fingerprints.synth.impression import impression
from interop.fingerprints.synth.master import master_fingerprint
from interop.fingerprints.synth.person import finger_seed, ten_print_classes

FVC_POSITIONS = (2, 3, 7, 8)
"""Finger positions used in turn: right index, right middle, left index, left middle."""

FIRST_FINGER_NUMBER = 101
"""FVC numbers fingers from 101."""

ProgressFn = Callable[[int, int], None]
"""``progress(images_written, images_total)``."""


def _person_seed(seed: int, finger: int) -> int:
    state = np.random.SeedSequence([seed, finger]).generate_state(1, dtype=np.uint32)
    return int(state[0])


def _impression_seed(seed: int, finger: int, k: int) -> int:
    state = np.random.SeedSequence([seed, finger, k, 1]).generate_state(1, dtype=np.uint32)
    return int(state[0])


def write_fvc_database(
    folder: str | Path,
    *,
    fingers: int,
    impressions: int,
    seed: int,
    progress: ProgressFn | None = None,
) -> list[Path]:
    """Write a synthetic FVC-style database.

    Parameters
    ----------
    folder : path
        Created if missing; images already there with the same names are
        replaced.
    fingers, impressions : int
        At least 1 finger (at most 899, FVC's numbering) and 1 impression.
    seed : int
        Non-negative; the same seed gives the same images.
    progress : callable, optional
        Called after each image.

    Returns
    -------
    list of Path
        The images written, finger by finger.
    """
    if not 1 <= fingers <= 899:
        raise ValueError(f"fingers must be in 1..899, got {fingers!r}")
    if impressions < 1:
        raise ValueError(f"impressions must be at least 1, got {impressions!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    total = fingers * impressions
    for i in range(fingers):
        person = _person_seed(seed, i)
        position = FVC_POSITIONS[i % len(FVC_POSITIONS)]
        master = master_fingerprint(
            finger_seed(person, position), pattern=ten_print_classes(person)[position]
        )
        for k in range(impressions):
            pixels = impression(master, _impression_seed(seed, i, k))
            path = out / f"{FIRST_FINGER_NUMBER + i}_{k + 1}.png"
            # write then rename: a reader never sees half an image
            partial = path.with_suffix(".png.partial")
            Image.fromarray(pixels).save(partial, format="PNG", dpi=(500, 500))
            partial.replace(path)
            written.append(path)
            if progress is not None:
                progress(len(written), total)
    return written
