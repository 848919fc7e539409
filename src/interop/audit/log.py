"""The transparency log of disclosures: append, sign heads, prove, audit.

Every message that crosses an agency boundary (a *disclosure*) is appended
as one entry; the log is an RFC 9162 Merkle tree over the entries
(:mod:`interop.audit.merkle`) whose hashes live in a
:class:`~interop.audit.store.TreeStore`, and whose heads the log signs
with its Ed25519 key (:mod:`interop.audit.signing`). Every root and proof
reads O(log N) stored hashes, in one ``TreeStore.nodes`` call.

The log keeps hashes only, not entries: the caller keeps each entry's
bytes (the disclosure record) and hands them back to build a
:class:`Receipt` or to audit the whole log with :func:`verify_log`.

Privacy: entries must hold no personal data in clear. An entry holds
identifiers (TCN, ORI), the message type, the SHA-256 of the message
bytes and the policy decision code; build it with
:func:`~interop.audit.entries.canonical_entry`. The log stores what it is
given, is append-only and is shown to auditors: whatever goes in stays.

A log object is not thread-safe: one writer appends at a time (a store
refuses an append computed from a stale tree, see
:class:`~interop.audit.store.TreeStore`).
"""

from __future__ import annotations

import enum
import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from interop.audit._json import check_keys, hex_field, to_hex
from interop.audit.entries import canonical_entry, parse_entry
from interop.audit.errors import (
    AuditError,
    EntryError,
    OutOfRangeError,
    ProofError,
    SignatureError,
    StoreError,
)
from interop.audit.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    NodeId,
    completed_by,
    consistency_ranges,
    fold_range,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    perfect_subtrees,
)
from interop.audit.proofs import ConsistencyProof, InclusionProof
from interop.audit.signing import LogKey, SignedTreeHead, TreeHead, verify_tree_head
from interop.audit.store import TreeStore

__all__ = [
    "AuditReport",
    "Problem",
    "ProblemKind",
    "Receipt",
    "TransparencyLog",
    "canonical_entry",
    "parse_entry",
    "verify_log",
    "verify_receipt",
    "wall_clock_ms",
]


def wall_clock_ms() -> int:
    """Milliseconds since the Unix epoch, from the system clock."""
    return time.time_ns() // 1_000_000


