"""The transparency log of disclosures: an append-only RFC 9162 Merkle log.

- :mod:`~interop.audit.merkle`: tree hashes, inclusion and consistency
  proofs and their verification, pure functions over bytes;
- :mod:`~interop.audit.store`: the :class:`TreeStore` protocol (hashes of
  complete perfect subtrees) and :class:`MemoryTreeStore`;
- :mod:`~interop.audit.signing`: signed tree heads (Ed25519), key files;
- :mod:`~interop.audit.proofs`: proofs as values, with their JSON form;
- :mod:`~interop.audit.entries`: the canonical bytes of an entry;
- :mod:`~interop.audit.log`: :class:`TransparencyLog`, receipts, audits.

Entries must hold no personal data in clear (see :mod:`interop.audit.log`).
How an outside party checks a receipt: ``docs/transparency.md``.
"""

from interop.audit.entries import canonical_entry, parse_entry
from interop.audit.errors import (
    AuditError,
    EntryError,
    FormatError,
    OutOfRangeError,
    ProofError,
    SignatureError,
    StoreError,
)
from interop.audit.log import (
    AuditReport,
    Problem,
    ProblemKind,
    Receipt,
    TransparencyLog,
    verify_log,
    verify_receipt,
)
from interop.audit.merkle import (
    EMPTY_ROOT,
    NodeId,
    leaf_hash,
    merkle_tree_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from interop.audit.proofs import ConsistencyProof, InclusionProof
from interop.audit.signing import (
    LogKey,
    SignedTreeHead,
    TreeHead,
    load_public_key,
    verify_tree_head,
)
from interop.audit.store import MemoryTreeStore, TreeStore

__all__ = [
    "EMPTY_ROOT",
    "AuditError",
    "AuditReport",
    "ConsistencyProof",
    "EntryError",
    "FormatError",
    "InclusionProof",
    "LogKey",
    "MemoryTreeStore",
    "NodeId",
    "OutOfRangeError",
    "Problem",
    "ProblemKind",
    "ProofError",
    "Receipt",
    "SignatureError",
    "SignedTreeHead",
    "StoreError",
    "TransparencyLog",
    "TreeHead",
    "TreeStore",
    "canonical_entry",
    "leaf_hash",
    "load_public_key",
    "merkle_tree_hash",
    "node_hash",
    "parse_entry",
    "verify_consistency",
    "verify_inclusion",
    "verify_log",
    "verify_receipt",
    "verify_tree_head",
]
