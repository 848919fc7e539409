"""Merkle tree hashes and proofs of RFC 9162 (Certificate Transparency v2), over bytes.

The tree over entries ``D[0:n]`` is the Merkle Tree Hash of RFC 9162 §2.1.1
(the same as RFC 6962 §2.1)::

    MTH({})      = SHA-256()                                 (the empty string)
    MTH({d0})    = SHA-256(0x00 || d0)                       (leaf hash)
    MTH(D[0:n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
                   with k the largest power of two smaller than n

Everything here is a pure function of hashes and integers: no store, no
key, so that an outside party can verify proofs with this module alone (or
with the RFC's algorithms written anew, as ``docs/transparency.md`` does).

Two groups of functions:

- *Reference* functions over the full list of leaf hashes, written as the
  RFC's recursive definitions: :func:`merkle_root`, :func:`inclusion_proof`
  (PATH, §2.1.3.1), :func:`consistency_proof` (PROOF, §2.1.4.1). O(n).
- *Planning* functions that name which hashes a proof or a root is made of
  without reading any: :func:`inclusion_ranges`, :func:`consistency_ranges`
  give the leaf ranges ``[start, end)`` whose MTH are the proof's elements,
  and :func:`perfect_subtrees` splits a range into the complete perfect
  subtrees (:class:`NodeId`) a store keeps. A log reads those O(log n)
  nodes and combines them with :func:`fold_range`.

Verification (:func:`verify_inclusion`, §2.1.3.2; :func:`verify_consistency`,
§2.1.4.2) follows the RFC's algorithms step by step. **A failed verification
always raises** :class:`~interop.audit.errors.ProofError` (a ``ValueError``);
success returns ``None``. There is no boolean variant, so that a forgotten
return value cannot pass for a verified proof.

A proof binds a leaf to a *root*, not to a tree size: for instance the
inclusion proof of leaf 0 in a tree of 5 leaves also verifies, against the
same root, as a proof "in a tree of 7 leaves", because leaf 0's path has the
same shape in both trees. The tree size must therefore come from a signed
tree head whose signature covers size and root together
(:mod:`interop.audit.signing`), never from an unauthenticated source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from interop.audit.errors import OutOfRangeError, ProofError

HASH_SIZE = 32
"""Bytes in every hash (SHA-256)."""

LEAF_PREFIX = b"\x00"
"""Domain separation byte hashed before a leaf's data."""

NODE_PREFIX = b"\x01"
"""Domain separation byte hashed before two child hashes."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of the empty string."""

MAX_TREE_SIZE = 2**64 - 1
"""Largest tree size (sizes are uint64 in signed tree heads)."""


@dataclass(frozen=True, slots=True)
class NodeId:
    """A complete perfect subtree: ``2**level`` leaves from ``index * 2**level``.

    Level 0 holds the leaves themselves (``NodeId(0, i)`` is leaf ``i``);
    ``NodeId(k, j)`` is complete once leaf ``2**k * (j + 1) - 1`` is in the log.
    Hashable, and unpacks as ``level, index = node``.
    """

    level: int
    index: int

    def __iter__(self) -> Iterator[int]:
        return iter((self.level, self.index))

    @property
    def start(self) -> int:
        """First leaf covered."""
        return self.index << self.level

    @property
    def end(self) -> int:
        """One past the last leaf covered."""
        return (self.index + 1) << self.level


def leaf_hash(data: bytes) -> bytes:
    """Hash of a leaf: SHA-256(0x00 || data), 32 bytes."""
    return hashlib.sha256(LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right), 32 bytes."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 0 <= value <= MAX_TREE_SIZE:
        raise OutOfRangeError(f"{name} {value} is outside 0..2^64-1")


def _check_hash(name: str, value: bytes, error: type[Exception] = ProofError) -> None:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise error(f"{name} is {len(value)} bytes, not {HASH_SIZE}")


