"""The worker loop: claim due messages, run their recipient's handler, commit.

A message's handling, the messages it publishes and its ``done`` mark
commit together or not at all. The worker handles the messages it claimed
up to ``together`` in one transaction (one statement opens them all, one
publishes what they send, one marks them done: fewer round trips and
commits than a transaction each); if any handler raises, that transaction
rolls back and each of its messages is handled again in a transaction of
its own, so one bad message delays the others but never takes them down.
A handler's error rolls its transaction back and is recorded on the
message in a second one (retry with backoff, dead after the last attempt).
What a handler keeps outside the store must follow the rollback (the
gallery mirrors forget what they read in a transaction that did not
commit: :class:`interop.agencies.services.GalleryMirror`).
The logs name message ids, kinds and error types, never what a message
carries.

On PostgreSQL a handler's transaction commits without waiting for its WAL
record to reach the disk (``synchronous_commit = off`` for that transaction
only): a database crash can lose the last fraction of a second of handled
messages, and then their effects and their ``done`` mark are lost together,
so the messages are simply handled again (at-least-once, deterministic
ids). What the outside world was promised keeps the full guarantee:
intake (a booking accepted with 202) and the transparency log's sequencer
(a signed head) commit synchronously. The wait saved is one disk flush per
message (several milliseconds here), the largest single cost of a message.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from interop.bus.queue import Bus, Delivery, Outgoing
from interop.store.database import Store
from interop.store.transparency import Sequencer

log = logging.getLogger(__name__)


class Handler(Protocol):
    """``handler(delivery, session) -> messages to publish``."""

    def __call__(self, delivery: Delivery, session: Session, /) -> list[Outgoing]: ...


class NoHandlerError(LookupError):
    """No handler for a message's recipient and kind."""


def role_of(recipient: str) -> str:
    """The role part of an inbox name: ``"fbi"`` of ``"fbi:WVIAFIS0Z"``."""
    return recipient.partition(":")[0]


@dataclass
class Periodic:
    """A task a worker runs every ``interval_s`` seconds between batches
    (e.g. the detainer sweep); it gets the store and opens its own session.
    An error is logged (type only) and the loop goes on."""

    interval_s: float
    task: Callable[[Store], object]
    name: str = "periodic"
    last: float = float("-inf")

    def due(self, now: float) -> bool:
        return now - self.last >= self.interval_s


@dataclass
class WorkerStats:
    handled: int = 0
    failed: int = 0
    dead: int = 0
    rolled_back: int = 0
    """Transactions of several messages rolled back (their messages then handled one by one)."""


