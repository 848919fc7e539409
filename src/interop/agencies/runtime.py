"""Running the agencies: one worker in-process, or N worker processes.

A *runtime* is an open store, the agencies' shared services (galleries and
policy) and the transparency log's key; it makes :class:`~interop.bus.Worker`
objects that handle every agency's inbox and sequence the log.

- Embedded (SQLite, the default store): one worker, in the calling process
  (``interop worker``) or in a thread beside the API (``interop serve``).
  SQLite has one writer at a time, so more processes would only wait on
  each other: :func:`run_worker_processes` refuses them.
- PostgreSQL: ``interop worker --processes N`` starts N processes; they
  share the inboxes through ``FOR UPDATE SKIP LOCKED`` claims and take
  turns sequencing the log (an advisory lock). Each process mirrors the
  galleries in its own memory.

A process stops at SIGTERM or SIGINT after the message in hand: its effects
commit or roll back as a whole, and a message whose handling was cut short
(``kill -9``) is claimed again when its lease expires.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from interop.agencies.agencies import agency_handlers, load_cases
from interop.agencies.detainers import expire_detainers
from interop.agencies.services import Services
from interop.audit import LogKey
from interop.bus import Bus, RetryPolicy, Worker
from interop.bus.worker import Periodic, WorkerStats
from interop.evaluation.identification import synthetic_subject
from interop.fingerprints.template import Template
from interop.policy.config import POLICY_PRESETS
from interop.store.database import Store, database_url
from interop.store.transparency import Sequencer, load_or_create_log_key

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = RetryPolicy().lease_s

GALLERY_START_WORKERS = 2
"""Processes packing templates when a worker's gallery starts without a
snapshot (snapshots live under ``INTEROP_HOME``/galleries)."""

DETAINER_SWEEP_S = 10.0
"""Seconds between two detainer sweeps of a worker."""

__all__ = ["Runtime", "WorkerConfigError", "open_runtime", "run_worker_processes"]


class WorkerConfigError(RuntimeError):
    """The workers cannot run as asked (e.g. several processes on SQLite)."""


WARM_UP_SEED = 0
"""First master seed of the warm-up probe's fingers: below every scenario's
(:func:`~interop.agencies.seed.finger_seed_base` starts at 1,000,000), so no
one in any store has them."""


def warm_up_probe() -> dict[int, Template]:
    """Ten synthetic fingers of no one (:data:`WARM_UP_SEED`), by position."""
    return synthetic_subject(0, 0, 10, WARM_UP_SEED)


@dataclass
class Runtime:
    """An open store, the services the handlers share and the log's key.

    Attributes
    ----------
    store : Store
    services : Services
    key : LogKey
    """

    store: Store
    services: Services
    key: LogKey

    def warm_up(self) -> tuple[int, int]:
        """Fill both galleries from the store now rather than at the first
        search, and search each once with a made-up probe
        (:func:`warm_up_probe`); returns the subjects loaded (criminal,
        immigration).

        The search loads the compiled kernels from Numba's cache and reads
        the index into memory: about a second per gallery at 100,000
        subjects. Done at the first booking instead, that second is a backlog
        the worker carries for as long as it runs near its capacity.
        """
        with self.store.session() as session:
            loaded = (
                self.services.criminal.refresh(session),
                self.services.immigration.refresh(session),
            )
        probe = warm_up_probe()
        for mirror in (self.services.criminal, self.services.immigration):
            mirror.gallery.search(probe, params=mirror.params)
        return loaded

    def worker(
        self,
        *,
        owner: str | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        expire_detainers: bool = True,
        keep_next: bool = True,
        claim: int | None = None,
    ) -> Worker:
        """A worker for every agency's inbox that also sequences the log.

        Parameters
        ----------
        owner : str, optional
            Lease owner name.
        lease_s : float
            How long a claimed message stays with this worker before another
            may take it (the delay after which a killed worker's messages are
            handled again), s.
        expire_detainers : bool
            Sweep detainers past their expiry every
            :data:`DETAINER_SWEEP_S` seconds, by the wall clock. A replay of
            past bookings, whose detainers expire in the scenario's time,
            turns it off and sweeps with its own clock.
        keep_next : bool
            Handle the next steps it publishes itself (:class:`Worker`).
        claim : int, optional
            Most messages claimed at a time (:class:`Worker`'s default by default).
        """
        periodic = [Periodic(DETAINER_SWEEP_S, sweep_detainers, "detainer sweep")]
        return Worker(
            self.store,
            agency_handlers(self.services),
            before=load_cases,
            bus=Bus(RetryPolicy(lease_s=lease_s)),
            owner=owner,
            sequencer=Sequencer(self.key),
            periodic=periodic if expire_detainers else (),
            keep_next=keep_next,
            claim=claim,
        )


def open_runtime(
    url: str | None = None,
    *,
    policy: str = "as-operated",
    store: Store | None = None,
    gallery_shards: int = 0,
) -> Runtime:
    """Open the store at ``url`` (default ``INTEROP_DATABASE_URL`` or the
    embedded file), the log key (``INTEROP_LOG_KEY`` or under
    ``INTEROP_HOME``) and the galleries' snapshots (under ``INTEROP_HOME``).

    Parameters
    ----------
    url : str, optional
    policy : str
        A key of :data:`interop.policy.POLICY_PRESETS`.
    store : Store, optional
        An already open store (``url`` is then ignored).
    gallery_shards : int
        0: galleries in this process (from snapshots); N > 0: each gallery
        in N Ray actors, on the cluster ``RAY_ADDRESS`` names or a local one.

    Raises
    ------
    KeyError
        For an unknown policy name.
    """
    if policy not in POLICY_PRESETS:
        known = ", ".join(sorted(POLICY_PRESETS))
        raise KeyError(f"unknown policy {policy!r}; known: {known}")
    opened = store if store is not None else Store.open(url)
    if gallery_shards > 0:
        import ray

        ray.init(ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
        services = Services.sharded(POLICY_PRESETS[policy], shards=gallery_shards)
    else:
        services = Services.with_snapshots(POLICY_PRESETS[policy], workers=GALLERY_START_WORKERS)
    return Runtime(opened, services, load_or_create_log_key())


def serve_store(
    runtime: Runtime,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    embedded_worker: bool = True,
    dashboard: bool | None = None,
) -> None:
    """Serve the HTTP API over ``runtime.store`` until interrupted, with
    (``embedded_worker``) one worker in a thread beside it; the store is
    closed afterwards. The dashboard (``/dashboard``, loopback clients only)
    is served when ``dashboard`` is true, by default when ``host`` is a
    loopback address."""
    import threading

    import uvicorn

    from interop.web import ApiSettings, create_app
    from interop.web.dashboard import loopback_host

    stopping = threading.Event()
    thread = None
    if embedded_worker:
        worker = runtime.worker()
        thread = threading.Thread(
            target=worker.run, kwargs={"stop": stopping.is_set}, name="worker", daemon=True
        )
        thread.start()
    try:
        local = loopback_host(host) if dashboard is None else dashboard
        settings = ApiSettings(dashboard="local" if local else "off")
        app = create_app(runtime.store, settings=settings, log_public_key=runtime.key.public_key)
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        stopping.set()
        if thread is not None:
            thread.join(timeout=30)
        runtime.store.close()


def _stop_flag() -> Callable[[], bool]:
    """A flag raised by SIGTERM and SIGINT (in the main thread of a process)."""
    stopping = threading.Event()

    def raise_flag(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, raise_flag)
    signal.signal(signal.SIGINT, raise_flag)
    return stopping.is_set


def sweep_detainers(store: Store) -> int:
    """Expire the detainers whose hold has run out by now (wall clock)."""
    with store.session() as session:
        expired = expire_detainers(session, datetime.now(UTC))
    if expired:
        log.info("%d detainers expired", expired)
    return expired


def _ready(runtime: Runtime) -> None:
    """Load the galleries, then say so (a supervisor waits for this line)."""
    criminal, immigration = runtime.warm_up()
    log.info(
        "worker ready: galleries of %d criminal and %d immigration subjects", criminal, immigration
    )


LOG_FORMAT = "%(asctime)s %(processName)s %(levelname)s %(name)s: %(message)s"
"""Log lines of the worker processes (ids, counts and error types only)."""


def _process_main(
    url: str,
    policy: str,
    until_idle: bool,
    lease_s: float,
    expire: bool,
    shards: int,
    keep_next: bool = True,
    claim: int | None = None,
) -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    stop = _stop_flag()
    runtime = open_runtime(url, policy=policy, gallery_shards=shards)
    try:
        _ready(runtime)
        worker = runtime.worker(
            lease_s=lease_s, expire_detainers=expire, keep_next=keep_next, claim=claim
        )
        worker.run(until_idle=until_idle, stop=stop)
    finally:
        runtime.store.close()


def run_worker_processes(
    processes: int,
    *,
    url: str | None = None,
    policy: str = "as-operated",
    until_idle: bool = False,
    lease_s: float = DEFAULT_LEASE_S,
    expire_detainers: bool = True,
    gallery_shards: int = 0,
    keep_next: bool = True,
    claim: int | None = None,
) -> int:
    """Run ``processes`` workers and wait for them; returns how many failed.

    With ``processes == 1`` the worker runs in this process. Stops them all
    at SIGTERM or SIGINT.

    Raises
    ------
    WorkerConfigError
        For more than one process on a SQLite store.
    """
    url = url or database_url()
    if processes > 1 and url.startswith("sqlite"):
        raise WorkerConfigError(
            "SQLite has one writer at a time: run one worker, or set "
            "INTEROP_DATABASE_URL to a PostgreSQL database for several"
        )
    if processes == 1:
        stop = _stop_flag()
        runtime = open_runtime(url, policy=policy, gallery_shards=gallery_shards)
        _ready(runtime)
        worker = runtime.worker(
            lease_s=lease_s, expire_detainers=expire_detainers, keep_next=keep_next, claim=claim
        )
        stats: WorkerStats = worker.run(until_idle=until_idle, stop=stop)
        log.info("worker stopped: %d handled, %d failed", stats.handled, stats.failed)
        runtime.store.close()
        return 0
    Store.open(url).close()  # migrate once, before the processes race to
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(
            target=_process_main,
            args=(
                url,
                policy,
                until_idle,
                lease_s,
                expire_detainers,
                gallery_shards,
                keep_next,
                claim,
            ),
            name=f"worker-{k}",
        )
        for k in range(processes)
    ]
    for child in children:
        child.start()

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.is_alive() and child.pid is not None:
                child.terminate()

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.join()
    return sum(1 for child in children if child.exitcode not in (0, -signal.SIGTERM))
