"""The durable bus and the worker: at-least-once delivery, idempotent
publishing, retries with backoff, dead letters, leases, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.bus import Bus, Delivery, Outgoing, RetryPolicy, Worker, message_id
from interop.bus.queue import utcnow
from interop.store import Store
from interop.store.models import MessageRecord, State


def _seed(store: Store, n: int = 3, bus: Bus | None = None) -> list[str]:
    bus = bus or Bus()
    with store.session() as s:
        return bus.publish(
            s,
            [
                Outgoing("CAR", "bureau:IL0000000", f"TCN{k}", {"k": k}, b"raw%d" % k)
                for k in range(n)
            ],
            sender="booking:IL0310000",
            parent="submit:test",
        )


def test_publishing_twice_adds_nothing(store: Store) -> None:
    first = _seed(store)
    second = _seed(store)
    assert first == second and len(set(first)) == 3
    assert first[0] == message_id("submit:test", 0, "CAR", "bureau:IL0000000")
    with store.session() as s:
        assert len(s.scalars(select(MessageRecord)).all()) == 3


def test_claims_are_leases_that_expire(store: Store) -> None:
    bus = Bus(RetryPolicy(lease_s=30))
    _seed(store, 2, bus)
    now = utcnow()
    with store.session() as s:
        a = bus.claim(s, "worker-a", now=now)
    with store.session() as s:
        assert bus.claim(s, "worker-b", now=now + timedelta(seconds=10)) == []
    with store.session() as s:  # worker-a died: its leases expire
        b = bus.claim(s, "worker-b", now=now + timedelta(seconds=31))
    assert sorted(a) == sorted(b) and len(a) == 2
    with store.session() as s:
        assert bus.open(s, a[0], "worker-a") is None  # lease lost
        d = bus.open(s, a[0], "worker-b")
        assert d is not None and d.transaction == b"raw%d" % d.body["k"]


def _echo(delivery: Delivery, session: Session) -> list[Outgoing]:
    if delivery.kind == "CAR":
        return [Outgoing("SRE", "booking:IL0310000", delivery.tcn, {"from": delivery.id})]
    return []


def test_worker_handles_and_publishes_in_one_transaction(store: Store) -> None:
    _seed(store, 3)
    worker = Worker(store, {"bureau": _echo, "booking": _echo})
    stats = worker.run(until_idle=True)
    assert stats.handled == 6 and stats.failed == 0
    with store.session() as s:
        rows = s.scalars(select(MessageRecord)).all()
        assert sorted(r.kind for r in rows) == ["CAR"] * 3 + ["SRE"] * 3
        assert all(r.status == "done" for r in rows)
        assert {r.caused_by for r in rows if r.kind == "SRE"} == {
            r.id for r in rows if r.kind == "CAR"
        }


def test_a_failing_handler_rolls_back_and_retries_then_dead_letters(store: Store) -> None:
    calls = []

    def flaky(delivery: Delivery, session: Session) -> list[Outgoing]:
        calls.append(delivery.attempts)
        session.add(State(code="TX", name="Texas"))  # an effect that must not stay
        raise ValueError("record 2, field 2.018: bad name")

    bus = Bus(RetryPolicy(base_s=0, max_attempts=3))
    _seed(store, 1, bus)
    worker = Worker(store, {"bureau": flaky}, bus=bus)
    worker.run(until_idle=True)
    assert calls == [0, 1, 2]
    with store.session() as s:
        (row,) = s.scalars(select(MessageRecord)).all()
        assert row.status == "dead" and row.attempts == 3
        assert row.last_error == "ValueError: record 2, field 2.018: bad name"
        assert s.get(State, "TX") is None
    assert worker.stats.dead == 1


def test_messages_handled_together_fall_back_one_by_one_when_one_fails(store: Store) -> None:
    """Three messages in one transaction; the second's handler raises: the
    transaction rolls back, the other two are handled on their own and keep
    their effects, the bad one alone is retried."""
    seen: list[int] = []

    def picky(delivery: Delivery, session: Session) -> list[Outgoing]:
        seen.append(delivery.body["k"])
        session.add(State(code=f"S{delivery.body['k']}", name="effect"))
        if delivery.body["k"] == 1:
            raise ValueError("bad message")
        return []

    bus = Bus(RetryPolicy(base_s=3600))
    _seed(store, 3, bus)
    worker = Worker(store, {"bureau": picky}, bus=bus, together=8)
    worker.run_once()
    assert worker.stats.rolled_back == 1
    assert worker.stats.handled == 2 and worker.stats.failed == 1
    # the bad one together and alone; the others alone, and together if before it
    assert seen.count(1) == 2 and 1 <= seen.count(0) <= 2 and 1 <= seen.count(2) <= 2
    with store.session() as s:
        status = {r.body["k"]: (r.status, r.attempts) for r in s.scalars(select(MessageRecord))}
        assert status == {0: ("done", 0), 1: ("pending", 1), 2: ("done", 0)}
        assert s.get(State, "S0") is not None and s.get(State, "S2") is not None
        assert s.get(State, "S1") is None


def test_messages_handled_together_commit_as_one(store: Store) -> None:
    _seed(store, 5)
    together = Worker(store, {"bureau": _echo, "booking": _echo}, together=4, claim=5)
    assert together.run_once() == 5  # claimed at once, handled in two transactions
    assert together.stats.handled == 5 and together.stats.rolled_back == 0
    with pytest.raises(ValueError, match="together"):
        Worker(store, {}, together=0)


def test_backoff_grows_and_is_capped() -> None:
    retry = RetryPolicy(base_s=2, cap_s=10)
    assert [retry.delay(k).total_seconds() for k in (1, 2, 3, 4)] == [2, 4, 8, 10]


def test_a_message_without_a_handler_goes_to_the_dead_letters(store: Store) -> None:
    bus = Bus(RetryPolicy(base_s=0, max_attempts=1))
    _seed(store, 1, bus)
    Worker(store, {}, bus=bus).run(until_idle=True)
    with store.session() as s:
        (row,) = s.scalars(select(MessageRecord)).all()
        assert row.status == "dead" and "no handler" in (row.last_error or "")


def test_a_handled_message_is_not_handled_again_after_a_crash_before_ack(store: Store) -> None:
    """A worker that dies after its handler ran but before commit: the
    handling is rolled back, the lease expires, the next worker redoes it
    once; the outputs exist once."""
    bus = Bus(RetryPolicy(lease_s=0.01))
    _seed(store, 1, bus)
    with store.session() as s:
        (mid,) = bus.claim(s, "dying")
    with pytest.raises(RuntimeError), store.session() as s:
        d = bus.open(s, mid, "dying")
        assert d is not None
        bus.publish(s, _echo(d, s), sender=d.recipient, parent=d.id)
        raise RuntimeError("killed before commit")
    import time

    time.sleep(0.05)
    Worker(store, {"bureau": _echo, "booking": _echo}, bus=bus).run(until_idle=True)
    with store.session() as s:
        kinds = sorted(r.kind for r in s.scalars(select(MessageRecord)))
        assert kinds == ["CAR", "SRE"]


def test_concurrent_claims_take_disjoint_messages(store: Store) -> None:
    """Two workers claiming at once never hold the same message (SKIP LOCKED
    on PostgreSQL, one writer at a time on SQLite)."""
    import threading

    _seed(store, 40)
    bus = Bus()
    got: dict[str, list[str]] = {}

    def claim(owner: str) -> None:
        ids: list[str] = []
        while True:
            with store.session() as s:
                batch = bus.claim(s, owner, limit=3)
            if not batch:
                break
            ids += batch
        got[owner] = ids

    threads = [threading.Thread(target=claim, args=(f"w{k}",)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [m for ids in got.values() for m in ids]
    assert len(claimed) == 40 and len(set(claimed)) == 40


def _statuses(store: Store) -> dict[str, tuple[str, str | None]]:
    with store.session() as s:
        return {r.kind: (r.status, r.lease_owner) for r in s.scalars(select(MessageRecord))}


def test_a_worker_keeps_the_next_step_it_publishes_to_a_role_it_handles(store: Store) -> None:
    _seed(store, 1)
    worker = Worker(store, {"bureau": _echo, "booking": _echo}, owner="worker-a")
    assert worker.run_once() == 1  # the CAR, claimed
    # the SRE was published already leased to this worker: nobody else claims it
    assert _statuses(store) == {"CAR": ("done", None), "SRE": ("leased", "worker-a")}
    with store.session() as s:
        assert Bus().claim(s, "worker-b") == []
    assert worker.run_once() == 1  # the SRE, without a claim
    assert _statuses(store) == {"CAR": ("done", None), "SRE": ("done", None)}
    assert worker.run_once() == 0


def test_a_message_to_a_role_the_worker_does_not_handle_stays_pending(store: Store) -> None:
    _seed(store, 1)
    Worker(store, {"bureau": _echo}, owner="worker-a").run_once()
    assert _statuses(store)["SRE"] == ("pending", None)
    _seed(store, 1)  # the same CAR again: already done, published nothing new
    unkept = Worker(store, {"bureau": _echo, "booking": _echo}, keep_next=False)
    unkept.run(until_idle=True)
    assert _statuses(store)["SRE"] == ("done", None)


def test_kept_messages_are_handed_back_when_the_worker_stops(store: Store) -> None:
    _seed(store, 2)
    worker = Worker(store, {"bureau": _echo, "booking": _echo}, owner="worker-a")
    rounds = iter([False, True])
    worker.run(stop=lambda: next(rounds))  # one round (the CARs), then it stops
    with store.session() as s:
        sre = s.scalars(select(MessageRecord).where(MessageRecord.kind == "SRE")).all()
        assert [(r.status, r.lease_owner) for r in sre] == [("pending", None)] * 2
        assert sorted(Bus().claim(s, "worker-b")) == sorted(r.id for r in sre)


def test_kept_messages_of_a_worker_that_died_are_claimed_when_their_lease_expires(
    store: Store,
) -> None:
    bus = Bus(RetryPolicy(lease_s=30))
    _seed(store, 1, bus)
    Worker(store, {"bureau": _echo, "booking": _echo}, bus=bus, owner="worker-a").run_once()
    # it "dies" here, holding the SRE it published to itself
    with store.session() as s:
        sre = s.scalars(select(MessageRecord.id).where(MessageRecord.kind == "SRE")).all()
        assert bus.claim(s, "worker-b") == []
    with store.session() as s:
        later = utcnow() + timedelta(seconds=31)
        assert bus.claim(s, "worker-b", now=later) == list(sre)


def test_a_worker_follows_what_it_claimed_to_the_end_before_claiming_more(store: Store) -> None:
    _seed(store, 5)
    worker = Worker(store, {"bureau": _echo, "booking": _echo}, owner="worker-a", claim=2)
    assert worker.claim == 2
    assert worker.run_once() == 2  # two CARs, not five
    assert worker.run_once() == 2  # their SREs, kept, before any other CAR
    statuses = sorted(_message_statuses(store))
    assert statuses == sorted(
        [("CAR", "done")] * 2 + [("CAR", "pending")] * 3 + [("SRE", "done")] * 2
    )
    assert worker.run_once() == 2  # the next claim
    with pytest.raises(ValueError, match="claim"):
        Worker(store, {"bureau": _echo}, claim=0)
    assert Worker(store, {"bureau": _echo}, together=4).claim == 4


def _message_statuses(store: Store) -> list[tuple[str, str]]:
    with store.session() as s:
        return [(r.kind, r.status) for r in s.scalars(select(MessageRecord))]
