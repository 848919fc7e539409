"""Work on a submission that depends only on its bytes, done once and ahead.

The FBI's handling of a CAR spends about half its time on things that
depend on nothing but the transaction's bytes: parsing it, EBTS validation,
reading the ten Type-9 records into templates, and the comparison forms of
the probe's ten fingers (one cylinder build each). IDENT, handed the same
bytes, needs the same parse and templates. :func:`prepared_submission`
computes these once per transaction (by its SHA-256) and keeps them in a
content-keyed cache of this process, so the FBI and IDENT handlers of one
worker share them.

A process that submits bookings and handles them with a core to spare
(``interop demo``) also has a :class:`Prefetcher`: given the bytes of each
submission as it is sent (:meth:`Prefetcher.prepare`), a helper process
prepares the CAR, its probe forms included; the results land in the same cache and in
:func:`interop.fingerprints.gallery.gallery.remember_probe_forms`. The
handler then finds them ready, or computes them itself when the helper has
not finished (or failed): the outcome is the same either way, as all of it
is a pure function of the bytes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from interop.fingerprints.gallery.gallery import (
    ProbeForms,
    make_probe_forms,
    probe_key,
    remember_probe_forms,
)
from interop.fingerprints.template import Template
from interop.nist import parse
from interop.nist.car import CarSubmission, read_car
from interop.nist.program import program_rules
from interop.nist.validation import Violation, validate

log = logging.getLogger(__name__)

PREPARED_CACHED = 1_024
"""Transactions whose preparation is kept (about 10 kB each)."""


@dataclass(frozen=True)
class PreparedSubmission:
    """What :func:`prepare_submission` computed for one CAR transaction.

    Attributes
    ----------
    sha256 : str
        Of the transaction's bytes.
    violations : list of Violation
        The EBTS rules (with the program's messages) it breaks.
    submission : CarSubmission or None
        What it carries (:func:`~interop.nist.car.read_car`, images not
        decoded); None when it breaks a rule (the FBI rejects it unread).
    probe : dict of int to Template
        Its fingers by position (:func:`~interop.agencies.agencies.probe_templates`):
        the Type-9 minutiae, or minutiae extracted from its images.
    forms : list of (bytes, ProbeForms)
        The probe fingers' comparison forms by :func:`probe_key`; empty
        unless prepared by a helper (the search builds them otherwise).
    """

    sha256: str
    violations: list[Violation]
    submission: CarSubmission | None
    probe: dict[int, Template]
    forms: list[tuple[bytes, ProbeForms]]


_prepared: OrderedDict[str, PreparedSubmission] = OrderedDict()
_prepared_lock = threading.Lock()
_pending: dict[str, Future[PreparedSubmission]] = {}
"""Preparations a :class:`Prefetcher` of this process has started and not
landed yet, by SHA-256 (guarded by ``_prepared_lock``)."""

PENDING_WAIT_S = 30.0
"""How long :func:`prepared_submission` waits for a helper's preparation in
flight before doing the work itself: a helper behind on a busy machine is
still cheaper to wait for than to duplicate (it is a queue of work the
handler needs next), and one that died fails its futures at once."""


def _remember(prepared: PreparedSubmission) -> None:
    with _prepared_lock:
        _prepared[prepared.sha256] = prepared
        _prepared.move_to_end(prepared.sha256)
        while len(_prepared) > PREPARED_CACHED:
            _prepared.popitem(last=False)


def prepare_submission(data: bytes, *, forms: bool = False) -> PreparedSubmission:
    """Parse, validate and read a CAR (and, with ``forms``, build its probe
    fingers' comparison forms: what a helper process does).

    Raises
    ------
    NistFormatError
        If ``data`` is not a readable ANSI/NIST transaction.
    """
    from interop.agencies.agencies import probe_templates

    transaction = parse(data)
    violations = validate(transaction, program_rules())
    submission = None
    probe: dict[int, Template] = {}
    built = []
    if not violations:
        submission = read_car(transaction, decode_images=False)
        probe = probe_templates(transaction, submission.minutiae)
        if forms:
            built = [(probe_key(t), make_probe_forms(t)) for t in probe.values()]
    return PreparedSubmission(
        hashlib.sha256(data).hexdigest(), violations, submission, probe, built
    )


def cached_submission(data: bytes) -> PreparedSubmission | None:
    """The preparation of ``data`` if this process has it (None otherwise)."""
    sha256 = hashlib.sha256(data).hexdigest()
    with _prepared_lock:
        return _prepared.get(sha256)


def prepared_submission(data: bytes) -> PreparedSubmission:
    """The preparation of ``data``: from the cache, from a helper of this
    process that is preparing it (waited for, up to :data:`PENDING_WAIT_S`),
    or computed here and kept.

    Raises
    ------
    NistFormatError
        If ``data`` is not a readable ANSI/NIST transaction.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    with _prepared_lock:
        found = _prepared.get(sha256)
        pending = _pending.get(sha256) if found is None else None
    if pending is not None:
        with contextlib.suppress(Exception):  # failed or late: done here instead
            found = pending.result(timeout=PENDING_WAIT_S)
            _land(found)
    if found is None:
        found = prepare_submission(data)
        _remember(found)
    return found


def _land(prepared: PreparedSubmission) -> None:
    """Keep a helper's preparation and its probe forms (idempotent)."""
    for key, forms in prepared.forms:
        remember_probe_forms(key, forms)
    _remember(prepared)
    with _prepared_lock:
        _pending.pop(prepared.sha256, None)


def _install(sha256: str, done: Future[PreparedSubmission]) -> None:
    try:
        prepared = done.result()
    except Exception as exc:  # the handler meets the same problem and records it
        log.debug("prefetch failed (%s)", type(exc).__name__)
        with _prepared_lock:
            _pending.pop(sha256, None)
        return
    _land(prepared)


HELPER_NICENESS = 10
"""How much lower than the worker a helper process is scheduled: the
worker is the critical path, a helper only saves it work."""


def lower_priority(niceness: int = HELPER_NICENESS) -> None:
    """Schedule this process below the one doing the critical work (where
    the platform allows; otherwise nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(niceness)


class Prefetcher:
    """Prepares CARs in ``processes`` helper processes, below this one's priority.

    :meth:`prepare` each submission as it is sent; :meth:`close` when done.
    """

    def __init__(self, processes: int = 1) -> None:
        if processes < 1:
            raise ValueError(f"processes must be >= 1, got {processes}")
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(processes, mp_context=context, initializer=lower_priority)
        self._seen: OrderedDict[str, None] = OrderedDict()

    def prepare(self, data: bytes) -> bool:
        """Start preparing the CAR ``data`` (a submission about to be sent);
        False if it was started before."""
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in self._seen:
            return False
        self._seen[sha256] = None
        while len(self._seen) > PREPARED_CACHED:
            self._seen.popitem(last=False)
        future = self._pool.submit(prepare_submission, data, forms=True)
        with _prepared_lock:
            _pending[sha256] = future
        future.add_done_callback(functools.partial(_install, sha256))
        return True

    def close(self) -> None:
        """Stop the helpers (work not started is dropped, and not waited for)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        with _prepared_lock:
            for sha256 in self._seen:
                _pending.pop(sha256, None)
