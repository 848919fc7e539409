"""TransparencyLog: append, heads, proofs, receipts and the whole-log audit."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence

import pytest

from interop.audit import (
    AuditReport,
    ConsistencyProof,
    EntryError,
    FormatError,
    InclusionProof,
    LogKey,
    MemoryTreeStore,
    OutOfRangeError,
    ProblemKind,
    ProofError,
    Receipt,
    SignatureError,
    SignedTreeHead,
    StoreError,
    TransparencyLog,
    TreeHead,
    canonical_entry,
    merkle_tree_hash,
    verify_receipt,
    verify_tree_head,
)
from interop.audit.log import verify_log
from interop.audit.merkle import NodeId, leaf_hash

from .conftest import CountingStore, flip_bit

KEY = LogKey.generate()


def _entries(n: int) -> list[bytes]:
    return [
        canonical_entry({"tcn": f"TCN-{i:06d}", "ori": "VA0010000", "decision": i % 4})
        for i in range(n)
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_225_600_000

    def __call__(self) -> int:
        self.now += 1000
        return self.now


def _log(entries: Sequence[bytes] = (), *, store: MemoryTreeStore | None = None) -> TransparencyLog:
    log = TransparencyLog(store or MemoryTreeStore(), KEY, clock=Clock())
    for e in entries:
        log.append(e)
    return log


def _log_with_heads(
    n: int, head_sizes: Sequence[int]
) -> tuple[TransparencyLog, list[bytes], list[SignedTreeHead]]:
    entries = _entries(n)
    log = _log()
    heads: list[SignedTreeHead] = []
    for i, e in enumerate([*entries, None]):
        while len(heads) < len(head_sizes) and head_sizes[len(heads)] == i:
            heads.append(log.head())
        if e is not None:
            log.append(e)
    return log, entries, heads


# ---------------------------------------------------------------- append, roots, heads


def test_append_returns_leaf_indices_and_roots_follow() -> None:
    entries = _entries(20)
    log = _log()
    assert log.size == 0
    assert log.root() == merkle_tree_hash([])
    for i, e in enumerate(entries):
        assert log.append(e) == i
        assert log.root() == merkle_tree_hash(entries[: i + 1])
    assert log.size == 20
    for n in range(21):
        assert log.root(n) == merkle_tree_hash(entries[:n])


def test_head_is_signed_with_the_clock() -> None:
    log = _log(_entries(5))
    sth = log.head()
    assert sth.head.size == 5
    assert sth.head.root == log.root()
    assert sth.head.timestamp_ms == 1_767_225_601_000
    verify_tree_head(sth, log.public_key)
    assert log.head().head.timestamp_ms == 1_767_225_602_000


def test_append_refuses_non_bytes() -> None:
    with pytest.raises(TypeError):
        _log().append("text")  # type: ignore[arg-type]


def test_append_after_a_concurrent_append_is_refused() -> None:
    """Two writers: the one whose hashes were computed from a stale tree must not land."""

    class Racing(CountingStore):
        def nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
            out = super().nodes(ids)
            if self.calls == 1:
                other.append(b"the other writer's entry")
            return out

    inner = MemoryTreeStore()
    other = _log(store=inner)
    other.append(b"first")
    log = TransparencyLog(Racing(inner), KEY)
    with pytest.raises(StoreError):
        log.append(b"mine")  # reads leaf 0 to complete NodeId(1, 0); meanwhile leaf 1 lands
    assert inner.size() == 2
    assert inner.nodes([NodeId(0, 1)]) == [leaf_hash(b"the other writer's entry")]


# ---------------------------------------------------------------- proofs


def test_proofs_verify_for_every_size() -> None:
    entries = _entries(40)
    log = _log(entries)
    for n in range(1, 41):
        root = log.root(n)
        for i in range(n):
            log.inclusion_proof(i, n).verify(leaf_hash(entries[i]), root)
        for m in range(n + 1):
            log.consistency_proof(m, n).verify(log.root(m), root)


def test_bad_ranges_are_typed_errors() -> None:
    log = _log(_entries(10))
    with pytest.raises(OutOfRangeError):
        log.inclusion_proof(10)
    with pytest.raises(OutOfRangeError):
        log.inclusion_proof(-1)
    with pytest.raises(OutOfRangeError):
        log.inclusion_proof(3, 11)
    with pytest.raises(OutOfRangeError):
        log.inclusion_proof(3, 3)
    with pytest.raises(OutOfRangeError):
        log.consistency_proof(5, 4)
    with pytest.raises(OutOfRangeError):
        log.consistency_proof(5, 11)
    with pytest.raises(OutOfRangeError):
        log.consistency_proof(11)
    with pytest.raises(OutOfRangeError):
        log.root(11)
    with pytest.raises(TypeError):
        log.inclusion_proof(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        log.root("3")  # type: ignore[arg-type]


def test_proof_json_round_trip() -> None:
    log = _log(_entries(13))
    proof = log.inclusion_proof(6)
    assert InclusionProof.from_json(json.loads(json.dumps(proof.to_json()))) == proof
    cproof = log.consistency_proof(5)
    assert ConsistencyProof.from_json(json.loads(json.dumps(cproof.to_json()))) == cproof
    bad = proof.to_json()
    bad["audit_path"] = [*proof.to_json()["audit_path"][:-1], "00"]  # type: ignore[index]
    with pytest.raises(FormatError):
        InclusionProof.from_json(bad)
    with pytest.raises(FormatError):
        ConsistencyProof.from_json({"old_size": 1, "new_size": 2})
    with pytest.raises(FormatError):
        InclusionProof.from_json({**proof.to_json(), "audit_path": "ab"})


# ---------------------------------------------------------------- receipts


def test_receipts_verify_and_round_trip() -> None:
    entries = _entries(25)
    log = _log(entries)
    for i, e in enumerate(entries):
        receipt = log.receipt(i, e)
        verify_receipt(receipt, KEY.public_key)
        back = Receipt.from_json(json.loads(json.dumps(receipt.to_json())))
        assert back == receipt


def test_receipt_against_an_older_head() -> None:
    entries = _entries(10)
    log = _log(entries[:6])
    old = log.head()
    for e in entries[6:]:
        log.append(e)
    receipt = log.receipt(2, entries[2], old)
    assert receipt.proof.tree_size == 6
    verify_receipt(receipt, KEY.public_key)
    with pytest.raises(OutOfRangeError):
        log.receipt(7, entries[7], old)


def test_receipt_refuses_a_wrong_entry_or_foreign_head() -> None:
    entries = _entries(10)
    log = _log(entries)
    with pytest.raises(EntryError):
        log.receipt(3, entries[4])
    foreign = _log(_entries(11)[1:]).head()
    with pytest.raises(ProofError):
        log.receipt(3, entries[3], foreign)


def test_tampered_receipts_fail() -> None:
    """Single-bit changes to every part of a receipt, size included, are caught."""
    entries = _entries(32)
    log = _log(entries)
    for n in range(1, 33):
        sth = KEY.sign(TreeHead(n, log.root(n), 7))
        for i in range(n):
            r = log.receipt(i, entries[i], sth)
            p, h = r.proof, r.head.head
            bad: list[Receipt] = [
                Receipt(flip_bit(r.entry, 5), p, r.head),
                Receipt(r.entry[:-1], p, r.head),
            ]
            for bit in range(7):
                bad.append(
                    Receipt(r.entry, InclusionProof(i ^ (1 << bit), n, p.audit_path), r.head)
                )
                bad.append(
                    Receipt(r.entry, InclusionProof(i, n ^ (1 << bit), p.audit_path), r.head)
                )
                head = TreeHead(n ^ (1 << bit), h.root, h.timestamp_ms)
                bad.append(
                    Receipt(r.entry, p, SignedTreeHead(head, r.head.signature, r.head.key_id))
                )
                # a proof and a head that agree on a tampered size: the signature catches it
                bad.append(
                    Receipt(
                        r.entry,
                        InclusionProof(i, n ^ (1 << bit), p.audit_path),
                        SignedTreeHead(head, r.head.signature, r.head.key_id),
                    )
                )
            for k in range(len(p.audit_path)):
                path = list(p.audit_path)
                path[k] = flip_bit(path[k], 77)
                bad.append(Receipt(r.entry, InclusionProof(i, n, tuple(path)), r.head))
            bad.append(
                Receipt(
                    r.entry,
                    p,
                    SignedTreeHead(
                        TreeHead(n, flip_bit(h.root, 3), h.timestamp_ms),
                        r.head.signature,
                        r.head.key_id,
                    ),
                )
            )
            for b in bad:
                with pytest.raises((ProofError, SignatureError)):
                    verify_receipt(b, KEY.public_key)
    with pytest.raises(SignatureError):
        verify_receipt(log.receipt(0, entries[0]), LogKey.generate().public_key)


# ---------------------------------------------------------------- verify_all


def test_verify_all_passes_a_good_log() -> None:
    log, entries, heads = _log_with_heads(50, [0, 1, 1, 7, 8, 32, 33, 50])
    for chunk in (1, 3, 4096):
        report = verify_log(log.store, entries, heads, KEY.public_key, chunk=chunk)
        assert report == AuditReport(entries_checked=50, heads_checked=8, problem=None)
        assert report.ok
    assert log.verify_all(iter(entries), iter(heads), KEY.public_key).ok
    assert _log().verify_all([], [], KEY.public_key).ok


def test_verify_all_detects_a_tampered_entry() -> None:
    log, entries, heads = _log_with_heads(40, [10, 40])
    for i in (0, 17, 39):
        bad = list(entries)
        bad[i] = bad[i].replace(b"TCN", b"TCM")
        report = log.verify_all(bad, heads, KEY.public_key)
        assert report.problem is not None
        assert (report.problem.kind, report.problem.index) == (ProblemKind.ENTRY_MISMATCH, i)
        assert report.entries_checked == i
        assert report.heads_checked == (1 if i >= 10 else 0)


def test_verify_all_detects_dropped_and_extra_entries() -> None:
    log, entries, heads = _log_with_heads(40, [40])
    report = log.verify_all(entries[:12] + entries[13:], heads, KEY.public_key)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.index) == (ProblemKind.ENTRY_MISMATCH, 12)
    report = log.verify_all(entries[:-1], heads[:0], KEY.public_key)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.index) == (ProblemKind.MISSING_ENTRY, 39)
    report = log.verify_all([*entries, b"one more"], heads, KEY.public_key)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.index) == (ProblemKind.EXTRA_ENTRY, 40)
    assert report.entries_checked == 40


def test_verify_all_detects_forged_heads() -> None:
    log, entries, heads = _log_with_heads(30, [5, 20, 30])
    mallory = LogKey.generate()

    def problem(hs: Sequence[SignedTreeHead]) -> tuple[ProblemKind, int]:
        report = log.verify_all(entries, hs, KEY.public_key)
        assert report.problem is not None
        return report.problem.kind, report.problem.index

    # signed by another key
    assert problem([heads[0], mallory.sign(heads[1].head), heads[2]]) == (
        ProblemKind.BAD_SIGNATURE,
        1,
    )
    # a field altered after signing
    h = heads[1].head
    altered = SignedTreeHead(
        TreeHead(h.size, flip_bit(h.root, 0), h.timestamp_ms), heads[1].signature, heads[1].key_id
    )
    assert problem([heads[0], altered, heads[2]]) == (ProblemKind.BAD_SIGNATURE, 1)
    # validly signed, but over another history (a fork)
    fork = _log([b"x", *entries[1:20]]).head()
    assert problem([heads[0], fork, heads[2]]) == (ProblemKind.HEAD_ROOT_MISMATCH, 1)
    # larger than the log
    beyond = KEY.sign(TreeHead(31, heads[2].head.root, heads[2].head.timestamp_ms + 1))
    assert problem([*heads, beyond]) == (ProblemKind.HEAD_BEYOND_LOG, 3)
    # out of order
    assert problem([heads[1], heads[0], heads[2]]) == (ProblemKind.HEAD_ORDER, 1)
    older = KEY.sign(TreeHead(30, heads[2].head.root, heads[1].head.timestamp_ms - 1))
    assert problem([heads[0], heads[1], older]) == (ProblemKind.HEAD_ORDER, 2)


def test_verify_all_detects_a_corrupted_stored_node() -> None:
    store = MemoryTreeStore()
    entries = _entries(16)
    log = _log(entries, store=store)
    store._levels[2][1] = b"\x00" * 32  # the subtree of leaves 4..7
    report = log.verify_all(entries, [], KEY.public_key)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.index) == (ProblemKind.NODE_MISMATCH, 4)
    assert report.entries_checked == 7


def test_verify_all_proves_consistency_from_the_store() -> None:
    """A store that answers the audit's reads but serves bad proofs afterwards."""

    class LateLiar(CountingStore):
        def nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
            hashes = super().nodes(ids)
            return [b"\x00" * 32 for _ in hashes] if self.calls > 1 else hashes

    log, entries, heads = _log_with_heads(20, [3, 20])
    report = verify_log(LateLiar(log.store), entries, heads, KEY.public_key)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.index) == (ProblemKind.INCONSISTENT_HEADS, 1)
    assert report.entries_checked == 20 and report.heads_checked == 2


def test_verify_all_reads_entries_lazily() -> None:
    log, entries, heads = _log_with_heads(100, [100])
    seen = 0

    def stream() -> Iterator[bytes]:
        nonlocal seen
        for e in entries:
            seen += 1
            yield e

    report = verify_log(log.store, itertools.chain(stream()), heads, KEY.public_key, chunk=10)
    assert report.ok and seen == 100