# ---------------------------------------------------------------- reference


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a tree given its leaf hashes (RFC 9162 §2.1.1), by the recursive definition.

    Parameters
    ----------
    leaf_hashes : sequence of bytes
        ``leaf_hash(d)`` for each entry ``d``, in log order; 32 bytes each.

    Returns
    -------
    bytes
        The 32-byte root; :data:`EMPTY_ROOT` for no leaves.
    """

    def mth(a: int, b: int) -> bytes:
        if b - a == 1:
            return bytes(leaf_hashes[a])
        k = _split(b - a)
        return node_hash(mth(a, a + k), mth(a + k, b))

    return mth(0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


def merkle_tree_hash(entries: Sequence[bytes]) -> bytes:
    """MTH of a tree given its entries (the bytes before leaf hashing)."""
    return merkle_root([leaf_hash(e) for e in entries])


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path PATH(index, D[n]) of RFC 9162 §2.1.3.1, n = ``len(leaf_hashes)``.

    Returns
    -------
    list of bytes
        Sibling hashes from the leaf's level up to the root's children
        (empty for a tree of one leaf).

    Raises
    ------
    OutOfRangeError
        If ``index`` is not below the tree size.
    """
    n = len(leaf_hashes)
    _check_size("index", index)
    if index >= n:
        raise OutOfRangeError(f"leaf index {index} is not below tree size {n}")

    def path(m: int, a: int, b: int) -> list[bytes]:
        if b - a == 1:
            return []
        k = _split(b - a)
        if m < k:
            return [*path(m, a, a + k), merkle_root(leaf_hashes[a + k : b])]
        return [*path(m - k, a + k, b), merkle_root(leaf_hashes[a : a + k])]

    return path(index, 0, n)


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The consistency proof PROOF(old_size, D[n]) of RFC 9162 §2.1.4.1.

    Empty when ``old_size`` is 0 or ``n`` (the RFC defines ``0 < m < n`` only;
    those two cases need no hashes).

    Raises
    ------
    OutOfRangeError
        If ``old_size`` exceeds ``n = len(leaf_hashes)``.
    """
    n = len(leaf_hashes)
    _check_size("old_size", old_size)
    if old_size > n:
        raise OutOfRangeError(f"old size {old_size} exceeds tree size {n}")
    if old_size in (0, n):
        return []

    def subproof(m: int, a: int, b: int, whole: bool) -> list[bytes]:
        if m == b - a:
            return [] if whole else [merkle_root(leaf_hashes[a:b])]
        k = _split(b - a)
        if m <= k:
            return [*subproof(m, a, a + k, whole), merkle_root(leaf_hashes[a + k : b])]
        return [*subproof(m - k, a + k, b, False), merkle_root(leaf_hashes[a : a + k])]

    return subproof(old_size, 0, n, True)


# ---------------------------------------------------------------- planning


def perfect_subtrees(start: int, end: int) -> list[NodeId]:
    """The complete perfect subtrees whose leaves are exactly ``[start, end)``.

    The range must be one the RFC's recursion produces: ``start`` a multiple
    of a power of two at least ``end - start`` (every subtree of a Merkle tree
    of any size is such a range). The subtrees come largest first, one per
    set bit of ``end - start``; :func:`fold_range` combines their hashes into
    MTH(D[start:end]).

    Raises
    ------
    ValueError
        If the range is empty or not aligned as above.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative range [{start}, {end})")
    width = 1 << (end - start - 1).bit_length()
    if start % width:
        raise ValueError(f"range [{start}, {end}) is not a subtree: start not aligned")
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append(NodeId(level, start >> level))
        start += 1 << level
    return nodes