class Worker:
    """Drains the inboxes of the roles it has handlers for.

    Parameters
    ----------
    store : Store
    handlers : mapping of str to Handler
        By role (``"bureau"``, ``"fbi"``, ``"ident"``, ...).
    bus : Bus, optional
    owner : str, optional
        Lease owner name; host, process and a random part by default.
    sequencer : Sequencer, optional
        Appends the messages committed to the transparency log (see
        :mod:`interop.store.transparency`) when the inboxes are idle and
        otherwise every ``sequence_every_s``; without one, another process
        must sequence the log.
    periodic : sequence of Periodic, optional
        Tasks run between batches when due.
    sequence_every_s : float
        Longest time a busy worker goes without sequencing, s. Each call
        reads the tree's frontier and signs a head, so calling it after
        every small batch costs more than the appends (about half the
        handling time of a booking); once a second keeps messages out of
        the log for at most about that long.
    together : int
        Most messages handled in one transaction (1: a transaction each).
    claim : int, optional
        Most messages claimed at a time (``together`` by default). With
        :attr:`keep_next` the worker follows what it claims through every
        step it handles before it claims again, so a booking's last
        response waits for the steps of the others claimed with it: once
        the inboxes hold a backlog, every claim is full and a booking takes
        about ``claim`` times a booking's handling time. A smaller claim
        shortens that; a claim below ``together`` also makes transactions
        smaller (more commits for the same work).
    before : callable, optional
        Called in each transaction with the session and the messages about
        to be handled: e.g. to load what their handlers read in one query
        (:func:`interop.agencies.agencies.load_cases`).
    keep_next : bool
        Lease the messages a handler publishes to a role this worker handles
        to this worker as they are published, and handle them before
        claiming others. A booking's journey then stays in one process,
        whose caches hold its parsed transaction and probe forms (the FBI's
        and IDENT's searches of one booking encode its fingers once), and
        its next step starts without waiting for a claim. Messages of a
        worker that dies wait for the lease to expire, as claimed ones do.
    """

    def __init__(
        self,
        store: Store,
        handlers: Mapping[str, Handler],
        bus: Bus | None = None,
        owner: str | None = None,
        sequencer: Sequencer | None = None,
        periodic: Sequence[Periodic] = (),
        sequence_every_s: float = 1.0,
        together: int = 16,
        before: Callable[[Session, list[Delivery]], object] | None = None,
        keep_next: bool = True,
        claim: int | None = None,
    ) -> None:
        if together < 1:
            raise ValueError(f"together must be >= 1, got {together}")
        if claim is not None and claim < 1:
            raise ValueError(f"claim must be >= 1, got {claim}")
        self.together = together
        self.claim = together if claim is None else claim
        self.before = before
        self.store = store
        self.sequencer = sequencer
        self.sequence_every_s = sequence_every_s
        self._sequenced = float("-inf")
        self.periodic = list(periodic)
        self.handlers = dict(handlers)
        self.bus = bus or Bus()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stats = WorkerStats()
        self.keep_next = keep_next
        self._kept: list[str] = []  # leased to this worker when published, not handled yet

    def _apply(self, ids: list[str]) -> int:
        """Handle the messages ``ids`` this worker still holds in one
        transaction; returns how many. A handler's error propagates (nothing
        committed)."""
        with self.store.session() as session:
            if self.store.dialect == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            deliveries = self.bus.open_many(session, ids, self.owner)  # lease lost: not there
            if self.before is not None and deliveries:
                self.before(session, deliveries)
            published = []
            for delivery in deliveries:
                handler = self.handlers.get(role_of(delivery.recipient))
                if handler is None:
                    raise NoHandlerError(f"no handler for inbox {role_of(delivery.recipient)!r}")
                published.append((handler(delivery, session), delivery.recipient, delivery.id))
            ids_by_batch = self.bus.publish_many(
                session, published, owner=self.owner, keep=self._keeps
            )
            self.bus.done_many(session, [d.id for d in deliveries])
        # committed: the next steps this worker handles are its own to handle next
        self._kept.extend(
            mid
            for (messages, _, _), ids in zip(published, ids_by_batch, strict=True)
            for m, mid in zip(messages, ids, strict=True)
            if self._keeps(m.recipient)
        )
        return len(deliveries)

    def _keeps(self, recipient: str) -> bool:
        """Whether a message to ``recipient`` that this worker publishes is
        leased to it at once (:meth:`Bus.publish_many`): one for a role it handles."""
        return self.keep_next and role_of(recipient) in self.handlers

    def _handle(self, mid: str) -> None:
        try:
            self.stats.handled += self._apply([mid])
        except Exception as exc:  # recorded on the message; the loop goes on
            error = f"{type(exc).__name__}: {exc}"
            with self.store.session() as session:
                status = self.bus.fail(session, mid, error)
            self.stats.failed += 1
            if status == "dead":
                self.stats.dead += 1
            log.warning("message %s failed (%s), now %s", mid, type(exc).__name__, status)

    def _handle_together(self, ids: list[str]) -> bool:
        """Handle ``ids`` in one transaction; False, with nothing committed,
        if a handler (or the commit) raised."""
        try:
            handled = self._apply(ids)
        except Exception as exc:  # each message is handled again on its own
            self.stats.rolled_back += 1
            log.info(
                "%d messages handled together rolled back (%s); handling them one by one",
                len(ids),
                type(exc).__name__,
            )
            return False
        self.stats.handled += handled
        return True

    def run_once(self, limit: int = 32) -> int:
        """Handle up to ``limit`` messages: those this worker published to
        itself last (:attr:`keep_next`) if any, else due ones it claims (at
        most :attr:`claim`). Returns how many it took."""
        if self._kept:
            ids, self._kept = self._kept[:limit], self._kept[limit:]
        else:
            with self.store.session() as session:
                ids = self.bus.claim(
                    session, self.owner, limit=min(limit, self.claim), recipients=None
                )
        for start in range(0, len(ids), self.together):
            group = ids[start : start + self.together]
            if len(group) > 1 and self._handle_together(group):
                continue
            for mid in group:
                self._handle(mid)
        now = time.monotonic()
        if self.sequencer is not None and (
            not ids or now - self._sequenced >= self.sequence_every_s
        ):
            self.sequencer.run(self.store)
            self._sequenced = now
        self._run_periodic()
        return len(ids)

    def _run_periodic(self) -> None:
        now = time.monotonic()
        for job in self.periodic:
            if not job.due(now):
                continue
            job.last = now
            try:
                job.task(self.store)
            except Exception as exc:  # a housekeeping failure must not stop the inboxes
                log.warning("%s failed (%s)", job.name, type(exc).__name__)

    def run(
        self,
        *,
        until_idle: bool = False,
        stop: Callable[[], bool] | None = None,
        idle_sleep_s: float = 0.2,
        batch: int = 32,
    ) -> WorkerStats:
        """Loop: until no message is due (``until_idle``), or until ``stop()``.

        Messages published to itself and not handled yet when it stops are
        handed back (:meth:`release`)."""
        try:
            while stop is None or not stop():
                if self.run_once(batch) == 0:
                    if until_idle:
                        break
                    time.sleep(idle_sleep_s)
        finally:
            try:
                self.release()
            except Exception as exc:  # their leases expire: nothing is lost
                log.warning("could not hand back kept messages (%s)", type(exc).__name__)
        return self.stats

    def release(self) -> int:
        """Hand back the messages published to this worker and not handled
        yet, so that another worker need not wait for their leases to
        expire. Returns how many."""
        kept, self._kept = self._kept, []
        if not kept:
            return 0
        with self.store.session() as session:
            return self.bus.release(session, kept, self.owner)
