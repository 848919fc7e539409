"""Work on a submission that depends only on its bytes, done ahead in another process.

The FBI's handling of a CAR spends about a third of its time on things that
depend on nothing but the transaction's bytes: EBTS validation and the
comparison forms of the probe's ten fingers (one cylinder build each). A
worker that has a spare core gives a :class:`Prefetcher` the messages it
has just claimed; for every CAR among them (on its way to a bureau or to
the FBI) a helper process computes both, and the results land in two
content-keyed caches of this process: the violations by the transaction's
SHA-256 (:func:`submission_violations`) and the probe forms by the
fingers' content (:func:`interop.fingerprints.gallery.gallery.remember_probe_forms`).
The handler then finds them ready, or computes them itself when the helper
has not finished (or failed): the outcome is the same either way, as both
are pure functions of the bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select

from interop.agencies.services import FBI
from interop.fingerprints.gallery.gallery import (
    ProbeForms,
    make_probe_forms,
    probe_key,
    remember_probe_forms,
)
from interop.nist import Transaction, parse
from interop.nist.car import read_car
from interop.nist.program import program_rules
from interop.nist.validation import Violation, validate
from interop.store import Store
from interop.store.models import Evidence, MessageRecord

log = logging.getLogger(__name__)

VIOLATIONS_CACHED = 1_024
"""Transactions whose EBTS violations are kept (a list each, usually empty)."""

_violations: OrderedDict[str, list[Violation]] = OrderedDict()
_violations_lock = threading.Lock()


def _remember_violations(sha256: str, violations: list[Violation]) -> None:
    with _violations_lock:
        _violations[sha256] = violations
        _violations.move_to_end(sha256)
        while len(_violations) > VIOLATIONS_CACHED:
            _violations.popitem(last=False)


def submission_violations(data: bytes, transaction: Transaction) -> list[Violation]:
    """The EBTS rules (with the program's messages) that ``transaction``, parsed
    from ``data``, breaks: validated here unless a prefetch already did."""
    sha256 = hashlib.sha256(data).hexdigest()
    with _violations_lock:
        found = _violations.get(sha256)
    if found is not None:
        return list(found)
    violations = validate(transaction, program_rules())
    _remember_violations(sha256, violations)
    return violations


@dataclass(frozen=True)
class PreparedSubmission:
    """What :func:`prepare_submission` computed for one transaction.

    Attributes
    ----------
    sha256 : str
        Of the transaction's bytes.
    violations : list of Violation
    forms : list of (bytes, ProbeForms)
        The probe fingers' comparison forms by :func:`probe_key` (none when
        the transaction breaks a rule: the FBI rejects it unsearched).
    """

    sha256: str
    violations: list[Violation]
    forms: list[tuple[bytes, ProbeForms]]


def prepare_submission(data: bytes) -> PreparedSubmission:
    """Validate a CAR and build its probe fingers' forms (run in the helper)."""
    from interop.agencies.agencies import probe_templates

    transaction = parse(data)
    violations = validate(transaction, program_rules())
    forms = []
    if not violations:
        submission = read_car(transaction, decode_images=False)
        probe = probe_templates(transaction, submission.minutiae)
        forms = [(probe_key(t), make_probe_forms(t)) for t in probe.values()]
    return PreparedSubmission(hashlib.sha256(data).hexdigest(), violations, forms)


def _install(done: Future[PreparedSubmission]) -> None:
    try:
        prepared = done.result()
    except Exception as exc:  # the handler meets the same problem and records it
        log.debug("prefetch failed (%s)", type(exc).__name__)
        return
    _remember_violations(prepared.sha256, prepared.violations)
    for key, forms in prepared.forms:
        remember_probe_forms(key, forms)


HELPER_NICENESS = 10
"""How much lower than the worker a helper process is scheduled: the
worker is the critical path, a helper only saves it work."""


def lower_priority(niceness: int = HELPER_NICENESS) -> None:
    """Schedule this process below the one doing the critical work (where
    the platform allows; otherwise nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(niceness)


class Prefetcher:
    """Prepares the CARs a worker claims in ``processes`` helper processes.

    Call it with the store and the ids just claimed; :meth:`close` when done.
    """

    def __init__(self, processes: int = 1) -> None:
        if processes < 1:
            raise ValueError(f"processes must be >= 1, got {processes}")
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(processes, mp_context=context, initializer=lower_priority)
        self._seen: OrderedDict[str, None] = OrderedDict()

    def __call__(self, store: Store, ids: list[str]) -> int:
        """Start preparing the CARs among ``ids`` bound for a bureau or the
        FBI (each transaction once); returns how many were started."""
        if not ids:
            return 0
        with store.session() as session:
            rows = session.execute(
                select(MessageRecord.evidence_sha256, Evidence.data)
                .join(Evidence, Evidence.sha256 == MessageRecord.evidence_sha256)
                .where(
                    MessageRecord.id.in_(ids),
                    MessageRecord.kind == "CAR",
                    MessageRecord.recipient.like("bureau:%") | (MessageRecord.recipient == FBI),
                )
            ).all()
        started = 0
        for sha256, data in rows:
            if sha256 is None or sha256 in self._seen or data is None:
                continue
            self._seen[sha256] = None
            while len(self._seen) > VIOLATIONS_CACHED:
                self._seen.popitem(last=False)
            self._pool.submit(prepare_submission, bytes(data)).add_done_callback(_install)
            started += 1
        return started

    def close(self) -> None:
        """Stop the helpers (work not started is dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