def fold_range(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees' hashes, in :func:`perfect_subtrees` order.

    The subtrees shrink from left to right, so the RFC's split point is always
    the first subtree's end: MTH = H(P1 || H(P2 || ... H(Pk-1 || Pk))).
    """
    if not hashes:
        raise ValueError("a range has at least one subtree")
    h = bytes(hashes[-1])
    for left in reversed(hashes[:-1]):
        h = node_hash(left, h)
    return h


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH, in order, are PATH(index, D[size]).

    Raises
    ------
    OutOfRangeError
        If ``index >= size``.
    """
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise OutOfRangeError(f"leaf index {index} is not below tree size {size}")
    ranges: list[tuple[int, int]] = []
    a, b, m = 0, size, index
    while b - a > 1:  # descend; the RFC appends the sibling after the subpath
        k = _split(b - a)
        if m < k:
            ranges.append((a + k, b))
            b = a + k
        else:
            ranges.append((a, a + k))
            a, m = a + k, m - k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTH, in order, are PROOF(old_size, D[new_size]).

    Empty when ``old_size`` is 0 or equals ``new_size``.

    Raises
    ------
    OutOfRangeError
        If ``old_size > new_size``.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    if old_size > new_size:
        raise OutOfRangeError(f"old size {old_size} exceeds new size {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    a, b, m, whole = 0, new_size, old_size, True
    while m != b - a:
        k = _split(b - a)
        if m <= k:
            ranges.append((a + k, b))
            b = a + k
        else:
            ranges.append((a, a + k))
            a, m, whole = a + k, m - k, False
    if not whole:
        ranges.append((a, b))
    ranges.reverse()
    return ranges


def root_subtrees(size: int) -> list[NodeId]:
    """The perfect subtrees whose hashes make MTH(D[0:size]) (one per set bit of size)."""
    _check_size("size", size)
    return perfect_subtrees(0, size) if size else []


def completed_by(index: int) -> list[NodeId]:
    """Subtrees above the leaves completed by appending leaf ``index``, lowest first.

    Leaf ``index`` completes ``NodeId(k, index >> k)`` for each ``k`` from 1
    while the ``k`` lowest bits of ``index`` are all ones.
    """
    _check_size("index", index)
    nodes = []
    k = 1
    while (index >> (k - 1)) & 1:
        nodes.append(NodeId(k, index >> k))
        k += 1
    return nodes


# ---------------------------------------------------------------- verification


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root an audit path leads to: RFC 9162 §2.1.3.2, steps 1-4.

    Parameters
    ----------
    leaf : bytes
        The leaf hash (``leaf_hash(entry)``), 32 bytes.
    index, size : int
        Leaf index and tree size the proof claims.
    proof : sequence of bytes
        The audit path, 32 bytes per element.

    Raises
    ------
    ProofError
        If ``index >= size``, a hash is not 32 bytes, or the path is longer
        or shorter than the tree's shape allows.
    """
    _check_size("index", index)
    _check_size("size", size)
    _check_hash("leaf hash", leaf)
    for i, p in enumerate(proof):
        _check_hash(f"audit path element {i}", p)
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    fn, sn = index, size - 1
    r = bytes(leaf)
    for p in proof:
        if sn == 0:
            raise ProofError(f"audit path of {len(proof)} hashes is too long for {index}/{size}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"audit path of {len(proof)} hashes is too short for {index}/{size}")
    return r


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    RFC 9162 §2.1.3.2. Returns ``None`` on success.

    Raises
    ------
    ProofError
        If the proof is malformed or leads to another root.
    """
    _check_hash("root", root)
    if root_from_inclusion_proof(leaf, index, size, proof) != root:
        raise ProofError(f"audit path for leaf {index} does not lead to the root of size {size}")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` leaves extends the tree of ``old_size`` leaves.

    RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. Also accepted: equal
    sizes with equal roots and an empty proof, and ``old_size == 0`` with the
    empty-tree root and an empty proof. Returns ``None`` on success.

    Raises
    ------
    ProofError
        If ``old_size > new_size``, a hash is not 32 bytes, the proof has the
        wrong length, or it does not lead to both roots.
    """
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    for i, c in enumerate(proof):
        _check_hash(f"consistency path element {i}", c)
    if old_size > new_size:
        raise ProofError(f"old size {old_size} exceeds new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree is not SHA-256 of the empty string")
        return
    # RFC 9162 §2.1.4.2, step by step.
    if not proof:  # 1
        raise ProofError(f"empty consistency proof for {old_size} -> {new_size}")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # 2
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # 3
    while fn & 1:  # 4
        fn >>= 1
        sn >>= 1
    fr = sr = bytes(path[0])  # 5
    for c in path[1:]:  # 6
        if sn == 0:
            raise ProofError(
                f"consistency path of {len(proof)} hashes is too long for {old_size} -> {new_size}"
            )
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # 7
        raise ProofError(
            f"consistency path of {len(proof)} hashes is too short for {old_size} -> {new_size}"
        )
    if fr != old_root:
        raise ProofError(f"consistency proof does not lead to the root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not lead to the root of size {new_size}")