def _read(store: TreeStore, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """The stored hashes of ``ids`` (each read once), in one store call."""
    unique = list(dict.fromkeys(ids))
    hashes = store.nodes(unique) if unique else []
    if len(hashes) != len(unique):
        raise StoreError(f"asked the store for {len(unique)} hashes, got {len(hashes)}")
    for node, h in zip(unique, hashes, strict=True):
        if len(h) != HASH_SIZE:
            raise StoreError(f"stored hash {node} is {len(h)} bytes, not {HASH_SIZE}")
    return dict(zip(unique, hashes, strict=True))


def _range_hashes(store: TreeStore, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of each range, from the stored perfect subtrees covering it."""
    covers = [perfect_subtrees(a, b) for a, b in ranges]
    stored = _read(store, [node for cover in covers for node in cover])
    return [fold_range([stored[node] for node in cover]) for cover in covers]


def _root(store: TreeStore, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return _range_hashes(store, [(0, size)])[0]


def _consistency(store: TreeStore, old_size: int, new_size: int) -> ConsistencyProof:
    path = _range_hashes(store, consistency_ranges(old_size, new_size))
    return ConsistencyProof(old_size, new_size, tuple(path))


class TransparencyLog:
    """An append-only Merkle log over a :class:`TreeStore`, signing heads with ``key``.

    Parameters
    ----------
    store : TreeStore
        Where the hashes live; the log uses nothing else to keep state.
    key : LogKey or None
        The log's signing key; ``None`` for a reader that proves against
        heads signed elsewhere (:meth:`head` then raises).
    clock : callable returning int, optional
        Milliseconds since the Unix epoch for head timestamps (default the
        system clock; inject a fixed one in tests).
    """

    def __init__(
        self, store: TreeStore, key: LogKey | None, *, clock: Callable[[], int] = wall_clock_ms
    ) -> None:
        self._store = store
        self._key = key
        self._clock = clock

    @property
    def store(self) -> TreeStore:
        """The store the log reads and appends to."""
        return self._store

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key that verifies this log's heads."""
        return self._signer().public_key

    def _signer(self) -> LogKey:
        if self._key is None:
            raise AuditError("this log was opened without its signing key")
        return self._key

    @property
    def size(self) -> int:
        """Number of entries."""
        return self._store.size()

    def append(self, entry: bytes) -> int:
        """Append one entry's bytes; return its leaf index.

        Reads the left siblings of the subtrees the new leaf completes (one
        store call) and writes the leaf hash and their hashes in one
        ``append_leaf`` call.
        """
        if not isinstance(entry, bytes | bytearray | memoryview):
            raise TypeError(f"an entry is bytes, got {type(entry).__name__}")
        index = self._store.size()
        leaf = leaf_hash(bytes(entry))
        above = completed_by(index)
        lefts = _read(self._store, [NodeId(k - 1, 2 * j) for k, j in above])
        completed: list[bytes] = []
        h = leaf
        for k, j in above:
            h = node_hash(lefts[NodeId(k - 1, 2 * j)], h)
            completed.append(h)
        self._store.append_leaf(index, leaf, completed)
        return index

    def _check_size(self, size: int, name: str = "size") -> int:
        current = self._store.size()
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"{name} must be an int, got {type(size).__name__}")
        if not 0 <= size <= current:
            raise OutOfRangeError(f"{name} {size} is outside the log's 0..{current}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` entries (default all), from O(log N) stored hashes."""
        n = self._store.size() if size is None else self._check_size(size)
        return _root(self._store, n)

    def head(self) -> SignedTreeHead:
        """Sign the current size and root, timestamped by the clock."""
        size = self._store.size()
        return self._signer().sign(TreeHead(size, _root(self._store, size), self._clock()))

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """The audit path of leaf ``index`` in the tree of ``size`` entries (default all).

        Raises
        ------
        OutOfRangeError
            If ``size`` exceeds the log or ``index >= size``.
        """
        n = self._store.size() if size is None else self._check_size(size)
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int, got {type(index).__name__}")
        if not 0 <= index < n:
            raise OutOfRangeError(f"leaf index {index} is outside a tree of {n} entries")
        path = _range_hashes(self._store, inclusion_ranges(index, n))
        return InclusionProof(index, n, tuple(path))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Proof that the tree of ``new_size`` entries (default all) extends ``old_size``.

        Raises
        ------
        OutOfRangeError
            If ``new_size`` exceeds the log or ``old_size > new_size``.
        """
        n = self._store.size() if new_size is None else self._check_size(new_size, "new_size")
        m = self._check_size(old_size, "old_size")
        if m > n:
            raise OutOfRangeError(f"old size {m} exceeds new size {n}")
        return _consistency(self._store, m, n)

    def receipt(self, index: int, entry: bytes, head: SignedTreeHead | None = None) -> Receipt:
        """What an outside party needs to check that ``entry`` is leaf ``index``.

        Parameters
        ----------
        index : int
        entry : bytes
            The entry's bytes, as appended.
        head : SignedTreeHead, optional
            The head to prove against (default a new head of the whole log).

        Raises
        ------
        EntryError
            If ``entry`` is not the entry the log holds at ``index``.
        OutOfRangeError
            If ``index`` is not below the head's size, or the head is
            larger than the log.
        ProofError
            If ``head``'s root is not this log's root at its size.
        """
        sth = self.head() if head is None else head
        proof = self.inclusion_proof(index, sth.head.size)
        stored = _read(self._store, [NodeId(0, index)])[NodeId(0, index)]
        if stored != leaf_hash(bytes(entry)):
            raise EntryError(f"entry does not match the leaf hash stored at index {index}")
        if _root(self._store, sth.head.size) != sth.head.root:
            raise ProofError(f"the head of size {sth.head.size} is not this log's")
        return Receipt(bytes(entry), proof, sth)

    def verify_all(
        self, entries: Iterable[bytes], heads: Iterable[SignedTreeHead], public_key: bytes
    ) -> AuditReport:
        """Audit the whole log: see :func:`verify_log`."""
        return verify_log(self._store, entries, heads, public_key)


@dataclass(frozen=True)
class Receipt:
    """Proof for an outside party that an entry is in the log.

    JSON (``docs/transparency.md``)::

        {"entry": "<hex of the entry bytes>",
         "inclusion": <InclusionProof JSON>,
         "tree_head": <SignedTreeHead JSON>}

    Attributes
    ----------
    entry : bytes
        The entry's canonical bytes.
    proof : InclusionProof
        Its audit path in the tree of ``head.head.size`` entries.
    head : SignedTreeHead
        The signed head the proof leads to.
    """

    entry: bytes
    proof: InclusionProof
    head: SignedTreeHead

    def to_json(self) -> dict[str, object]:
        """The JSON object above."""
        return {
            "entry": to_hex(self.entry),
            "inclusion": self.proof.to_json(),
            "tree_head": self.head.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object] | object) -> Receipt:
        """Read :meth:`to_json`'s object; :class:`FormatError` if malformed."""
        o = check_keys(obj, "receipt", {"entry", "inclusion", "tree_head"})
        return cls(
            entry=hex_field(o, "entry", "receipt"),
            proof=InclusionProof.from_json(o["inclusion"]),
            head=SignedTreeHead.from_json(o["tree_head"]),
        )


def verify_receipt(receipt: Receipt, public_key: bytes) -> None:
    """Check a receipt: the head's signature, then the entry's audit path to its root.

    Returns ``None`` on success.

    Raises
    ------
    SignatureError
        If the head is not signed by ``public_key``.
    ProofError
        If the proof's tree size is not the head's, or the path does not
        lead from the entry to the head's root.
    """
    verify_tree_head(receipt.head, public_key)
    if receipt.proof.tree_size != receipt.head.head.size:
        raise ProofError(
            f"proof for size {receipt.proof.tree_size}, head of size {receipt.head.head.size}"
        )
    receipt.proof.verify(leaf_hash(receipt.entry), receipt.head.head.root)


class ProblemKind(enum.StrEnum):
    """What :func:`verify_log` found wrong."""

    BAD_SIGNATURE = "bad_signature"
    """A head's signature or key id does not verify (``index``: head position)."""
    HEAD_ORDER = "head_order"
    """A head smaller or older than the one before it (``index``: head position)."""
    ENTRY_MISMATCH = "entry_mismatch"
    """An entry whose leaf hash is not the stored one (``index``: leaf index)."""
    NODE_MISMATCH = "node_mismatch"
    """A stored subtree hash that the entries do not give (``index``: first leaf of it)."""
    EXTRA_ENTRY = "extra_entry"
    """More entries than leaves in the log (``index``: first entry beyond it)."""
    MISSING_ENTRY = "missing_entry"
    """Fewer entries than leaves in the log (``index``: first leaf without an entry)."""
    HEAD_ROOT_MISMATCH = "head_root_mismatch"
    """A signed root that is not the root of the entries (``index``: head position)."""
    HEAD_BEYOND_LOG = "head_beyond_log"
    """A head larger than the log (``index``: head position)."""
    INCONSISTENT_HEADS = "inconsistent_heads"
    """No valid consistency proof from the head before (``index``: head position)."""


@dataclass(frozen=True)
class Problem:
    """The first thing :func:`verify_log` found wrong.

    Attributes
    ----------
    kind : ProblemKind
    index : int
        Leaf index or head position, as ``kind`` says.
    detail : str
        A sentence for a person.
    """

    kind: ProblemKind
    index: int
    detail: str


@dataclass(frozen=True)
class AuditReport:
    """What :func:`verify_log` checked and the first problem, if any.

    Attributes
    ----------
    entries_checked : int
        Entries whose leaf hash and completed subtrees matched the store.
    heads_checked : int
        Heads whose signature and root matched (and, when the report is
        clean, whose consistency with the head before was proved).
    problem : Problem or None
        The first problem found; checking stops there.
    """

    entries_checked: int
    heads_checked: int
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return self.problem is None


def verify_log(
    store: TreeStore,
    entries: Iterable[bytes],
    heads: Iterable[SignedTreeHead],
    public_key: bytes,
    *,
    chunk: int = 4096,
) -> AuditReport:
    """Recompute the tree from the entries and check the store and every signed head.

    Checks, stopping at the first problem, in this order:

    1. every head's signature and key id (:func:`verify_tree_head`);
    2. heads in order: sizes and timestamps never decrease;
    3. entries in leaf order: each leaf hash, and the hash of every subtree
       the leaf completes, equal the stored ones; as soon as the entries
       reach a head's size, the head's root equals the recomputed root;
       an entry beyond the log's size is a problem;
    4. the log holds no leaf beyond the last entry;
    5. no head is larger than the log;
    6. each head is consistent with the one before, by a consistency proof
       read from the store and verified against both signed roots.

    Memory is O(chunk + log N + number of heads); store reads are batched
    ``chunk`` entries at a time.

    Parameters
    ----------
    store : TreeStore
    entries : iterable of bytes
        Every entry's bytes, in leaf order (e.g. from the disclosure records).
    heads : iterable of SignedTreeHead
        The heads the log has published, in the order it published them.
    public_key : bytes
        The log's raw 32-byte Ed25519 public key.
    chunk : int
        Entries per batched store read.
    """
    head_list = list(heads)
    for pos, sth in enumerate(head_list):
        try:
            verify_tree_head(sth, public_key)
        except SignatureError as exc:
            return AuditReport(0, 0, Problem(ProblemKind.BAD_SIGNATURE, pos, str(exc)))
    for pos in range(1, len(head_list)):
        prev, cur = head_list[pos - 1].head, head_list[pos].head
        if cur.size < prev.size or cur.timestamp_ms < prev.timestamp_ms:
            detail = (
                f"head {pos} (size {cur.size}, time {cur.timestamp_ms}) comes after "
                f"head {pos - 1} (size {prev.size}, time {prev.timestamp_ms})"
            )
            return AuditReport(0, 0, Problem(ProblemKind.HEAD_ORDER, pos, detail))

    heads_at: dict[int, list[int]] = {}
    for pos, sth in enumerate(head_list):
        heads_at.setdefault(sth.head.size, []).append(pos)
    heads_checked = 0

    def check_heads(size: int, root: bytes) -> Problem | None:
        nonlocal heads_checked
        for pos in heads_at.get(size, []):
            if head_list[pos].head.root != root:
                detail = f"head {pos} signs a root that is not the root of the first {size} entries"
                return Problem(ProblemKind.HEAD_ROOT_MISMATCH, pos, detail)
            heads_checked += 1
        return None

    problem = check_heads(0, EMPTY_ROOT)
    if problem:
        return AuditReport(0, heads_checked, problem)

    log_size = store.size()
    frontier: list[tuple[int, bytes]] = []  # (level, hash) of the perfect subtrees of [0, i)
    checked = 0
    source = iter(entries)
    while batch := list(itertools.islice(source, chunk)):
        start = checked
        computed: list[list[tuple[NodeId, bytes]]] = []
        roots: dict[int, bytes] = {}
        for offset, entry in enumerate(batch):
            i = start + offset
            if not isinstance(entry, bytes | bytearray | memoryview):
                raise TypeError(f"entry {i} is {type(entry).__name__}, not bytes")
            h, level = leaf_hash(bytes(entry)), 0
            nodes = [(NodeId(0, i), h)]
            while frontier and frontier[-1][0] == level:
                h = node_hash(frontier.pop()[1], h)
                level += 1
                nodes.append((NodeId(level, i >> level), h))
            frontier.append((level, h))
            computed.append(nodes)
            if i + 1 in heads_at:
                roots[i + 1] = fold_range([fh for _, fh in frontier])
        in_log = [n for n in computed if n[0][0].index < log_size]
        stored = _read(store, [node for nodes in in_log for node, _ in nodes])
        for nodes in computed:
            i = nodes[0][0].index
            if i >= log_size:
                detail = f"entry {i} is beyond the log's {log_size} leaves"
                return AuditReport(
                    checked, heads_checked, Problem(ProblemKind.EXTRA_ENTRY, i, detail)
                )
            for node, h in nodes:
                if stored[node] != h:
                    if node.level == 0:
                        kind, detail = (
                            ProblemKind.ENTRY_MISMATCH,
                            f"entry {i} is not the logged one",
                        )
                    else:
                        kind = ProblemKind.NODE_MISMATCH
                        detail = f"stored subtree {tuple(node)} differs from the entries' hash"
                    return AuditReport(checked, heads_checked, Problem(kind, node.start, detail))
            checked += 1
            if i + 1 in roots and (problem := check_heads(i + 1, roots[i + 1])):
                return AuditReport(checked, heads_checked, problem)

    if checked < log_size:
        detail = f"the log holds {log_size} leaves but only {checked} entries were given"
        return AuditReport(
            checked, heads_checked, Problem(ProblemKind.MISSING_ENTRY, checked, detail)
        )
    for pos, sth in enumerate(head_list):
        if sth.head.size > log_size:
            detail = f"head {pos} has size {sth.head.size}; the log holds {log_size} leaves"
            return AuditReport(
                checked, heads_checked, Problem(ProblemKind.HEAD_BEYOND_LOG, pos, detail)
            )
    for pos in range(1, len(head_list)):
        prev, cur = head_list[pos - 1].head, head_list[pos].head
        try:
            _consistency(store, prev.size, cur.size).verify(prev.root, cur.root)
        except (ProofError, StoreError) as exc:
            detail = f"heads {pos - 1} and {pos}: {exc}"
            return AuditReport(
                checked, heads_checked, Problem(ProblemKind.INCONSISTENT_HEADS, pos, detail)
            )
    return AuditReport(checked, heads_checked)
