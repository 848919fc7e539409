"""Shared helpers of the transparency log tests."""

from __future__ import annotations

from collections.abc import Sequence

from interop.audit.merkle import NodeId
from interop.audit.store import MemoryTreeStore, TreeStore


class CountingStore:
    """A :class:`TreeStore` wrapper that counts the hashes read and the read calls."""

    def __init__(self, inner: TreeStore | None = None) -> None:
        self.inner: TreeStore = inner if inner is not None else MemoryTreeStore()
        self.reads = 0
        self.calls = 0

    def reset(self) -> None:
        self.reads = 0
        self.calls = 0

    def size(self) -> int:
        return self.inner.size()

    def append_leaf(self, index: int, leaf_hash: bytes, completed: Sequence[bytes]) -> None:
        self.inner.append_leaf(index, leaf_hash, completed)

    def nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        self.calls += 1
        self.reads += len(ids)
        return self.inner.nodes(ids)


def flip_bit(data: bytes, bit: int) -> bytes:
    """``data`` with bit ``bit`` (0 = lowest bit of the first byte) inverted."""
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)
