"""Compile the engine's Numba kernels once, at install, instead of at first use.

Every kernel is declared with ``cache=True``: Numba writes the machine code
it compiles next to the source (``__pycache__/*.nbi``, ``*.nbc``) and later
processes load it instead of compiling again. A fresh checkout has no such
files, so the first run of anything that matches fingerprints spends about
40 s of one core compiling (the first ``interop demo`` on two cores: about
38 s of its wall time). ``make`` runs :func:`compile_kernels` once after
installing, as a build step, so the demo's batch measures the system, not the
compiler.

Numba compiles one specialisation per argument types, so a list of kernels
called with made-up arrays could miss the types the pipeline really passes.
:func:`compile_kernels` therefore runs a few dozen bookings of the demo
itself (Type-9 and ten-image bookings, the galleries, the searches, the
what-if) in a throwaway folder: it compiles exactly what the demo and the
workers use.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import interop

WARMUP_BOOKINGS = 40
"""Bookings of the throwaway demo: enough to reach every kernel (matches,
non-matches, the what-if's searches), few enough to take seconds once compiled."""


@dataclass(frozen=True)
class WarmupReport:
    """What :func:`compile_kernels` did.

    Attributes
    ----------
    cached_before, cached_after : int
        Numba cache index files (``*.nbi``) under the package before and after.
    seconds : float
        Wall time, s.
    bookings : int
        Bookings the throwaway demo replayed.
    wrong : int
        Of those, bookings whose final state differed from the ground truth
        (0 expected; reported, not hidden, since this is a real run).
    """

    cached_before: int
    cached_after: int
    seconds: float
    bookings: int
    wrong: int


def cached_kernels(root: Path | None = None) -> int:
    """Numba cache index files (``*.nbi``) under ``root``.

    The default is where Numba caches the package's kernels: beside the
    source, or under ``NUMBA_CACHE_DIR`` when that is set.
    """
    if root is None:
        override = os.environ.get("NUMBA_CACHE_DIR")
        root = Path(override) if override else Path(interop.__file__).parent
    return sum(1 for _ in root.rglob("*.nbi")) if root.is_dir() else 0


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _compile_index_merge() -> None:
    """Compile the pair index's merge, which a small demo never reaches.

    :meth:`PairIndex.compact` runs once the unsorted additions pass 65,536
    entries. It is compiled twice: for an index built in memory and for one
    loaded from a snapshot (read-only arrays are another Numba type).
    """
    import numpy as np

    from interop.fingerprints.gallery.index import PairIndex

    keys = np.arange(8, dtype=np.int32)
    built = PairIndex()
    built.add(0, keys)
    state = built.state()
    starts = np.asarray(state["starts"], dtype=np.int64)
    postings = np.asarray(state["postings"], dtype=np.uint8)
    starts.setflags(write=False)
    postings.setflags(write=False)
    loaded = PairIndex.from_state(built.params, starts, postings)
    loaded.add(1, keys)
    loaded.compact()


def compile_kernels(bookings: int = WARMUP_BOOKINGS, *, image_bookings: int = 1) -> WarmupReport:
    """Run a small demo in a temporary folder so that every kernel is compiled and cached.

    Parameters
    ----------
    bookings : int
        Fewest bookings replayed.
    image_bookings : int
        Of those, bookings sent as ten WSQ images (compiles the extractor's kernels).

    Returns
    -------
    WarmupReport
    """
    from interop.agencies.runtime import open_runtime
    from interop.demo import DemoPlan, run_demo
    from interop.reports.whatif import what_if
    from interop.store import Store

    started = time.perf_counter()
    before = cached_kernels()
    plan = DemoPlan(bookings=bookings, image_bookings=image_bookings, distractors=50)
    with (
        tempfile.TemporaryDirectory(prefix="interop-warmup-") as folder,
        _environ("INTEROP_HOME", folder),
    ):
        store = Store.open(f"sqlite:///{Path(folder) / 'warmup.db'}")
        try:
            runtime = open_runtime(store=store)
            run = run_demo(store, runtime, plan)
            what_if(store, ("as-operated", "honor-opt-out"), state="IL")
        finally:
            store.close()
    _compile_index_merge()
    return WarmupReport(
        cached_before=before,
        cached_after=cached_kernels(),
        seconds=time.perf_counter() - started,
        bookings=run.bookings,
        wrong=len(run.wrong),
    )
