"""The TreeStore contract (reusable for other stores) and O(log N) reads at 100,000 leaves."""

from __future__ import annotations

import math
import random

import pytest

from interop.audit.errors import StoreError
from interop.audit.log import TransparencyLog
from interop.audit.merkle import (
    NodeId,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)
from interop.audit.signing import LogKey
from interop.audit.store import MemoryTreeStore, TreeStore, trailing_ones

from .conftest import CountingStore
from .vectors import LEAVES, NODE_HASHES_HEX


class TreeStoreContract:
    """What every :class:`TreeStore` must do; subclass and override :meth:`make_store`."""

    def make_store(self) -> TreeStore:
        raise NotImplementedError

    def test_is_a_tree_store(self) -> None:
        assert isinstance(self.make_store(), TreeStore)

    def test_empty(self) -> None:
        store = self.make_store()
        assert store.size() == 0
        assert store.nodes([]) == []
        with pytest.raises(StoreError):
            store.nodes([NodeId(0, 0)])

    def test_holds_the_rfc6962_tree(self) -> None:
        store = self.make_store()
        log = TransparencyLog(store, LogKey.generate())
        for i, entry in enumerate(LEAVES):
            assert log.append(entry) == i
        assert store.size() == len(LEAVES)
        for level, row in enumerate(NODE_HASHES_HEX):
            ids = [NodeId(level, j) for j in range(len(row))]
            assert [h.hex() for h in store.nodes(ids)] == row
        # in the order asked, repeats allowed
        ids = [NodeId(3, 0), NodeId(0, 7), NodeId(0, 7), NodeId(1, 1)]
        want = [NODE_HASHES_HEX[3][0], NODE_HASHES_HEX[0][7], NODE_HASHES_HEX[0][7]]
        assert [h.hex() for h in store.nodes(ids)] == [*want, NODE_HASHES_HEX[1][1]]

    def test_incomplete_subtrees_are_not_stored(self) -> None:
        store = self.make_store()
        log = TransparencyLog(store, LogKey.generate())
        for entry in LEAVES[:3]:
            log.append(entry)
        store.nodes([NodeId(1, 0), NodeId(0, 2)])
        for missing in (NodeId(1, 1), NodeId(2, 0), NodeId(0, 3)):
            with pytest.raises(StoreError):
                store.nodes([missing])

    def test_refuses_an_append_at_the_wrong_index(self) -> None:
        store = self.make_store()
        h = leaf_hash(b"x")
        store.append_leaf(0, h, [])
        with pytest.raises(StoreError):
            store.append_leaf(0, h, [])
        with pytest.raises(StoreError):
            store.append_leaf(2, h, [])
        assert store.size() == 1

    def test_refuses_the_wrong_number_of_completed_subtrees(self) -> None:
        store = self.make_store()
        h = leaf_hash(b"x")
        store.append_leaf(0, h, [])
        with pytest.raises(StoreError):
            store.append_leaf(1, h, [])  # leaf 1 completes NodeId(1, 0)
        with pytest.raises(StoreError):
            store.append_leaf(1, h, [h, h])
        assert store.size() == 1
        store.append_leaf(1, h, [h])
        assert store.size() == 2


class TestMemoryTreeStore(TreeStoreContract):
    def make_store(self) -> TreeStore:
        return MemoryTreeStore()


def test_memory_store_refuses_short_hashes() -> None:
    with pytest.raises(StoreError):
        MemoryTreeStore().append_leaf(0, b"short", [])


def test_trailing_ones() -> None:
    assert [trailing_ones(i) for i in range(9)] == [0, 1, 0, 2, 0, 1, 0, 3, 0]


# ---------------------------------------------------------------- O(log N) at scale

N = 100_000


@pytest.fixture(scope="module")
def big() -> tuple[TransparencyLog, CountingStore, list[bytes]]:
    store = CountingStore()
    log = TransparencyLog(store, LogKey.generate(), clock=lambda: 0)
    hashes = []
    worst_append = 0
    for i in range(N):
        entry = i.to_bytes(4, "big")
        store.reset()
        log.append(entry)
        worst_append = max(worst_append, store.reads)
        hashes.append(leaf_hash(entry))
    assert worst_append <= math.log2(N) + 1
    return log, store, hashes


def _bound(n: int) -> float:
    return 4 * math.log2(n) + 8


def test_roots_read_log_n_hashes(big: tuple[TransparencyLog, CountingStore, list[bytes]]) -> None:
    log, store, hashes = big
    for size in [1, 2, 3, 1000, 65_535, 65_536, 65_537, 99_999, N]:
        store.reset()
        root = log.root(size)
        assert store.reads == bin(size).count("1") <= _bound(size)
        assert store.calls == 1
        if size <= 1000:
            assert root == merkle_root(hashes[:size])
    store.reset()
    head = log.head()
    assert store.reads <= _bound(N)
    assert head.head.root == merkle_root(hashes)


def test_proofs_read_log_n_hashes(big: tuple[TransparencyLog, CountingStore, list[bytes]]) -> None:
    log, store, hashes = big
    rng = random.Random(100_000)
    root = log.root()
    worst = 0.0
    for _ in range(300):
        size = rng.choice([N, rng.randrange(1, N + 1)])
        index = rng.randrange(size)
        store.reset()
        proof = log.inclusion_proof(index, size)
        assert store.calls == 1
        worst = max(worst, store.reads / _bound(size))
        if size == N:
            verify_inclusion(hashes[index], index, N, proof.audit_path, root)
        old = rng.randrange(size + 1)
        store.reset()
        cproof = log.consistency_proof(old, size)
        assert store.calls <= 1
        worst = max(worst, store.reads / _bound(size))
        if size == N:
            verify_consistency(old, N, log.root(old), root, cproof.consistency_path)
    assert worst <= 1.0


def test_store_proofs_equal_reference_proofs_at_scale(
    big: tuple[TransparencyLog, CountingStore, list[bytes]],
) -> None:
    """Against the full leaf list (RFC recursion, O(n)) for a few positions of a large tree."""
    log, _, hashes = big
    size = 70_001
    for index in [0, 1, 35_000, 65_535, 65_536, 70_000]:
        assert list(log.inclusion_proof(index, size).audit_path) == inclusion_proof(
            index, hashes[:size]
        )
    for old in [1, 4_096, 65_536, 69_999]:
        assert list(log.consistency_proof(old, size).consistency_path) == consistency_proof(
            old, hashes[:size]
        )
