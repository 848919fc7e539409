"""Where a transparency log keeps its hashes: the :class:`TreeStore` protocol.

A store keeps the hash of every *complete perfect subtree* of the log,
addressed by :class:`~interop.audit.merkle.NodeId` ``(level, index)``: the
``2**level`` leaves from ``index * 2**level``. Level 0 holds the leaf
hashes. When leaf ``n`` is appended, the subtrees it completes
(``(k, n >> k)`` for each ``k >= 1`` while the ``k`` low bits of ``n`` are
all ones; :func:`~interop.audit.merkle.completed_by`) are written with it,
so that a log of ``N`` leaves holds fewer than ``2N`` hashes and every root
and proof is made of O(log N) stored hashes.

The store never hashes: :class:`~interop.audit.log.TransparencyLog`
computes every hash and hands the store bytes to keep, so an
implementation (in memory here; SQL elsewhere) only has to get the
bookkeeping right:

- ``size()`` is the number of leaves;
- ``append_leaf(index, leaf_hash, completed)`` must write the leaf and its
  completed subtrees all or nothing, and refuse (:class:`StoreError`) an
  ``index`` other than the current size (two writers racing: the loser's
  hashes were computed from a stale tree and must not land);
- ``nodes(ids)`` returns the stored hashes of the given subtrees, in order,
  and raises :class:`StoreError` for one it does not hold. The log asks for
  all the nodes of a root or a proof in one call, so a database can answer
  in one query.

Stores are not thread-safe by themselves; an implementation that several
processes append to must make ``append_leaf``'s index check and writes one
transaction (a unique key on ``(level, index)`` does it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from interop.audit.errors import StoreError
from interop.audit.merkle import HASH_SIZE, NodeId


@runtime_checkable
class TreeStore(Protocol):
    """The hashes of a log's complete perfect subtrees (see the module docstring)."""

    def size(self) -> int:
        """Number of leaves in the log."""
        ...

    def append_leaf(self, index: int, leaf_hash: bytes, completed: Sequence[bytes]) -> None:
        """Append leaf ``index`` and the subtrees it completes, atomically.

        Parameters
        ----------
        index : int
            Must equal ``size()``; otherwise raise :class:`StoreError` and write nothing.
        leaf_hash : bytes
            32 bytes, stored as ``NodeId(0, index)``.
        completed : sequence of bytes
            32 bytes each: ``completed[k - 1]`` is stored as
            ``NodeId(k, index >> k)``; there are exactly as many as the
            trailing one bits of ``index``.
        """
        ...

    def nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The stored hashes of ``ids``, in the same order.

        Raises
        ------
        StoreError
            If one of them is not stored.
        """
        ...


def trailing_ones(index: int) -> int:
    """Number of subtrees above the leaves that appending leaf ``index`` completes."""
    return ((index ^ (index + 1)).bit_length()) - 1


def check_append(
    index: int, size: int, leaf_hash: bytes, completed: Sequence[bytes]
) -> list[bytes]:
    """The hashes an ``append_leaf(index, leaf_hash, completed)`` call writes,
    level by level, after the checks every :class:`TreeStore` makes.

    Raises
    ------
    StoreError
        If ``index`` is not ``size``, the number of completed subtrees is
        wrong, or a hash is not :data:`HASH_SIZE` bytes.
    """
    if index != size:
        raise StoreError(f"append at index {index}, but the store holds {size} leaves")
    if len(completed) != trailing_ones(index):
        raise StoreError(
            f"leaf {index} completes {trailing_ones(index)} subtrees, got {len(completed)}"
        )
    hashes = [bytes(leaf_hash), *(bytes(h) for h in completed)]
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise StoreError(f"a hash of {len(h)} bytes, not {HASH_SIZE}")
    return hashes


class MemoryTreeStore:
    """A :class:`TreeStore` in memory: one list of hashes per level.

    Examples
    --------
    >>> from interop.audit.merkle import leaf_hash, NodeId
    >>> store = MemoryTreeStore()
    >>> store.append_leaf(0, leaf_hash(b"a"), [])
    >>> store.size()
    1
    """

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = [[]]

    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def append_leaf(self, index: int, leaf_hash: bytes, completed: Sequence[bytes]) -> None:
        """Append leaf ``index`` and the subtrees it completes (see :class:`TreeStore`)."""
        hashes = check_append(index, self.size(), leaf_hash, completed)
        while len(self._levels) < len(hashes):
            self._levels.append([])
        for level in range(len(hashes)):
            if len(self._levels[level]) != index >> level:
                raise StoreError(f"level {level} out of step with leaf {index}")
        for level, h in enumerate(hashes):
            self._levels[level].append(h)

    def nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The stored hashes of ``ids``, in order."""
        out = []
        for level, index in ids:
            if not (0 <= level < len(self._levels) and 0 <= index < len(self._levels[level])):
                raise StoreError(f"no stored subtree at level {level}, index {index}")
            out.append(self._levels[level][index])
        return out
