"""Every message of the pipeline in the transparency log: sequencing,
receipts an outsider can check, and audits that catch edits, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import submit_car
from interop.agencies.services import Services
from interop.audit import (
    LogKey,
    Receipt,
    TransparencyLog,
    canonical_entry,
    parse_entry,
    verify_receipt,
)
from interop.audit.merkle import leaf_hash
from interop.bus import Worker
from interop.store import Store
from interop.store.models import (
    Evidence,
    LogLeaf,
    LogNode,
    MessageRecord,
    PolicyDecisionRecord,
    TreeHeadRecord,
)
from interop.store.transparency import (
    Sequencer,
    SqlTreeStore,
    audit,
    disclosures,
    load_or_create_log_key,
)
from tests.agencies.test_pipeline import COOK, COUNTY, _car, _seed

MATCHED = "IL099000000000000001"


@pytest.fixture(scope="module")
def key() -> LogKey:
    return LogKey.generate()


def _run(store: Store, key: LogKey, bookings: dict[str, tuple[int, str, date]]) -> Sequencer:
    _seed(store)
    for tcn, (person, ori, on) in bookings.items():
        submit_car(store, _car(person, ori, on, tcn), submitter_ori=ori)
    sequencer = Sequencer(key, batch=5)  # small batches: several heads
    worker = Worker(store, agency_handlers(Services()), sequencer=sequencer)
    assert worker.run(until_idle=True).failed == 0
    return sequencer


BOOKINGS = {
    MATCHED: (1, COUNTY, date(2010, 3, 1)),
    "IL016000000000000003": (1, COOK, date(2010, 3, 2)),
}


def test_every_message_is_logged_and_the_log_verifies(store: Store, key: LogKey) -> None:
    sequencer = _run(store, key, BOOKINGS)
    with store.session() as s:
        messages = list(s.scalars(select(MessageRecord)))
        leaves = list(s.scalars(select(LogLeaf).order_by(LogLeaf.index)))
        heads = list(s.scalars(select(TreeHeadRecord)))
    assert sequencer.appended == len(messages) == len(leaves) > 10
    assert sorted(m.log_index for m in messages) == list(range(len(messages)))
    assert len(heads) > 1
    report = audit(store, key.public_key)
    assert report.ok, (report.log.problem, report.mismatches)
    assert report.size == len(messages) and report.unlogged == 0
    assert report.log.entries_checked == len(messages)
    assert report.log.heads_checked == len(heads)
    # nothing left: a second run appends nothing
    assert sequencer.run(store) == 0


def test_entries_hold_identifiers_and_the_deciding_rule(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        decisions = {(d.tcn, d.question): d for d in s.scalars(select(PolicyDecisionRecord))}
        entries = [parse_entry(bytes(leaf.entry)) for leaf in s.scalars(select(LogLeaf))]
    forwards = [e for e in entries if e["kind"] == "CAR" and e["recipient"] == "ident:IDENT"]
    assert len(forwards) == 1 and forwards[0]["tcn"] == MATCHED
    decided = decisions[(MATCHED, "forward_to_ident")]
    assert forwards[0]["policy_rule"] == decided.rule and forwards[0]["policy_allowed"] == 1
    detainers = [e for e in entries if e["kind"] == "DETN"]
    assert detainers and detainers[0]["policy_question"] == "detainer"
    text = json.dumps(entries)
    for personal in ("PERSON", "TEST", "1980"):  # names and dates of birth of _seed/_car
        assert personal not in text
    assert all(len(str(e["body_sha256"])) == 64 for e in entries)


def test_receipts_verify_with_the_public_key_alone(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        found = disclosures(s, MATCHED)
        mine = len(list(s.scalars(select(MessageRecord).where(MessageRecord.tcn == MATCHED))))
    assert len(found) == mine
    for d in found:
        assert d.receipt is not None
        verify_receipt(d.receipt, key.public_key)
        assert parse_entry(d.receipt.entry)["message_id"] == d.message_id
    # a receipt from the JSON an outside party receives
    again = Receipt.from_json(json.loads(json.dumps(found[0].receipt.to_json())))  # type: ignore[union-attr]
    verify_receipt(again, key.public_key)
    with pytest.raises(ValueError):
        verify_receipt(again, LogKey.generate().public_key)
    with store.session() as s:
        only = disclosures(s, MATCHED, messages=[found[0].message_id])
    assert [d.message_id for d in only] == [found[0].message_id]


def test_audit_finds_an_edited_message(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        m = s.scalars(select(MessageRecord).where(MessageRecord.kind == "DETN")).first()
        assert m is not None
        m.recipient = "booking:IL0000000"
    report = audit(store, key.public_key)
    assert report.log.ok and not report.ok and report.mismatch_count == 1
    assert "no longer matches" in report.mismatches[0]


def test_audit_finds_an_edited_policy_decision(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        s.execute(
            update(PolicyDecisionRecord)
            .where(PolicyDecisionRecord.question == "forward_to_ident")
            .values(rule="forward.something_else")
        )
    report = audit(store, key.public_key)
    assert not report.ok and report.mismatch_count >= 1


def test_audit_finds_edited_evidence(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        ev = s.scalars(select(Evidence)).first()
        assert ev is not None
        ev.data = bytes(ev.data) + b" "
    report = audit(store, key.public_key)
    assert not report.ok and any("SHA-256" in p for p in report.mismatches)


def test_audit_finds_a_rewritten_entry_and_a_forged_head(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        leaf = s.get(LogLeaf, 3)
        assert leaf is not None
        entry = parse_entry(bytes(leaf.entry))
        entry["recipient"] = "booking:IL0000000"
        leaf.entry = canonical_entry(entry)
    report = audit(store, key.public_key)
    assert report.log.problem is not None and report.log.problem.kind == "entry_mismatch"

    with store.session() as s:
        # rewrite the entry and the leaf's hash consistently: the heads still catch it
        node = s.get(LogNode, (0, 3))
        assert node is not None and leaf is not None
        node.hash = leaf_hash(bytes(s.get(LogLeaf, 3).entry))  # type: ignore[union-attr]
    report = audit(store, key.public_key)
    assert not report.log.ok

    report = audit(store, LogKey.generate().public_key)
    assert report.log.problem is not None and report.log.problem.kind == "bad_signature"


def test_a_stale_batch_is_refused_and_the_log_stays_whole(store: Store, key: LogKey) -> None:
    _run(store, key, BOOKINGS)
    with store.session() as s:
        size = SqlTreeStore(s).size()
    # a stale writer: it believes the tree is one leaf shorter
    with pytest.raises(IntegrityError), store.session() as s:
        tree = SqlTreeStore(s)
        tree._size = size - 1  # what a lost race looks like
        TransparencyLog(tree, key).append(b'{"type":"forged"}')
        tree.flush()
    assert audit(store, key.public_key).ok


def test_concurrent_sequencers_build_one_log(store: Store, key: LogKey) -> None:
    _seed(store)
    for n in range(6):
        tcn = f"IL09900000000000010{n}"
        submit_car(store, _car(2, COUNTY, date(2010, 3, 1), tcn), submitter_ori=COUNTY)
    worker = Worker(store, agency_handlers(Services()))  # no sequencer: messages wait
    worker.run(until_idle=True)
    with store.session() as s:
        total = len(list(s.scalars(select(MessageRecord.id))))
    sequencers = [Sequencer(key, batch=3) for _ in range(3)]
    threads = [
        threading.Thread(target=lambda q=q: [q.run(store) for _ in range(20)]) for q in sequencers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Sequencer(key).run(store)
    report = audit(store, key.public_key)
    assert report.ok and report.size == total and report.unlogged == 0
    assert sum(q.appended for q in sequencers) <= total


def test_the_log_key_is_created_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "home" / "log-key.pem"
    first = load_or_create_log_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_log_key(path).public_key == first.public_key
