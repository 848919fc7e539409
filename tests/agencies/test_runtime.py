"""The runtime's worker: the detainer sweep between batches, and periodic
tasks that fail without stopping the inboxes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from interop.agencies.runtime import Runtime, warm_up_probe
from interop.agencies.services import Services
from interop.audit import LogKey
from interop.bus.worker import Periodic
from interop.store import Store
from interop.store.models import Case, DetainerRecord
from tests.agencies.test_pipeline import COUNTY, _seed


def _detainer(store: Store, tcn: str, expires_at: datetime) -> None:
    with store.session() as s:
        s.add(
            Case(
                tcn=tcn,
                ori=COUNTY,
                state="IL",
                booked_on=date(2010, 3, 1),
                submitted_at=expires_at - timedelta(days=3),
            )
        )
        s.flush()
        s.add(
            DetainerRecord(
                tcn=tcn,
                a_number="A012345678",
                field_office="IL",
                ori=COUNTY,
                lodged_at=expires_at - timedelta(days=2),
                scheduled_release=expires_at - timedelta(days=1),
                expires_at=expires_at,
                status="lodged",
            )
        )


def test_the_worker_expires_detainers_past_their_hold(store: Store) -> None:
    _seed(store)
    now = datetime.now(UTC)
    _detainer(store, "IL099000000000000001", now - timedelta(minutes=1))
    _detainer(store, "IL099000000000000002", now + timedelta(days=1))
    runtime = Runtime(store, Services(), LogKey.generate())
    runtime.worker(expire_detainers=False).run(until_idle=True)
    with store.session() as s:
        assert s.get(DetainerRecord, "IL099000000000000001").status == "lodged"  # type: ignore[union-attr]
    runtime.worker().run(until_idle=True)
    with store.session() as s:
        past = s.get(DetainerRecord, "IL099000000000000001")
        future = s.get(DetainerRecord, "IL099000000000000002")
        assert past is not None and past.status == "expired" and past.ended_at == past.expires_at
        assert future is not None and future.status == "lodged"


def test_a_failing_periodic_task_does_not_stop_the_worker(store: Store) -> None:
    runs: list[int] = []

    def broken(_store: Store) -> None:
        runs.append(1)
        raise RuntimeError("boom")

    runtime = Runtime(store, Services(), LogKey.generate())
    worker = runtime.worker(expire_detainers=False)
    worker.periodic.append(Periodic(0.0, broken, "broken"))
    worker.run_once()
    worker.run_once()
    assert len(runs) == 2


def test_warm_up_fills_both_galleries_and_its_probe_matches_no_one(store: Store) -> None:
    _seed(store)
    runtime = Runtime(store, Services(), LogKey.generate())
    criminal, immigration = runtime.warm_up()
    assert (criminal, immigration) == (0, 2)  # the seed enrols two people in IDENT only
    assert len(runtime.services.immigration.gallery) == 2
    probe = warm_up_probe()
    assert sorted(probe) == list(range(1, 11))
    assert all(len(t.minutiae) >= 10 for t in probe.values())
    result = runtime.services.immigration.gallery.search(
        probe, params=runtime.services.immigration.params
    )
    assert result.searched == 2
    assert result.compared > 0  # the search ran its comparison stage, not an empty gallery's
    assert not result.identified and result.identity is None
