"""Inclusion and consistency proofs as values, with their JSON form.

JSON (binary values lowercase hex, no prefix)::

    inclusion:   {"leaf_index": 5, "tree_size": 8, "audit_path": ["<64 hex>", ...]}
    consistency: {"old_size": 6, "new_size": 8, "consistency_path": ["<64 hex>", ...]}

Paths are in RFC 9162 order (from the leaves up). Readers refuse missing or
unknown fields, uppercase hex and hashes that are not 32 bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from interop.audit._json import check_keys, hex_list_field, int_field, to_hex
from interop.audit.merkle import HASH_SIZE, verify_consistency, verify_inclusion


@dataclass(frozen=True)
class InclusionProof:
    """That leaf ``leaf_index`` is in the tree of ``tree_size`` leaves.

    Attributes
    ----------
    leaf_index : int
    tree_size : int
    audit_path : tuple of bytes
        PATH(leaf_index, D[tree_size]) of RFC 9162 §2.1.3.1, 32 bytes each.
    """

    leaf_index: int
    tree_size: int
    audit_path: tuple[bytes, ...]

    def verify(self, leaf_hash: bytes, root: bytes) -> None:
        """Check the proof against a leaf hash and the root of ``tree_size`` leaves.

        Raises
        ------
        ProofError
            If it does not verify.
        """
        verify_inclusion(leaf_hash, self.leaf_index, self.tree_size, self.audit_path, root)

    def to_json(self) -> dict[str, object]:
        """The JSON object of the module docstring."""
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "audit_path": [to_hex(h) for h in self.audit_path],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object] | object) -> InclusionProof:
        """Read :meth:`to_json`'s object; :class:`FormatError` if malformed."""
        what = "inclusion proof"
        o = check_keys(obj, what, {"leaf_index", "tree_size", "audit_path"})
        return cls(
            leaf_index=int_field(o, "leaf_index", what),
            tree_size=int_field(o, "tree_size", what),
            audit_path=hex_list_field(o, "audit_path", what, HASH_SIZE),
        )


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of ``new_size`` leaves extends the tree of ``old_size`` leaves.

    Attributes
    ----------
    old_size, new_size : int
    consistency_path : tuple of bytes
        PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1, 32 bytes each.
    """

    old_size: int
    new_size: int
    consistency_path: tuple[bytes, ...]

    def verify(self, old_root: bytes, new_root: bytes) -> None:
        """Check the proof against the two roots.

        Raises
        ------
        ProofError
            If it does not verify.
        """
        verify_consistency(self.old_size, self.new_size, old_root, new_root, self.consistency_path)

    def to_json(self) -> dict[str, object]:
        """The JSON object of the module docstring."""
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "consistency_path": [to_hex(h) for h in self.consistency_path],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object] | object) -> ConsistencyProof:
        """Read :meth:`to_json`'s object; :class:`FormatError` if malformed."""
        what = "consistency proof"
        o = check_keys(obj, what, {"old_size", "new_size", "consistency_path"})
        return cls(
            old_size=int_field(o, "old_size", what),
            new_size=int_field(o, "new_size", what),
            consistency_path=hex_list_field(o, "consistency_path", what, HASH_SIZE),
        )
